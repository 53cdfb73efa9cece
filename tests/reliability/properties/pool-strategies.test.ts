/**
 * The Pool with every strategy over random sequences of operations: drain/undrain, outlier
 * ejections by recorded failures, health changes through real health checks against loopback
 * servers whose answer the test flips, add/remove and weights. After every operation no pick and
 * no lease lands on a drained, removed, ejected, unhealthy or open-circuit backend, except that
 * panic mode (documented) may route to ejected and unhealthy ones — never to drained ones.
 * Consistent-hash strategies keep the keys of the backends that stay where they were.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type BackendConfig, Pool, STRATEGY_NAMES, type StrategyName } from '@srekit/engine';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { scaled } from '../support/mode.js';

const SERVERS = 8;
const healthStatus: number[] = Array.from({ length: SERVERS }, () => 200);
const servers: Server[] = [];
const urls: string[] = [];

beforeAll(async () => {
  for (let i = 0; i < SERVERS; i++) {
    const server = createServer((_req, res) => {
      res.statusCode = healthStatus[i] ?? 200;
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    urls.push(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  }
});

afterAll(async () => {
  await Promise.all(
    servers.map(
      (s) =>
        new Promise<void>((resolve) => {
          s.closeAllConnections();
          s.close(() => resolve());
        }),
    ),
  );
});

type Op =
  | { kind: 'drain' | 'undrain' | 'remove' | 'health-down' | 'health-up'; slot: number }
  | {
      kind: 'fail';
      slot: number;
      times: number;
      outcome: 502 | 503 | 'connect-failure' | 'timeout';
    }
  | { kind: 'succeed'; slot: number }
  | { kind: 'add'; slot: number; weight: number }
  | { kind: 'weight'; slot: number; weight: number };

const slot = fc.integer({ min: 0, max: SERVERS - 1 });
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constantFrom('drain' as const, 'undrain' as const, 'remove' as const),
    slot,
  }),
  fc.record({ kind: fc.constantFrom('health-down' as const, 'health-up' as const), slot }),
  fc.record({ kind: fc.constant('health-down' as const), slot }),
  fc.record({
    kind: fc.constant('fail' as const),
    slot,
    times: fc.integer({ min: 1, max: 6 }),
    outcome: fc.constantFrom(
      502 as const,
      503 as const,
      'connect-failure' as const,
      'timeout' as const,
    ),
  }),
  fc.record({ kind: fc.constant('succeed' as const), slot }),
  fc.record({ kind: fc.constant('add' as const), slot, weight: fc.integer({ min: 1, max: 5 }) }),
  fc.record({
    kind: fc.constant('weight' as const),
    slot,
    weight: fc.integer({ min: 1, max: 10 }),
  }),
);

const id = (i: number) => `b${i}`;
const backend = (i: number, weight = 1): BackendConfig => ({
  id: id(i),
  url: urls[i] as string,
  weight,
});

interface Tally {
  picks: number;
  panicPicks: number;
  ops: number;
  health: number;
  ejections: number;
}

/** Every pick and lease right now lands on an admissible backend. */
function checkPicks(
  pool: Pool,
  members: Set<string>,
  drained: Set<string>,
  keys: readonly string[],
  tally: Tally,
) {
  const stats = pool.stats();
  for (const b of stats.backends) expect(b.draining, b.id).toBe(drained.has(b.id));
  expect(new Set(stats.backends.map((b) => b.id))).toEqual(members);
  const admissible = (pickedId: string) => {
    expect(members.has(pickedId), `${pickedId} was removed`).toBe(true);
    expect(drained.has(pickedId), `${pickedId} is draining`).toBe(false);
    const snapshot = pool.get(pickedId);
    expect(snapshot?.circuit, `${pickedId} circuit`).not.toBe('open');
    if (!stats.panic) expect(snapshot?.state, `${pickedId} outside panic`).toBe('healthy');
    tally.picks++;
    if (stats.panic) tally.panicPicks++;
  };
  for (const key of keys) {
    const picked = pool.pick(key);
    if (picked) admissible(picked.id);
    const lease = pool.acquire({ key });
    if (lease) {
      admissible(lease.backend.id);
      lease.cancel();
    }
  }
  const unkeyed = pool.pick();
  if (unkeyed) admissible(unkeyed.id);
  // Something admissible exists whenever a non-draining member has a closed circuit and is
  // healthy, or panic allows it: then a pick must not come back empty.
  const someHealthy = stats.backends.some(
    (b) => !b.draining && b.state === 'healthy' && b.circuit !== 'open',
  );
  if (someHealthy) expect(pool.pick(keys[0])).toBeDefined();
}

