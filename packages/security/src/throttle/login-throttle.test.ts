import { listen, startRedisServer, type TestRedis } from '@srekit/core/testing';
import express from 'express';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBinary } from '../../../../tests/support/system-deps.js';
import { RecordingAudit, RecordingLogger } from '../../test/support/auth-recorders.js';
import { securityMetrics } from '../metrics.js';
import { LoginThrottle, type LoginThrottleOptions } from './login-throttle.js';
import { RedisThrottleStore } from './redis-throttle-store.js';
import { MemoryThrottleStore, type ThrottleStore } from './throttle-store.js';

const ATTACKER = '203.0.113.7';
const VICTIM_IP = '198.51.100.20';

class Clock {
  ms = Date.now();
  readonly now = () => this.ms;
  advance(seconds: number): void {
    this.ms += seconds * 1000;
  }
}

async function attempts(registry: Registry, outcome: string): Promise<number> {
  const metric = await securityMetrics(registry).authAttempts.get();
  return (
    metric.values.find((v) => v.labels.method === 'password' && v.labels.outcome === outcome)
      ?.value ?? 0
  );
}

const bin = requireBinary('redis-server');
let redis: TestRedis | undefined;
const clients: Redis[] = [];
let prefixes = 0;

function redisClient(): Redis {
  const client = new Redis((redis as TestRedis).url, { maxRetriesPerRequest: 1 });
  client.on('error', () => {});
  clients.push(client);
  return client;
}

beforeAll(async () => {
  if (bin) redis = await startRedisServer({ bin });
});
afterAll(async () => {
  for (const client of clients) client.disconnect();
  await redis?.stop();
});

const stores: [string, () => ThrottleStore][] = [['memory', () => new MemoryThrottleStore()]];
if (bin)
  stores.push([
    'redis',
    () => new RedisThrottleStore(redisClient(), { prefix: `t${++prefixes}:` }),
  ]);

