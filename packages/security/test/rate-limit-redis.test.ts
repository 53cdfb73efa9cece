import { listen, startRedisServer, type TestRedis, type TestServer } from '@srekit/core/testing';
import express from 'express';
import { Redis, type RedisOptions } from 'ioredis';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { requireBinary } from '../../../tests/support/system-deps.js';
import { SECURITY_ERROR_CODES } from '../src/errors.js';
import { METRICS } from '../src/metrics.js';
import { type RateLimitOptions, rateLimit } from '../src/rate-limit/rate-limit.js';
import { RecordingAudit, RecordingLogger } from './support/auth-recorders.js';

const bin = requireBinary('redis-server');

let redis: TestRedis;
let clients: Redis[] = [];
let servers: TestServer[] = [];

function client(options: RedisOptions = {}): Redis {
  const c = new Redis(redis.url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    retryStrategy: () => 50,
    ...options,
  });
  // ioredis reports connection errors as events; the limiter reports them per request.
  c.on('error', () => undefined);
  clients.push(c);
  return c;
}

async function ready(c: Redis): Promise<void> {
  if (c.status === 'ready') return;
  await new Promise<void>((resolve) => c.once('ready', () => resolve()));
}

async function serve(app: express.Express): Promise<string> {
  const server = await listen(app);
  servers.push(server);
  return server.url;
}

function appWith(...limiters: [string, ReturnType<typeof rateLimit>][]): express.Express {
  const app = express();
  for (const [path, limiter] of limiters) {
    app.post(path, limiter, (_req, res) => {
      res.send('ok');
    });
  }
  return app;
}

async function post(
  url: string,
): Promise<{ status: number; ms: number; body: string; headers: Headers }> {
  const started = performance.now();
  const r = await fetch(url, { method: 'POST' });
  const body = await r.text();
  return { status: r.status, ms: performance.now() - started, body, headers: r.headers };
}

async function counterValue(registry: Registry, labels: Record<string, string>): Promise<number> {
  const values = (await registry.getSingleMetric(METRICS.storeErrors.name)?.get())?.values ?? [];
  return values
    .filter((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val))
    .reduce((sum, v) => sum + v.value, 0);
}

async function eventually(check: () => Promise<boolean>, timeoutMs = 8_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}

