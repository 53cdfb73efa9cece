import { listen, type TestServer } from '@srekit/core/testing';
import express from 'express';
import { rateLimit as bareRateLimit } from 'express-rate-limit';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { RATE_LIMIT_PRESETS } from '../src/defaults.js';
import { SECURITY_ERROR_CODES } from '../src/errors.js';
import { METRICS } from '../src/metrics.js';
import { type RateLimitOptions, rateLimit } from '../src/rate-limit/rate-limit.js';
import { RecordingAudit, RecordingLogger } from './support/auth-recorders.js';

let servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function serve(app: express.Express): Promise<string> {
  const server = await listen(app);
  servers.push(server);
  return server.url;
}

interface LoginApp {
  url: string;
  logger: RecordingLogger;
  audit: RecordingAudit;
  registry: Registry;
}

/** A login route behind `rateLimit('login')`, trusting the loopback proxy so tests choose the client address. */
async function loginApp(options: RateLimitOptions = {}): Promise<LoginApp> {
  const logger = new RecordingLogger();
  const audit = new RecordingAudit();
  const registry = new Registry();
  const app = express();
  app.set('trust proxy', 'loopback');
  app.post(
    '/login',
    express.json(),
    rateLimit('login', { logger, audit, registry, ...options }),
    (_req, res) => {
      res.status(401).json({ ok: false });
    },
  );
  return { url: await serve(app), logger, audit, registry };
}

