import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createOpenMetricsRegistry } from '@srekit/core';
import { parseExposition } from '@srekit/core/testing';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ENGINE_DEFAULTS } from '../src/defaults.js';
import { Pool } from '../src/pool/pool.js';
import type { BackendStateChange, Lease, PoolOptions } from '../src/pool/types.js';
import type { BackendConfig } from '../src/types.js';
import { seededRandom } from './support/strategies.js';

/** How long `vi.waitUntil` waits for state that changes on its own (timers, sockets). */
const WAIT = { timeout: 3_000, interval: 10 };

const pools: Pool[] = [];
const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
  await Promise.all(
    servers.splice(0).map(
      (s) =>
        new Promise<void>((resolve) => {
          s.closeAllConnections();
          s.close(() => resolve());
        }),
    ),
  );
});

/** A clock the test moves by hand. */
function manualClock(start = 1_000) {
  let now = start;
  const clock = () => now;
  clock.advance = (ms: number) => {
    now += ms;
  };
  return clock;
}

function members(n: number, weights: number[] = []): BackendConfig[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `b${i}`,
    url: `http://10.0.0.${i}:8080`,
    ...(weights[i] === undefined ? {} : { weight: weights[i] }),
  }));
}

function pool(backends: BackendConfig[], options: PoolOptions = {}): Pool {
  const p = new Pool(backends, { random: seededRandom(7), ...options });
  pools.push(p);
  return p;
}

/** Takes `n` leases and ends each with `outcome` (a status or failure kind). */
function run(
  p: Pool,
  n: number,
  outcome: (lease: Lease, i: number) => number | 'connect-failure' | 'reset',
) {
  const picked: string[] = [];
  for (let i = 0; i < n; i++) {
    const lease = p.acquire();
    if (lease === undefined) {
      picked.push('none');
      continue;
    }
    picked.push(lease.backend.id);
    lease.end(outcome(lease, i));
  }
  return picked;
}

function tally(ids: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const id of ids) counts[id] = (counts[id] ?? 0) + 1;
  return counts;
}