async function apply(pool: Pool, o: Op, members: Set<string>, drained: Set<string>, tally: Tally) {
  const name = id(o.slot);
  const member = members.has(name);
  tally.ops++;
  switch (o.kind) {
    case 'drain':
      if (!member) return;
      void pool.drain(name);
      drained.add(name);
      return;
    case 'undrain':
      if (!member) return;
      pool.undrain(name);
      drained.delete(name);
      return;
    case 'remove':
      if (!member || members.size <= 1) return;
      pool.remove(name);
      members.delete(name);
      drained.delete(name);
      return;
    case 'add':
      if (member) return;
      pool.add(backend(o.slot, o.weight));
      members.add(name);
      return;
    case 'weight':
      if (member) pool.setWeight(name, o.weight);
      return;
    case 'health-down':
    case 'health-up': {
      const status = o.kind === 'health-down' ? 503 : 200;
      if (healthStatus[o.slot] === status) return;
      healthStatus[o.slot] = status;
      if (!member) return;
      tally.health++;
      const expected = status === 200 ? 'healthy' : 'unhealthy';
      await vi.waitUntil(() => pool.get(name)?.health === expected, {
        timeout: 3_000,
        interval: 5,
      });
      return;
    }
    case 'fail':
    case 'succeed': {
      if (!member) return;
      const others = new Set([...members].filter((m) => m !== name));
      const times = o.kind === 'fail' ? o.times : 1;
      for (let i = 0; i < times; i++) {
        const lease = pool.acquire({ exclude: others });
        if (!lease) return; // drained, ejected, unhealthy or circuit open: refused, as it must be
        expect(lease.backend.id).toBe(name);
        const wasEjected = pool.get(name)?.ejected;
        lease.end(o.kind === 'fail' ? o.outcome : 200);
        if (!wasEjected && pool.get(name)?.ejected) tally.ejections++;
      }
      return;
    }
  }
}