function login(url: string, from = '198.51.100.7', username = 'alice') {
  return fetch(`${url}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': from },
    body: JSON.stringify({ username, password: 'correct horse battery staple' }),
  });
}

async function statuses(responses: Promise<Response>[]): Promise<number[]> {
  return Promise.all(
    responses.map(async (p) => {
      const r = await p;
      await r.arrayBuffer();
      return r.status;
    }),
  );
}

async function counterValue(registry: Registry, name: string, labels: Record<string, string>) {
  const metric = registry.getSingleMetric(name);
  const values = (await metric?.get())?.values ?? [];
  return values
    .filter((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val))
    .reduce((sum, v) => sum + v.value, 0);
}

describe('rateLimit (memory store, real express)', () => {
  it('the 6th login in a minute gets 429: draft-8 headers, Retry-After, problem body, metric, audit', async () => {
    const { url, audit, registry, logger } = await loginApp();
    for (let i = 1; i <= 5; i++) {
      const ok = await login(url);
      expect(ok.status).toBe(401);
      expect(ok.headers.get('ratelimit')).toMatch(new RegExp(`^"login"; r=${5 - i}; t=\\d+$`));
      expect(ok.headers.get('x-ratelimit-limit')).toBeNull();
      await ok.arrayBuffer();
    }
    const refused = await login(url);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('ratelimit-policy')).toMatch(/^"login"; q=5; w=60; pk=:[\w+/=]+:$/);
    expect(refused.headers.get('ratelimit')).toMatch(/^"login"; r=0; t=\d+$/);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    expect(refused.headers.get('x-ratelimit-remaining')).toBeNull();
    const body = (await refused.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      type: 'about:blank',
      title: 'Too Many Requests',
      status: 429,
      policy: 'login',
      retry_after: retryAfter,
    });
    expect(body.detail).toContain('More than 5 requests in 1 min');

    expect(await counterValue(registry, METRICS.rateLimited.name, { policy: 'login' })).toBe(1);
    expect(audit.events).toEqual([
      {
        event: 'rate_limited',
        outcome: 'blocked',
        ip: '198.51.100.7',
        details: { policy: 'login', limit: 'login' },
      },
    ]);
    expect(logger.lines).toEqual([]);
  });

  it('IPv6 clients in one /56 share a bucket; another /56 has its own', async () => {
    const { url } = await loginApp();
    const sameSite = ['2001:db8:abcd:1200::1', '2001:db8:abcd:12ff::2', '2001:db8:abcd:1234::3'];
    const codes = await statuses(
      Array.from({ length: 6 }, (_, i) => login(url, sameSite[i % sameSite.length])),
    );
    expect(codes.filter((c) => c === 429)).toHaveLength(1);
    expect((await login(url, '2001:db8:abcd:1300::1')).status).toBe(401);
    expect((await login(url, '2001:db8:abcd:12aa::9')).status).toBe(429);
  });

  it('with an account resolver: account + address is the bucket, audited with the account', async () => {
    const { url, audit, logger } = await loginApp({
      account: (req) => (req.body as { username?: string } | undefined)?.username,
    });
    const codes = await statuses(
      Array.from({ length: 6 }, () => login(url, '198.51.100.7', 'Alice')),
    );
    expect(codes.filter((c) => c === 429)).toHaveLength(1);
    // Same address, another account; same account (any case), another address.
    expect((await login(url, '198.51.100.7', 'bob')).status).toBe(401);
    expect((await login(url, '198.51.100.8', 'alice')).status).toBe(401);
    expect((await login(url, '198.51.100.7', 'ALICE')).status).toBe(429);
    expect(audit.events.map((e) => e.actor)).toEqual(['Alice', 'ALICE']);
    const everything = JSON.stringify([audit.events, logger.lines]);
    expect(everything).not.toContain('horse');
  });

  it('a throwing account resolver falls back to the address instead of failing the request', async () => {
    const { url } = await loginApp({
      account: () => {
        throw new Error('no body');
      },
    });
    const codes = await statuses(Array.from({ length: 6 }, () => login(url)));
    expect(codes.sort()).toEqual([401, 401, 401, 401, 401, 429]);
  });

  it("'global' layers 50/h and 200/day in one middleware, both in the headers", async () => {
    const app = express();
    app.set('trust proxy', 'loopback');
    const limiter = rateLimit('global');
    expect(limiter.layers).toEqual([
      { id: 'global-1h', limit: 50, windowMs: 3_600_000 },
      { id: 'global-1d', limit: 200, windowMs: 86_400_000 },
    ]);
    app.use(limiter);
    app.get('/', (_req, res) => {
      res.send('ok');
    });
    const url = await serve(app);
    const get = () => fetch(url, { headers: { 'x-forwarded-for': '203.0.113.9' } });
    const first = await get();
    expect(first.headers.get('ratelimit')).toMatch(
      /^"global-1h"; r=49; t=\d+, "global-1d"; r=199; t=\d+$/,
    );
    expect(first.headers.get('ratelimit-policy')).toMatch(
      /^"global-1h"; q=50; w=3600; pk=:[^:]+:, "global-1d"; q=200; w=86400; pk=:[^:]+:$/,
    );
    const codes = await statuses(Array.from({ length: 50 }, () => get()));
    expect(codes.filter((c) => c === 429)).toHaveLength(1);
    const refused = await get();
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { policy: string }).policy).toBe('global-1h');
  });

  it('warns once, with TRUST_PROXY, when X-Forwarded-For arrives but trust proxy is off', async () => {
    const logger = new RecordingLogger();
    const quiet = new RecordingLogger();
    const app = express();
    app.get('/checked', rateLimit('api', { logger }), (_req, res) => {
      res.send('ok');
    });
    app.get(
      '/unchecked',
      rateLimit('api', { logger: quiet, trustProxyCheck: false }),
      (_req, res) => {
        res.send('ok');
      },
    );
    const url = await serve(app);
    const headers = { 'x-forwarded-for': '198.51.100.1' };
    await statuses([fetch(`${url}/checked`)]);
    expect(logger.lines).toEqual([]);
    await statuses([fetch(`${url}/checked`, { headers }), fetch(`${url}/checked`, { headers })]);
    await statuses([fetch(`${url}/unchecked`, { headers })]);
    expect(logger.lines).toHaveLength(1);
    expect(logger.lines[0]).toMatchObject({
      level: 'warn',
      object: { code: SECURITY_ERROR_CODES.TRUST_PROXY, policy: 'api' },
    });
    expect(quiet.lines).toEqual([]);
  });

  it('writes the same draft-8 fields as express-rate-limit itself, and sets req.rateLimit', async () => {
    const app = express();
    app.set('trust proxy', 'loopback');
    app.get(
      '/bare',
      bareRateLimit({
        limit: 5,
        windowMs: 60_000,
        standardHeaders: 'draft-8',
        legacyHeaders: false,
        identifier: 'login',
      }),
      (_req, res) => {
        res.send('ok');
      },
    );
    app.get('/srekit', rateLimit('login'), (req, res) => {
      res.json((req as express.Request & { rateLimit?: unknown }).rateLimit);
    });
    const url = await serve(app);
    const headers = { 'x-forwarded-for': '2001:db8:1:2::3' };
    const bare = await fetch(`${url}/bare`, { headers });
    const ours = await fetch(`${url}/srekit`, { headers });
    await bare.arrayBuffer();
    expect(ours.headers.get('ratelimit-policy')).toBe(bare.headers.get('ratelimit-policy'));
    expect(ours.headers.get('ratelimit')).toBe(bare.headers.get('ratelimit'));
    expect(await ours.json()).toMatchObject({
      limit: 5,
      used: 1,
      remaining: 4,
      key: '2001:db8:1::/56',
    });
  });

  it('skip() exempts requests from counting and limiting', async () => {
    const app = express();
    app.use(
      rateLimit({
        policy: 'tiny',
        limit: 1,
        windowMs: 60_000,
        skip: (req) => req.path === '/livez',
      }),
    );
    app.get('/livez', (_req, res) => {
      res.send('ok');
    });
    app.get('/', (_req, res) => {
      res.send('ok');
    });
    const url = await serve(app);
    expect(
      await statuses([fetch(`${url}/livez`), fetch(`${url}/livez`), fetch(`${url}/livez`)]),
    ).toEqual([200, 200, 200]);
    expect(await statuses([fetch(url)])).toEqual([200]);
    expect(await statuses([fetch(url)])).toEqual([429]);
  });

  it('reset(req) forgets a client, e.g. after a successful login', async () => {
    const app = express();
    const limiter = rateLimit('otp');
    app.post('/otp', limiter, async (req, res) => {
      if (req.headers['x-code'] === 'good') await limiter.reset(req);
      res.send('done');
    });
    const url = await serve(app);
    const send = (code: string) =>
      fetch(`${url}/otp`, { method: 'POST', headers: { 'x-code': code } });
    await statuses(Array.from({ length: 4 }, () => send('bad')));
    await statuses([send('good')]);
    const codes = await statuses(Array.from({ length: 5 }, () => send('bad')));
    expect(codes).toEqual([200, 200, 200, 200, 200]);
  });
});

describe('rateLimit options', () => {
  it('every preset has the documented limit and window', () => {
    const windows = Object.fromEntries(
      Object.keys(RATE_LIMIT_PRESETS).map((preset) => {
        const [layer] = rateLimit(preset as keyof typeof RATE_LIMIT_PRESETS).layers;
        return [preset, `${layer?.limit}/${(layer?.windowMs ?? 0) / 60_000}min`];
      }),
    );
    expect(windows).toEqual({
      login: '5/1min',
      register: '3/60min',
      passwordReset: '3/60min',
      otp: '5/5min',
      api: '60/1min',
      upload: '10/60min',
      report: '20/60min',
    });
  });

  it.each([
    ['an unknown preset', () => rateLimit('signup' as 'login'), /unknown preset `signup`/],
    ['a custom limit without a window', () => rateLimit({ policy: 'x', limit: 3 }), /windowMs/],
    [
      'a policy name that is not a label',
      () => rateLimit({ policy: 'a b', limit: 1, windowMs: 1000 }),
      /policy/,
    ],
    ['a zero limit', () => rateLimit('api', { limit: 0 }), /limit/],
    ['a window under a second', () => rateLimit('api', { windowMs: 10 }), /windowMs/],
    ['an IPv6 subnet over 128', () => rateLimit('api', { ipv6Subnet: 129 }), /ipv6Subnet/],
    [
      'a limit on the layered global preset',
      () => rateLimit('global', { limit: 10 }),
      /two layers/,
    ],
    ['a redis client without call()', () => rateLimit('api', { redis: {} as never }), /redis/],
  ])('refuses %s at construction', (_name, build, message) => {
    expect(build).toThrow(message);
    expect(build).toThrow(expect.objectContaining({ code: SECURITY_ERROR_CODES.INVALID_OPTION }));
  });
});