describe('Pool: membership', () => {
  it('round-robins over its backends by default and counts active requests per lease', () => {
    const p = pool(members(3));
    const leases = [p.acquire(), p.acquire(), p.acquire(), p.acquire()];
    expect(leases.map((l) => l?.backend.id)).toEqual(['b0', 'b1', 'b2', 'b0']);
    expect(p.get('b0')?.activeRequests).toBe(2);
    leases[0]?.end(200);
    leases[0]?.end(200); // a second end is ignored
    leases[3]?.cancel();
    expect(p.get('b0')?.activeRequests).toBe(0);
    expect(p.get('b0')?.requests).toBe(1);
  });

  it('adds and removes backends at run time, keeping the state of those that stay', () => {
    const clock = manualClock();
    const p = pool(members(2), { clock });
    run(p, 10, () => 200);
    p.add({ id: 'b9', url: 'http://10.0.0.9:8080' });
    expect(p.stats().total).toBe(3);
    expect(tally(run(p, 30, () => 200))).toEqual({ b0: 10, b1: 10, b9: 10 });
    expect(p.remove('b1')).toBe(true);
    expect(p.remove('b1')).toBe(false);
    expect(new Set(run(p, 10, () => 200))).toEqual(new Set(['b0', 'b9']));
    expect(p.get('b0')?.requests).toBe(5 + 10 + 5);
    expect(p.events().map((e) => e.kind)).toEqual(expect.arrayContaining(['added', 'removed']));
  });

  it('drain() stops new picks and resolves once the requests in flight end; undrain() returns it', async () => {
    const p = pool(members(2));
    const inFlight = [p.acquire(), p.acquire()];
    const drainedB1 = inFlight.find((l) => l?.backend.id === 'b1');
    let drained = false;
    const changes: BackendStateChange[] = [];
    p.onBackendStateChange((c) => changes.push(c));
    const done = p.drain('b1').then(() => {
      drained = true;
    });
    expect(new Set(run(p, 6, () => 200))).toEqual(new Set(['b0']));
    await Promise.resolve();
    expect(drained).toBe(false);
    drainedB1?.end(200);
    await done;
    expect(drained).toBe(true);
    expect(p.get('b1')?.state).toBe('draining');
    expect(changes).toEqual([
      expect.objectContaining({ id: 'b1', from: 'healthy', to: 'draining', reason: 'drain' }),
    ]);
    p.undrain('b1');
    expect(new Set(run(p, 6, () => 200))).toEqual(new Set(['b0', 'b1']));
    expect(() => p.drain('nope')).toThrow(/ERR_SREKIT_ENGINE_UNKNOWN_BACKEND/);
  });

  it('setWeight() changes the share a weighted strategy gives', () => {
    const p = pool(members(2), { strategy: 'weighted-round-robin' });
    expect(tally(run(p, 40, () => 200))).toEqual({ b0: 20, b1: 20 });
    p.setWeight('b1', 3);
    expect(tally(run(p, 40, () => 200))).toEqual({ b0: 10, b1: 30 });
    expect(p.get('b1')).toMatchObject({ weight: 3, effectiveWeight: 3 });
    expect(() => p.setWeight('b1', 0)).toThrow(/ERR_SREKIT_ENGINE_INVALID_OPTION/);
  });

  it('rejects bad backends and options with the option named', () => {
    expect(() => new Pool([{ id: 'a', url: 'ftp://x' }])).toThrow(
      /backend "a" url.*http: or https:/,
    );
    expect(() => new Pool([{ id: '', url: 'http://x' }])).toThrow(/backend\.id/);
    expect(
      () =>
        new Pool([
          { id: 'a', url: 'http://x' },
          { id: 'a', url: 'http://y' },
        ]),
    ).toThrow(/"a" is already in the pool/);
    expect(() => new Pool([{ id: 'a', url: 'http://x', weight: -1 }])).toThrow(/weight/);
    expect(() => new Pool([], { panicThresholdPercent: 120 })).toThrow(/panicThresholdPercent/);
    expect(() => new Pool([], { strategy: 'fastest' as never })).toThrow(
      /ERR_SREKIT_ENGINE_INVALID_OPTION/,
    );
  });

  it('gives nothing once closed', async () => {
    const p = pool(members(2));
    await p.close();
    expect(p.acquire()).toBeUndefined();
    expect(p.pick()).toBeUndefined();
    await expect(p.execute(async () => 1)).rejects.toThrow(/ERR_SREKIT_ENGINE_POOL_CLOSED/);
  });
});