describe.each(stores)('LoginThrottle with the %s store', (_name, makeStore) => {
  const setup = (options: LoginThrottleOptions = {}) => {
    const clock = new Clock();
    const registry = new Registry();
    const audit = new RecordingAudit();
    const logger = new RecordingLogger();
    const throttle = new LoginThrottle({
      store: makeStore(),
      now: clock.now,
      registry,
      audit,
      logger,
      ...options,
    });
    return { clock, registry, audit, logger, throttle };
  };

  it('backs off exponentially after the free failures', async () => {
    const { throttle, clock } = setup();
    const attempt = { account: 'alice', ip: ATTACKER };
    for (let i = 0; i < 2; i++) expect((await throttle.recordFailure(attempt)).allowed).toBe(true);
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      const decision = await throttle.recordFailure(attempt);
      expect(decision).toMatchObject({ allowed: false, reason: 'backoff' });
      expect(await throttle.check(attempt)).toEqual(decision);
      delays.push(decision.retryAfterSeconds);
      clock.advance(decision.retryAfterSeconds - 0.5);
      expect((await throttle.check(attempt)).allowed).toBe(false);
      clock.advance(0.5);
      expect((await throttle.check(attempt)).allowed).toBe(true);
    }
    expect(delays).toEqual([1, 2, 4, 8, 16]);
  });

  it('locks the pair after pairLockAfter failures; counts, audits and logs the lockout', async () => {
    const { throttle, registry, audit, logger } = setup();
    const attempt = { account: 'alice', ip: ATTACKER };
    let last = await throttle.recordFailure(attempt);
    for (let i = 1; i < 10; i++) last = await throttle.recordFailure(attempt);
    expect(last).toEqual({ allowed: false, reason: 'locked', retryAfterSeconds: 900 });
    expect(await throttle.check(attempt)).toMatchObject({ allowed: false, reason: 'locked' });
    expect((await securityMetrics(registry).lockouts.get()).values[0]?.value).toBe(1);
    expect(await attempts(registry, 'failure')).toBe(10);
    expect(await attempts(registry, 'throttled')).toBe(1);
    expect(audit.names().filter((n) => n === 'login.failure')).toHaveLength(10);
    expect(audit.events.find((e) => e.event === 'lockout')).toMatchObject({
      outcome: 'blocked',
      actor: 'alice',
      ip: ATTACKER,
      details: { scope: 'pair', failures: 10 },
    });
    expect(audit.events.at(-1)).toMatchObject({
      event: 'login.locked',
      details: { reason: 'locked' },
    });
    expect(logger.lines.find((l) => l.message === 'login lockout')).toBeDefined();
  });

  it('a single-source attacker cannot lock the victim out: the victim logs in from another address', async () => {
    const { throttle, clock } = setup();
    for (let i = 0; i < 200; i++) {
      await throttle.recordFailure({ account: 'Alice', ip: ATTACKER });
      clock.advance(1);
    }
    expect(await throttle.check({ account: 'alice', ip: ATTACKER })).toMatchObject({
      allowed: false,
    });
    expect(await throttle.check({ account: 'bob', ip: ATTACKER })).toMatchObject({
      allowed: false,
      reason: 'ip_locked',
    });
    expect(await throttle.check({ account: 'alice', ip: VICTIM_IP })).toEqual({
      allowed: true,
      retryAfterSeconds: 0,
    });
  });

  it('locks the account only when failures come from several sources; unlock() lifts it', async () => {
    const { throttle, audit } = setup();
    for (let i = 0; i < 20; i++)
      await throttle.recordFailure({ account: 'carol', ip: `192.0.2.${(i % 5) + 1}` });
    expect(await throttle.check({ account: 'carol', ip: VICTIM_IP })).toMatchObject({
      allowed: false,
      reason: 'account_locked',
    });
    expect(audit.events.find((e) => e.event === 'lockout')?.details).toMatchObject({
      scope: 'account',
      sources: 5,
    });
    await throttle.unlock('CAROL');
    expect((await throttle.check({ account: 'carol', ip: VICTIM_IP })).allowed).toBe(true);

    const { throttle: other } = setup();
    for (let i = 0; i < 40; i++)
      await other.recordFailure({ account: 'dave', ip: `192.0.2.${(i % 4) + 1}` });
    expect((await other.check({ account: 'dave', ip: VICTIM_IP })).allowed).toBe(true);
  });

  it('success resets the account and the pair, but not the source counter', async () => {
    const { throttle, registry, clock } = setup();
    for (let i = 0; i < 4; i++) await throttle.recordFailure({ account: 'erin', ip: ATTACKER });
    clock.advance(10);
    await throttle.recordSuccess({ account: 'erin', ip: ATTACKER });
    expect(await attempts(registry, 'success')).toBe(1);
    for (let i = 0; i < 2; i++) await throttle.recordFailure({ account: 'erin', ip: ATTACKER });
    expect((await throttle.check({ account: 'erin', ip: ATTACKER })).allowed).toBe(true);

    // 10 failures from one source over many accounts: the source backs off even after a success.
    for (let i = 0; i < 10; i++)
      await throttle.recordFailure({ account: `user${i}`, ip: '192.0.2.99' });
    await throttle.recordSuccess({ account: 'mallory', ip: '192.0.2.99' });
    expect(await throttle.check({ account: 'mallory', ip: '192.0.2.99' })).toMatchObject({
      reason: 'backoff',
    });
  });

  it('groups IPv6 addresses of one /56 as one source', async () => {
    const { throttle } = setup();
    for (let i = 0; i < 10; i++)
      await throttle.recordFailure({ account: 'frank', ip: `2001:db8:0:${i.toString(16)}::1` });
    expect(await throttle.check({ account: 'frank', ip: '2001:db8:0:ff::2' })).toMatchObject({
      reason: 'locked',
    });
    expect((await throttle.check({ account: 'frank', ip: '2001:db8:1::1' })).allowed).toBe(true);
  });

  it('forgets failures once the window passes without one', async () => {
    const { throttle, clock } = setup({ windowSeconds: 60 });
    for (let i = 0; i < 5; i++) await throttle.recordFailure({ account: 'gina', ip: ATTACKER });
    clock.advance(61);
    for (let i = 0; i < 2; i++) await throttle.recordFailure({ account: 'gina', ip: ATTACKER });
    expect((await throttle.check({ account: 'gina', ip: ATTACKER })).allowed).toBe(true);
  });
});

describe('LoginThrottle store failures', () => {
  const broken = (): ThrottleStore => {
    const store = new MemoryThrottleStore();
    const fail = () => Promise.reject(new Error('connection refused'));
    store.read = fail;
    store.recordFailure = fail;
    return store;
  };

  it('fails closed by default: refuses, logs the code and counts', async () => {
    const registry = new Registry();
    const logger = new RecordingLogger();
    const throttle = new LoginThrottle({ store: broken(), registry, logger });
    expect(await throttle.check({ account: 'a', ip: ATTACKER })).toEqual({
      allowed: false,
      retryAfterSeconds: 5,
      reason: 'store_unavailable',
    });
    expect((await throttle.recordFailure({ account: 'a', ip: ATTACKER })).allowed).toBe(false);
    expect(logger.lines[0]?.object).toMatchObject({
      code: 'ERR_SREKIT_SECURITY_STORE_UNAVAILABLE',
      decision: 'fail_closed',
    });
    const errors = await securityMetrics(registry).storeErrors.get();
    expect(errors.values[0]).toMatchObject({
      value: 2,
      labels: { component: 'login_throttle', decision: 'fail_closed' },
    });
  });

  it('fails open when configured', async () => {
    const throttle = new LoginThrottle({ store: broken(), failOpen: true });
    expect(await throttle.check({ account: 'a', ip: ATTACKER })).toEqual({
      allowed: true,
      retryAfterSeconds: 0,
    });
  });

  it('refuses settings that would let one source lock an account', () => {
    expect(() => new LoginThrottle({ accountLockMinSources: 1 })).toThrow(/accountLockMinSources/);
    expect(() => new LoginThrottle({ pairLockAfter: 3 })).toThrow(/pairLockAfter/);
    expect(() => new LoginThrottle({ windowSeconds: 0 })).toThrow(/windowSeconds/);
  });
});