describe('Pool and strategies under random operations', () => {
  it('never picks a drained, removed, ejected, unhealthy or open-circuit backend outside panic', async () => {
    const tally: Tally = { picks: 0, panicPicks: 0, ops: 0, health: 0, ejections: 0 };
    const seen = new Set<StrategyName>();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...STRATEGY_NAMES),
        fc.integer({ min: 2, max: 6 }),
        fc.constantFrom(0, 50, 100),
        fc.boolean(),
        fc.array(op, { minLength: 5, maxLength: 25 }),
        fc.array(fc.string({ minLength: 1, maxLength: 12 }), { minLength: 8, maxLength: 8 }),
        async (strategy, initial, panicThresholdPercent, unejectOnHealthCheckPass, ops, keys) => {
          seen.add(strategy);
          healthStatus.fill(200);
          const members = new Set<string>();
          const drained = new Set<string>();
          const configs = Array.from({ length: initial }, (_, i) => backend(i));
          for (const c of configs) members.add(c.id);
          const pool = new Pool(configs, {
            strategy,
            panicThresholdPercent,
            unejectOnHealthCheckPass,
            healthCheck: {
              path: '/readyz',
              intervalMs: 10,
              jitterPercent: 0,
              timeoutMs: 500,
              unhealthyThreshold: 1,
              healthyThreshold: 1,
            },
            outlierDetection: {
              consecutive5xx: 3,
              consecutiveGatewayFailure: 3,
              baseEjectionTimeMs: 600_000,
              maxEjectionPercent: 100,
            },
            circuitBreaker: { consecutiveFailures: 4, openMs: 600_000 },
          });
          try {
            checkPicks(pool, members, drained, keys, tally);
            for (const o of ops) {
              await apply(pool, o, members, drained, tally);
              checkPicks(pool, members, drained, keys, tally);
            }
          } finally {
            await pool.close();
          }
        },
      ),
      { numRuns: scaled(60, 600), seed: 8 },
    );
    console.info(
      `[property:pool] strategies ${[...seen].join(', ')}: ${tally.ops} operations, ${tally.health} health flips, ${tally.ejections} ejections, ${tally.picks} picks and leases checked (${tally.panicPicks} in panic)`,
    );
    expect(seen.size).toBe(STRATEGY_NAMES.length);
    expect(tally.ejections).toBeGreaterThan(0);
    expect(tally.health).toBeGreaterThan(0);
  }, 60_000);

  let worstRemoveShift = 0;
  let worstCrossingShift = 0;
  afterAll(() => {
    console.info(
      `[property:pool] ring-hash remove: at most ${(worstRemoveShift * 100).toFixed(1)} % of the staying backends' keys moved; ${(worstCrossingShift * 100).toFixed(1)} % where the entry count per backend doubles`,
    );
  });
  for (const strategy of ['ring-hash', 'maglev'] as const) {
    it(`${strategy}: keys of backends that stay do not move when one is drained, ejected or (ring-hash) removed, and return when it does`, () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 3, max: 8 }),
          fc.integer({ min: 0, max: 7 }),
          fc.constantFrom(
            'drain',
            'eject',
            ...(strategy === 'ring-hash' ? (['remove'] as const) : []),
          ),
          fc.uniqueArray(fc.string({ minLength: 1, maxLength: 16 }), {
            minLength: 200,
            maxLength: 200,
          }),
          (n, victimIndex, how, keys) => {
            const pool = new Pool(
              Array.from({ length: n }, (_, i) => ({
                id: id(i),
                url: `http://127.0.0.1:${9000 + i}`,
              })),
              {
                strategy,
                healthCheck: false,
                panicThresholdPercent: 0,
                outlierDetection: {
                  consecutive5xx: 2,
                  baseEjectionTimeMs: 600_000,
                  maxEjectionPercent: 100,
                },
                circuitBreaker: false,
              },
            );
            const victim = id(victimIndex % n);
            const before = new Map(keys.map((k) => [k, pool.pick(k)?.id]));
            if (how === 'drain') void pool.drain(victim);
            else if (how === 'remove') pool.remove(victim);
            else {
              const others = new Set([...Array(n).keys()].map(id).filter((x) => x !== victim));
              for (let i = 0; i < 2; i++) pool.acquire({ exclude: others })?.end(503);
              expect(pool.get(victim)?.ejected).toBe(true);
            }
            let stayed = 0;
            let movedAmongStaying = 0;
            for (const k of keys) {
              const now = pool.pick(k)?.id;
              expect(now).not.toBe(victim);
              if (before.get(k) === victim) continue;
              stayed++;
              if (now !== before.get(k)) movedAmongStaying++;
            }
            if (how === 'remove') {
              // Membership changed, so the ring is rebuilt. The lightest backend's entry count is
              // minRingSize ÷ n rounded up to a power of two, so that counts stay put as backends
              // come and go: then about 1/n of the others' keys move at most. When n − 1 crosses
              // a power of two (8 → 7: 128 → 256 entries each) every backend's count doubles and
              // about half of everyone's keys move: a known gap, reported, bounded separately.
              const entries = (m: number) => 2 ** Math.ceil(Math.log2(1024 / m));
              const share = movedAmongStaying / Math.max(1, stayed);
              if (entries(n) === entries(n - 1)) {
                worstRemoveShift = Math.max(worstRemoveShift, share);
                expect(share).toBeLessThanOrEqual(1 / n + 0.1);
              } else {
                worstCrossingShift = Math.max(worstCrossingShift, share);
                expect(share).toBeLessThanOrEqual(0.6);
              }
            } else {
              // Drained or ejected: still a member, skipped; nobody else's keys move.
              expect(movedAmongStaying).toBe(0);
            }
            // Bring it back: every key returns to where it was.
            if (how === 'drain') pool.undrain(victim);
            else if (how === 'remove')
              pool.add({ id: victim, url: `http://127.0.0.1:${9000 + (victimIndex % n)}` });
            if (how !== 'eject')
              for (const k of keys) expect(pool.pick(k)?.id, k).toBe(before.get(k));
            void pool.close();
          },
        ),
        { numRuns: scaled(60, 600), seed: 8 },
      );
    });
  }
});