describe('Pool: outlier detection, breakers and panic share one record', () => {
  it('ejects a backend after 5 consecutive 5xx, routes around it and takes it back after the ejection time', () => {
    const clock = manualClock();
    const p = pool(members(10), { clock });
    const changes: BackendStateChange[] = [];
    p.onBackendStateChange((c) => changes.push(c));
    const picks = run(p, 200, (lease) => (lease.backend.id === 'b3' ? 503 : 200));
    expect(tally(picks).b3).toBe(ENGINE_DEFAULTS.outlier.consecutiveGatewayFailure);
    expect(p.get('b3')).toMatchObject({ state: 'ejected', ejected: true, errors: 5 });
    expect(changes[0]).toMatchObject({
      id: 'b3',
      to: 'ejected',
      reason: 'ejected: consecutive-gateway-failure',
    });
    clock.advance(ENGINE_DEFAULTS.outlier.baseEjectionTimeMs - 1);
    expect(run(p, 50, () => 200)).not.toContain('b3');
    clock.advance(1);
    expect(run(p, 50, () => 200)).toContain('b3');
    expect(p.get('b3')?.state).toBe('healthy');
    expect(p.events().map((e) => e.kind)).toEqual(expect.arrayContaining(['ejected', 'unejected']));
  });

  it('skips a backend whose circuit is open even when outlier detection is off', () => {
    const clock = manualClock();
    const p = pool(members(3), {
      clock,
      outlierDetection: false,
      circuitBreaker: { consecutiveFailures: 3, openMs: 5_000 },
    });
    run(p, 30, (lease) => (lease.backend.id === 'b1' ? 'connect-failure' : 200));
    expect(p.get('b1')).toMatchObject({ circuit: 'open', state: 'healthy' });
    expect(run(p, 30, () => 200)).not.toContain('b1');
    clock.advance(5_000);
    expect(p.get('b1')?.circuit).toBe('half-open');
    // One probe is admitted; its success closes the circuit.
    expect(run(p, 30, () => 200)).toContain('b1');
    expect(p.get('b1')?.circuit).toBe('closed');
  });

  it('enters panic below 50 % eligible and routes to every backend, as Envoy does', () => {
    const clock = manualClock();
    const p = pool(members(4), {
      clock,
      outlierDetection: { maxEjectionPercent: 100 },
      circuitBreaker: false,
    });
    run(p, 100, (lease) => (lease.backend.id === 'b0' ? 502 : 200));
    expect(p.stats()).toMatchObject({ eligible: 3, panic: false });
    expect(run(p, 30, () => 200)).not.toContain('b0');
    run(p, 100, (lease) => (lease.backend.id === 'b1' || lease.backend.id === 'b0' ? 502 : 200));
    run(p, 100, (lease) => (lease.backend.id === 'b2' ? 502 : 200));
    const stats = p.stats();
    expect(stats.eligible).toBe(1);
    expect(stats.panic).toBe(true);
    expect(new Set(run(p, 40, () => 200))).toEqual(new Set(['b0', 'b1', 'b2', 'b3']));
    expect(p.events().some((e) => e.kind === 'panic')).toBe(true);
  });

  it('acquire() honours exclude and falls back to another admissible backend', () => {
    const p = pool(members(3), { strategy: 'ring-hash' });
    const first = p.acquire({ key: 'session-1' });
    expect(first).toBeDefined();
    first?.end(200);
    const again = p.acquire({ key: 'session-1' });
    expect(again?.backend.id).toBe(first?.backend.id);
    again?.end(200);
    const other = p.acquire({ key: 'session-1', exclude: new Set([first?.backend.id ?? '']) });
    expect(other?.backend.id).not.toBe(first?.backend.id);
    other?.end(200);
    expect(p.acquire({ exclude: new Set(['b0', 'b1', 'b2']) })).toBeUndefined();
  });
});

describe('Pool: sticky keys through consistent hashing', () => {
  for (const strategy of ['ring-hash', 'maglev'] as const) {
    it(`${strategy}: keys stay on their backend, fall over when it is drained, and come back`, async () => {
      const p = pool(members(4), { strategy });
      const keys = Array.from({ length: 200 }, (_, i) => `user-${i}`);
      const home = new Map(keys.map((k) => [k, p.pick(k)?.id]));
      for (const k of keys) expect(p.pick(k)?.id).toBe(home.get(k));
      await p.drain('b2');
      let stayed = 0;
      let others = 0;
      for (const k of keys) {
        const now = p.pick(k)?.id;
        expect(now).not.toBe('b2');
        if (home.get(k) === 'b2') continue;
        others++;
        if (now === home.get(k)) stayed++;
      }
      // Only b2's keys move: the ring keeps every member and skips the ineligible one.
      expect(stayed).toBe(others);
      p.undrain('b2');
      for (const k of keys) expect(p.pick(k)?.id).toBe(home.get(k));
    });

    it(`${strategy}: a pinned backend that is ejected hands its keys over and gets them back`, () => {
      const clock = manualClock();
      const p = pool(members(5), { strategy, clock, outlierDetection: { maxEjectionPercent: 50 } });
      const keys = Array.from({ length: 100 }, (_, i) => `cart-${i}`);
      const home = new Map(keys.map((k) => [k, p.pick(k)?.id]));
      const victim = home.get('cart-0') ?? '';
      for (let i = 0; i < 5; i++) p.acquire({ key: 'cart-0' })?.end(503);
      expect(p.get(victim)?.state).toBe('ejected');
      const fallover = p.acquire({ key: 'cart-0' });
      expect(fallover?.backend.id).not.toBe(victim);
      fallover?.end(200);
      for (const k of keys) {
        if (home.get(k) !== victim) expect(p.pick(k)?.id).toBe(home.get(k));
      }
      clock.advance(ENGINE_DEFAULTS.outlier.baseEjectionTimeMs);
      expect(p.acquire({ key: 'cart-0' })?.backend.id).toBe(victim);
    });
  }
});