describe.skipIf(!bin)('rateLimit with a real Redis', () => {
  beforeAll(async () => {
    redis = await startRedisServer({ bin });
  });
  afterAll(async () => {
    await redis?.stop();
  });
  afterEach(async () => {
    await Promise.all(servers.map((s) => s.close()));
    servers = [];
    for (const c of clients) c.disconnect();
    clients = [];
    const admin = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    admin.on('error', () => undefined);
    await admin.flushall().catch(() => undefined);
    admin.disconnect();
  });

  it('two express instances on one Redis admit exactly the limit of N parallel requests', async () => {
    const a = client();
    const b = client();
    await Promise.all([ready(a), ready(b)]);
    const urlA = await serve(appWith(['/login', rateLimit('login', { redis: a })]));
    const urlB = await serve(appWith(['/login', rateLimit('login', { redis: b })]));
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => post(`${i % 2 ? urlA : urlB}/login`)),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(35);
    const keys = await a.keys('*');
    expect(keys).toEqual(['srekit:rl:login:127.0.0.1']);
    const refused = results.find((r) => r.status === 429);
    expect(refused?.headers.get('ratelimit-policy')).toMatch(/^"login"; q=5; w=60;/);
  });

  it('each limiter has its own prefix: layers and policies never share a counter', async () => {
    const c = client();
    await ready(c);
    const url = await serve(
      appWith(
        ['/global', rateLimit('global', { redis: c })],
        ['/api', rateLimit('api', { redis: c })],
      ),
    );
    await post(`${url}/global`);
    await post(`${url}/api`);
    expect((await c.keys('*')).sort()).toEqual([
      'srekit:rl:api:127.0.0.1',
      'srekit:rl:global-1d:127.0.0.1',
      'srekit:rl:global-1h:127.0.0.1',
    ]);
  });

  describe('Redis killed mid-test', () => {
    async function outageApp(extra: RateLimitOptions = {}) {
      const logger = new RecordingLogger();
      const audit = new RecordingAudit();
      const registry = new Registry();
      const c = client();
      await ready(c);
      const common = { redis: c, logger, audit, registry, storeTimeoutMs: 300, ...extra };
      const url = await serve(
        appWith(['/login', rateLimit('login', common)], ['/api', rateLimit('api', common)]),
      );
      return { url, logger, audit, registry };
    }

    it('login fails closed (503), api fails open, each logged, counted and audited; recovery after restart', async () => {
      const { url, logger, audit, registry } = await outageApp();
      expect((await post(`${url}/login`)).status).toBe(200);
      expect((await post(`${url}/api`)).status).toBe(200);

      await redis.kill();
      const closed = await post(`${url}/login`);
      expect(closed.status).toBe(503);
      expect(closed.headers.get('retry-after')).toBe('5');
      expect(closed.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
      expect(JSON.parse(closed.body)).toMatchObject({
        status: 503,
        title: 'Service Unavailable',
        policy: 'login',
      });
      expect(closed.body).not.toMatch(/ECONNREFUSED|Stream|127\.0\.0\.1/);
      const open = await post(`${url}/api`);
      expect(open.status).toBe(200);
      expect(open.body).toBe('ok');
      // A second request per policy is counted but not logged again (one line per 10 s).
      await post(`${url}/login`);
      await post(`${url}/api`);

      const errors = logger.lines.filter((l) => l.level === 'error');
      expect(errors.map((l) => l.object)).toEqual([
        expect.objectContaining({
          code: SECURITY_ERROR_CODES.STORE_UNAVAILABLE,
          policy: 'login',
          decision: 'fail_closed',
        }),
        expect.objectContaining({
          code: SECURITY_ERROR_CODES.STORE_UNAVAILABLE,
          policy: 'api',
          decision: 'fail_open',
        }),
      ]);
      expect(
        await counterValue(registry, { component: 'rate_limit', decision: 'fail_closed' }),
      ).toBe(2);
      expect(await counterValue(registry, { component: 'rate_limit', decision: 'fail_open' })).toBe(
        2,
      );
      expect(audit.events.map((e) => [e.event, e.outcome, e.details?.decision])).toEqual([
        ['rate_limit.store_error', 'blocked', 'fail_closed'],
        ['rate_limit.store_error', 'failure', 'fail_open'],
      ]);

      await redis.restart();
      await eventually(async () => (await post(`${url}/login`)).status === 200);
      expect(logger.lines.some((l) => l.level === 'info' && /answers again/.test(l.message))).toBe(
        true,
      );
      // Counting works again: the fresh Redis starts from zero and refuses the 6th.
      const codes: number[] = [];
      for (let i = 0; i < 6; i++) codes.push((await post(`${url}/login`)).status);
      expect(codes.filter((s) => s === 429).length).toBeGreaterThan(0);
    });

    it('failOpen overrides the preset: login can fail open', async () => {
      const { url } = await outageApp({ failOpen: true });
      await redis.kill();
      expect((await post(`${url}/login`)).status).toBe(200);
      await redis.restart();
    });

    it('never hangs: with the offline queue on, the answer comes within storeTimeoutMs', async () => {
      const { url } = await outageApp({
        redis: client({ enableOfflineQueue: true, maxRetriesPerRequest: null }),
      });
      await redis.kill();
      const [closed, open] = await Promise.all([post(`${url}/login`), post(`${url}/api`)]);
      expect(closed.status).toBe(503);
      expect(open.status).toBe(200);
      expect(Math.max(closed.ms, open.ms)).toBeLessThan(1_500);
      await redis.restart();
    });
  });

  it('Redis down when the limiter is created: fail decision, then it heals once Redis is up', async () => {
    const logger = new RecordingLogger();
    await redis.kill();
    const c = client();
    const url = await serve(
      appWith(['/login', rateLimit('login', { redis: c, logger, storeTimeoutMs: 300 })]),
    );
    await eventually(async () => logger.lines.length > 0, 2_000);
    expect(logger.lines[0]).toMatchObject({
      level: 'warn',
      object: { code: SECURITY_ERROR_CODES.STORE_UNAVAILABLE },
    });
    expect((await post(`${url}/login`)).status).toBe(503);
    await redis.restart();
    await ready(c);
    // rate-limit-redis alone would await its failed script load forever; the guard reloads it.
    await eventually(async () => (await post(`${url}/login`)).status === 200);
    expect(await c.keys('*')).toEqual(['srekit:rl:login:127.0.0.1']);
  });
});