describe('LoginThrottle.middleware', () => {
  it('answers 429 problem+json with Retry-After once throttled', async () => {
    const throttle = new LoginThrottle();
    const app = express();
    app.use(express.urlencoded({ extended: false }));
    const guard = throttle.middleware();
    app.post(
      '/login',
      (req, res, next) => guard(req, res, next),
      async (req, res) => {
        await throttle.recordFailure({ account: String(req.body?.username), ip: req.ip });
        res.status(401).send('invalid');
      },
    );
    const server = await listen(app);
    try {
      const post = () =>
        fetch(`${server.url}/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: 'username=alice&password=nope',
        });
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await post()).status);
      expect(statuses).toEqual([401, 401, 401, 429]);
      const res = await post();
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('1');
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      const body = (await res.json()) as Record<string, unknown>;
      expect(body).toMatchObject({ status: 429, title: 'Too Many Requests', retry_after: 1 });
      expect(JSON.stringify(body)).not.toContain('nope');
    } finally {
      await server.close();
    }
  });
});

describe('LoginThrottle.middleware when the store fails', () => {
  it('answers 503 problem+json with Retry-After (fail closed) and never reaches the route', async () => {
    const store = new MemoryThrottleStore();
    store.read = () => Promise.reject(new Error('connection refused'));
    const throttle = new LoginThrottle({ store });
    const app = express();
    let reached = 0;
    app.use(express.urlencoded({ extended: false }));
    const guard = throttle.middleware();
    app.post(
      '/login',
      (req, res, next) => guard(req, res, next),
      (_req, res) => {
        reached++;
        res.send('ok');
      },
    );
    const server = await listen(app);
    try {
      const res = await fetch(`${server.url}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'username=alice&password=x',
      });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(reached).toBe(0);
    } finally {
      await server.close();
    }
  });
});

describe.skipIf(!bin)('LoginThrottle on one Redis shared by two instances', () => {
  it('counts failures from both instances together', async () => {
    const clock = new Clock();
    const prefix = `shared${++prefixes}:`;
    const one = new LoginThrottle({
      store: new RedisThrottleStore(redisClient(), { prefix }),
      now: clock.now,
    });
    const two = new LoginThrottle({
      store: new RedisThrottleStore(redisClient(), { prefix }),
      now: clock.now,
    });
    const attempt = { account: 'alice', ip: ATTACKER };
    await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? one : two).recordFailure(attempt)),
    );
    expect(await one.check(attempt)).toMatchObject({ allowed: false, reason: 'locked' });
    expect(await two.check(attempt)).toMatchObject({ allowed: false, reason: 'locked' });
    expect((await two.check({ account: 'alice', ip: VICTIM_IP })).allowed).toBe(true);
  });

  it('a lock set concurrently by both instances is counted once', async () => {
    const clock = new Clock();
    const prefix = `race${++prefixes}:`;
    const registry = new Registry();
    const make = () =>
      new LoginThrottle({
        store: new RedisThrottleStore(redisClient(), { prefix }),
        now: clock.now,
        registry,
      });
    const [one, two] = [make(), make()];
    const attempt = { account: 'bob', ip: ATTACKER };
    for (let i = 0; i < 9; i++) await one.recordFailure(attempt);
    await Promise.all([one.recordFailure(attempt), two.recordFailure(attempt)]);
    expect((await securityMetrics(registry).lockouts.get()).values[0]?.value).toBe(1);
  });

  it('fails closed within the timeout when Redis is killed, and recovers after a restart', async () => {
    const server = redis as TestRedis;
    const logger = new RecordingLogger();
    const throttle = new LoginThrottle({
      store: new RedisThrottleStore(redisClient(), {
        prefix: `kill${++prefixes}:`,
        timeoutMs: 300,
      }),
      logger,
    });
    await server.kill();
    const started = Date.now();
    expect(await throttle.check({ account: 'a', ip: ATTACKER })).toMatchObject({
      reason: 'store_unavailable',
    });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(logger.lines).toHaveLength(1);
    await server.restart();
    await expect
      .poll(async () => (await throttle.check({ account: 'a', ip: ATTACKER })).allowed, {
        timeout: 5_000,
      })
      .toBe(true);
  });
});