describe('Pool: slow start', () => {
  it("ramps an added backend's weight with Envoy's formula over the window", () => {
    const clock = manualClock();
    const p = pool(members(1), {
      clock,
      strategy: 'weighted-round-robin',
      slowStart: { windowMs: 10_000 },
    });
    p.add({ id: 'new', url: 'http://10.0.0.99:8080', weight: 1 });
    expect(p.get('new')?.effectiveWeight).toBeCloseTo(0.1, 5); // the 10 % floor
    expect(p.get('b0')?.effectiveWeight).toBe(1); // initial members start at full weight
    clock.advance(5_000);
    p.setWeight('b0', 1); // any update recomputes (the timer does it in real time)
    p.add({ id: 'other', url: 'http://10.0.0.98:8080' });
    expect(p.get('new')?.effectiveWeight).toBeCloseTo(0.5, 5);
    clock.advance(5_000);
    p.remove('other');
    expect(p.get('new')?.effectiveWeight).toBe(1);
  });
});

describe('Pool: execute()', () => {
  it('retries an idempotent call on another backend and returns its result', async () => {
    const p = pool(members(3), { retry: { backoff: { baseMs: 1, maxMs: 2 } } });
    const seen: string[] = [];
    const result = await p.execute(async (backend) => {
      seen.push(backend.id);
      if (seen.length < 3) throw Object.assign(new Error('refused'), { code: 'ECONNREFUSED' });
      return backend.id;
    });
    expect(new Set(seen).size).toBe(3);
    expect(result).toBe(seen[2]);
    expect(p.get(seen[0] ?? '')?.errors).toBe(1);
  });

  it('does not retry a POST unless asked, and retries a retryable status when the result carries one', async () => {
    const p = pool(members(3), { retry: { backoff: { baseMs: 1, maxMs: 2 } } });
    let calls = 0;
    await expect(
      p.execute(
        async () => {
          calls++;
          throw Object.assign(new Error('reset'), { code: 'ECONNRESET' });
        },
        { method: 'POST' },
      ),
    ).rejects.toThrow('reset');
    expect(calls).toBe(1);
    const statuses = [503, 503, 200];
    const answer = await p.execute(async () => ({ status: statuses.shift() ?? 500 }), {
      outcomeOf: (r) => r.status,
    });
    expect(answer.status).toBe(200);
    const last = await p.execute(async () => ({ status: 503 }), {
      outcomeOf: (r) => r.status,
      maxRetries: 1,
    });
    expect(last.status).toBe(503);
  });

  it('counts a per-try timeout against the backend and an abort by the caller not at all', async () => {
    const p = pool(members(1), { retry: { maxRetries: 0 } });
    await expect(
      p.execute(
        (_b, { signal }) =>
          new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
        {
          perTryTimeoutMs: 20,
        },
      ),
    ).rejects.toThrow(/ERR_SREKIT_ENGINE_TIMEOUT/);
    expect(p.get('b0')).toMatchObject({ requests: 1, errors: 1, activeRequests: 0 });
    const controller = new AbortController();
    const call = p.execute(
      (_b, { signal }) =>
        new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
      {
        signal: controller.signal,
      },
    );
    controller.abort(new Error('caller left'));
    await expect(call).rejects.toThrow('caller left');
    expect(p.get('b0')).toMatchObject({ requests: 1, activeRequests: 0 });
  });

  it('hedges a slow try on another backend: the first answer wins, the loser is cancelled without blame', async () => {
    const registry = new Registry();
    const p = pool(members(2), { registry, name: 'hedged' });
    const started: string[] = [];
    const result = await p.execute(
      (backend, { signal }) =>
        new Promise<string>((resolve, reject) => {
          started.push(backend.id);
          // The first backend tried hangs until cancelled; the hedge answers at once.
          if (started.length === 1) signal.addEventListener('abort', () => reject(signal.reason));
          else resolve(backend.id);
        }),
      { hedge: { delayMs: 20 } },
    );
    expect(started).toHaveLength(2);
    expect(new Set(started).size).toBe(2);
    expect(result).toBe(started[1]);
    const loser = p.get(started[0] ?? '');
    expect(loser).toMatchObject({ activeRequests: 0, requests: 0, errors: 0 });
    expect(p.get(started[1] ?? '')).toMatchObject({ activeRequests: 0, requests: 1 });
    const retries = parseExposition(await registry.metrics()).families.get(
      'loadbalancer_retries_total',
    );
    expect(retries?.samples[0]?.value).toBe(1);
  });

  it('refuses to hedge a non-idempotent call unless told it is safe', async () => {
    const p = pool(members(2));
    await expect(
      p.execute(async () => 1, { method: 'POST', hedge: { delayMs: 5 } }),
    ).rejects.toThrow(/hedge.*POST is not idempotent/);
    await expect(
      p.execute(async () => 1, { method: 'POST', hedge: { delayMs: 5 }, retryNonIdempotent: true }),
    ).resolves.toBe(1);
  });

  it('bounds a hedged call by its deadline, counting the hung tries as timeouts', async () => {
    const p = pool(members(2));
    const hang = (_b: unknown, { signal }: { signal: AbortSignal }) =>
      new Promise<never>((_, reject) =>
        signal.addEventListener('abort', () => reject(signal.reason)),
      );
    await expect(p.execute(hang, { hedge: { delayMs: 10 }, deadlineMs: 60 })).rejects.toThrow(
      /ERR_SREKIT_ENGINE_TIMEOUT/,
    );
    const stats = p.stats().backends;
    expect(stats.map((b) => b.activeRequests)).toEqual([0, 0]);
    expect(stats.reduce((n, b) => n + b.errors, 0)).toBe(2);
  });

  it('throws NO_HEALTHY_BACKEND when nothing can take the call', async () => {
    const p = pool([]);
    await expect(p.execute(async () => 1)).rejects.toThrow(/ERR_SREKIT_ENGINE_NO_HEALTHY_BACKEND/);
  });
});

describe('Pool: active health checks against real servers', () => {
  async function server(status: { value: number }): Promise<string> {
    const s = http.createServer((_req, res) => {
      res.statusCode = status.value;
      res.end();
    });
    servers.push(s);
    s.listen(0, '127.0.0.1');
    await once(s, 'listening');
    return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  }

  it('takes an unhealthy backend out after `fall` failed checks and back after `rise` passes', async () => {
    const statusA = { value: 200 };
    const statusB = { value: 200 };
    const registry = new Registry();
    const p = pool(
      [
        { id: 'a', url: await server(statusA) },
        { id: 'b', url: await server(statusB) },
      ],
      {
        healthCheck: {
          intervalMs: 30,
          jitterPercent: 0,
          timeoutMs: 200,
          unhealthyThreshold: 2,
          healthyThreshold: 2,
        },
        registry,
        name: 'orders',
      },
    );
    const changes: BackendStateChange[] = [];
    p.onBackendStateChange((c) => changes.push(c));
    await vi.waitUntil(() => p.get('b')?.health === 'healthy', WAIT);
    statusB.value = 503;
    await vi.waitUntil(() => p.get('b')?.state === 'unhealthy', WAIT);
    expect(changes[0]).toMatchObject({ pool: 'orders', id: 'b', from: 'healthy', to: 'unhealthy' });
    expect(changes[0]?.reason).toMatch(/^health: .*503/);
    // Panic threshold is 50 %: one of two eligible is not below it.
    expect(new Set(run(p, 10, () => 200))).toEqual(new Set(['a']));
    const exposition = parseExposition(await registry.metrics());
    const up = exposition.families.get('loadbalancer_backend_up')?.samples ?? [];
    expect(up).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ labels: { pool: 'orders', backend: 'a' }, value: 1 }),
        expect.objectContaining({ labels: { pool: 'orders', backend: 'b' }, value: 0 }),
      ]),
    );
    const failures =
      exposition.families.get('loadbalancer_healthcheck_failures_total')?.samples ?? [];
    expect(failures.find((s) => s.labels.backend === 'b')?.value).toBeGreaterThanOrEqual(2);
    statusB.value = 200;
    await vi.waitUntil(() => p.get('b')?.state === 'healthy', WAIT);
    expect(new Set(run(p, 10, () => 200))).toEqual(new Set(['a', 'b']));
  });
});

describe('Pool: health checks end ejections (Envoy successful_active_health_check_uneject_host)', () => {
  async function okServer(): Promise<string> {
    const s = http.createServer((_req, res) => res.end('ok'));
    servers.push(s);
    s.listen(0, '127.0.0.1');
    await once(s, 'listening');
    return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  }

  for (const uneject of [true, false]) {
    it(`a passing check ${uneject ? 'ends' : 'does not end'} an ejection when unejectOnHealthCheckPass is ${uneject}`, async () => {
      const p = pool(
        [
          { id: 'a', url: await okServer() },
          { id: 'b', url: await okServer() },
        ],
        {
          healthCheck: { intervalMs: 25, jitterPercent: 0 },
          outlierDetection: { maxEjectionPercent: 50 },
          unejectOnHealthCheckPass: uneject,
        },
      );
      for (let i = 0; i < 20 && p.get('a')?.state !== 'ejected'; i++) {
        const lease = p.acquire();
        lease?.end(lease.backend.id === 'a' ? 502 : 200);
      }
      expect(p.get('a')?.state).toBe('ejected');
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(p.get('a')?.state).toBe(uneject ? 'healthy' : 'ejected');
    });
  }
});

describe('Pool: metrics', () => {
  it('counts requests by outcome, observes durations, counts ejections and retries, and drops a removed backend', async () => {
    const registry = new Registry();
    const clock = manualClock();
    const p = pool(members(2), { clock, registry, name: 'api' });
    for (let i = 0; i < 10; i++) {
      const lease = p.acquire({ attempt: i === 0 ? 0 : 1 });
      clock.advance(4);
      lease?.end(lease.backend.id === 'b1' ? 502 : 200);
    }
    const text = await registry.metrics();
    const families = parseExposition(text).families;
    const requests = families.get('loadbalancer_requests_total')?.samples ?? [];
    expect(requests).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          labels: { pool: 'api', backend: 'b0', outcome: 'success' },
          value: 5,
        }),
        expect.objectContaining({
          labels: { pool: 'api', backend: 'b1', outcome: 'server_error' },
          value: 5,
        }),
      ]),
    );
    expect(families.get('loadbalancer_ejections_total')?.samples).toEqual([
      expect.objectContaining({
        labels: { pool: 'api', backend: 'b1', reason: 'consecutive-gateway-failure' },
        value: 1,
      }),
    ]);
    expect(families.get('loadbalancer_retries_total')?.samples).toEqual([
      expect.objectContaining({ labels: { pool: 'api' }, value: 9 }),
    ]);
    const sum = families
      .get('loadbalancer_request_duration_seconds')
      ?.samples.find((s) => s.name.endsWith('_sum') && s.labels.backend === 'b0');
    expect(sum?.value).toBeCloseTo(0.02, 6);
    const circuit = families.get('loadbalancer_circuit_state')?.samples ?? [];
    expect(circuit).toContainEqual(
      expect.objectContaining({
        labels: { pool: 'api', backend: 'b0', state: 'closed' },
        value: 1,
      }),
    );
    p.remove('b1');
    const after = await registry.metrics();
    expect(after).not.toMatch(/backend="b1"/);
    expect(p.stats().backends[0]?.latency).toMatchObject({ count: 5 });
  });

  it('reads well in the OpenMetrics format too (what core serves to Prometheus)', async () => {
    const registry = createOpenMetricsRegistry();
    const p = pool(members(1), { registry, name: 'om' });
    p.acquire()?.end(200);
    const parsed = parseExposition(await registry.metrics());
    expect(parsed.eof).toBe(true);
    expect(parsed.samples).toContainEqual(
      expect.objectContaining({
        name: 'loadbalancer_requests_total',
        labels: { pool: 'om', backend: 'b0', outcome: 'success' },
        value: 1,
      }),
    );
    expect(parsed.samples).toContainEqual(
      expect.objectContaining({
        name: 'loadbalancer_request_duration_seconds_count',
        labels: { pool: 'om', backend: 'b0' },
        value: 1,
      }),
    );
  });

  it('two pools on one registry share the metrics under their own pool label', async () => {
    const registry = new Registry();
    pool(members(1), { registry, name: 'one' });
    pool(members(1), { registry, name: 'two' });
    const up = parseExposition(await registry.metrics()).families.get('loadbalancer_backend_up');
    expect(up?.samples.map((s) => s.labels.pool).sort()).toEqual(['one', 'two']);
  });
});
