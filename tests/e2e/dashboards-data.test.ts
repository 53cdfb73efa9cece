/**
 * Every query of every committed dashboard returns data from a real Prometheus. The service here
 * uses every package the dashboards read — @srekit/core (RED and runtime metrics, the cardinality
 * guard), @srekit/slo (the in-process tracker, and the committed SLO rules in Prometheus),
 * @srekit/security (rate limits with a healthy and an unreachable store, the login throttle, JWT
 * rejections, refresh-token reuse, RBAC denials, password hashing) and @srekit/engine (a pool
 * behind the proxy with a healthy and a failing backend) — and a bounded stream of requests with
 * injected errors and slow answers drives the SLO alerts.
 */
import { generateKeyPairSync } from 'node:crypto';
import { once } from 'node:events';
import { readdir, readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createTelemetry, type Telemetry } from '@srekit/core';
import { freePort } from '@srekit/core/testing';
import { createProxy, Pool } from '@srekit/engine';
import {
  JwtIssuer,
  jwtAuth,
  LoginThrottle,
  MemoryRefreshTokenStore,
  PasswordHasher,
  Rbac,
  rateLimit,
  requirePermission,
} from '@srekit/security';
import { loadSloSpecs, SloTracker } from '@srekit/slo';
import express from 'express';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PrometheusInstance, startPrometheus, waitFor } from '../support/prometheus.js';
import { requireBinary } from '../support/system-deps.js';

const prometheusBin = requireBinary('prometheus');
const root = join(import.meta.dirname, '..', '..');
const SPEC_FILES = [
  'examples/reference-service/slos/orders-availability.sloth.yaml',
  'examples/reference-service/slos/orders-latency.openslo.yaml',
].map((file) => join(root, file));

/** Values the dashboards' template variables take in this test. */
const VARIABLES: Record<string, string> = {
  __rate_interval: '1m',
  job: 'orders',
  instance: '.+',
  pool: '.+',
};

function substitute(expr: string): string {
  return expr.replace(/\$(\w+)|\$\{(\w+)\}/g, (whole, a: string, b: string) => {
    const value = VARIABLES[a ?? b];
    if (value === undefined) throw new Error(`unknown dashboard variable ${whole} in ${expr}`);
    return value;
  });
}

/** Every query of a dashboard JSON, with its panel's title. */
function queriesOf(dashboard: unknown): { title: string; expr: string }[] {
  const out: { title: string; expr: string }[] = [];
  const walk = (node: unknown, title: string): void => {
    if (Array.isArray(node)) {
      for (const item of node) walk(item, title);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    const here = typeof record.title === 'string' ? record.title : title;
    if (typeof record.expr === 'string' && record.expr !== '')
      out.push({ title: here, expr: record.expr });
    for (const value of Object.values(record)) walk(value, here);
  };
  walk((dashboard as { panels?: unknown }).panels, '');
  return out;
}

describe.skipIf(!prometheusBin)('every committed dashboard query returns data', () => {
  let telemetry: Telemetry;
  let service: http.Server;
  const backends: http.Server[] = [];
  let pool: Pool;
  let proxy: ReturnType<typeof createProxy>;
  let deadRedis: Redis;
  let prometheus: PrometheusInstance | undefined;
  let traffic: ReturnType<typeof setInterval> | undefined;

  beforeAll(async () => {
    telemetry = createTelemetry({ serviceName: 'orders', logging: { level: 'silent' } });
    const registry = telemetry.registry;
    const tracker = new SloTracker(await loadSloSpecs(SPEC_FILES), { registry });

    // Three backends for the engine: one healthy; one that passes its health checks but fails
    // every request (outlier ejection, retries, failure ratio); one nobody listens on (health
    // check failures, connect failures).
    for (const status of [200, 503]) {
      const backend = http.createServer((req, res) => {
        res.statusCode = req.url === '/readyz' ? 200 : status;
        res.end(status === 200 ? 'in stock' : 'down');
      });
      backend.listen(0, '127.0.0.1');
      await once(backend, 'listening');
      backends.push(backend);
    }
    const urls = backends.map((b) => `http://127.0.0.1:${(b.address() as AddressInfo).port}`);
    pool = new Pool(
      [
        { id: 'inventory-1', url: urls[0] as string },
        { id: 'inventory-2', url: urls[1] as string },
        { id: 'inventory-3', url: `http://127.0.0.1:${await freePort()}` },
      ],
      { name: 'inventory', healthCheck: { path: '/readyz', intervalMs: 500 }, registry },
    );
    proxy = createProxy(pool, { retries: 1 });

    const issuer = new JwtIssuer({
      algorithm: 'EdDSA',
      key: generateKeyPairSync('ed25519').privateKey,
      issuer: 'https://id.test',
      audience: 'orders-api',
      refreshStore: new MemoryRefreshTokenStore(),
      registry,
    });
    const rbac = new Rbac({ roles: { viewer: { permissions: ['orders:read'] } } });
    const throttle = new LoginThrottle({ registry });
    const passwords = new PasswordHasher({ registry });
    // A store nobody listens on: every rate-limit decision on it is a store error (fail open).
    deadRedis = new Redis({
      port: await freePort(),
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    });
    deadRedis.on('error', () => undefined);

    let n = 0;
    const app = express();
    app.use(telemetry.middleware());
    app.get('/metrics', telemetry.metricsHandler());
    app.get('/api/orders/:id', (req, res) => {
      // One order request in five fails and two in five are slow: with three of them in every
      // batch of /api requests, every SLO of the /api routes burns past its page tier.
      const i = Number(req.params.id);
      const fail = i % 5 === 0;
      const slow = i % 5 === 1 || i % 5 === 2;
      const answer = (): void => {
        res.status(fail ? 500 : 200).json({ id: req.params.id });
        tracker.record('orders-api-availability', !fail);
        tracker.record('orders-api-latency', !slow);
      };
      if (slow) setTimeout(answer, 300);
      else answer();
    });
    app.post(
      '/auth/login',
      rateLimit({ policy: 'login-test', limit: 10_000, windowMs: 60_000, registry }),
      async (_req, res) => {
        const i = n++;
        await throttle.recordFailure({ account: `user-${i % 3}`, ip: '203.0.113.9' });
        const fail = i % 5 === 0;
        res.status(fail ? 503 : 401).json({ error: fail ? 'unavailable' : 'invalid credentials' });
        tracker.record('orders-login-availability', !fail);
      },
    );
    app.get(
      '/api/limited',
      rateLimit({ policy: 'tiny', limit: 1, windowMs: 60_000, registry }),
      (_req, res) => {
        res.json({ ok: true });
      },
    );
    app.get(
      '/api/stored',
      rateLimit({
        policy: 'redis-down',
        limit: 100,
        windowMs: 60_000,
        redis: deadRedis,
        storeTimeoutMs: 50,
        registry,
      }),
      (_req, res) => {
        res.json({ ok: true });
      },
    );
    app.use(
      '/api/admin',
      jwtAuth({
        algorithms: ['EdDSA'],
        issuer: 'https://id.test',
        audience: 'orders-api',
        jwks: issuer.publicJwks(),
        registry,
      }),
      requirePermission('orders:delete', { rbac, registry }),
      (_req, res) => {
        res.json({ deleted: true });
      },
    );
    app.use('/api/inventory', proxy);
    service = app.listen(0, '127.0.0.1');
    await once(service, 'listening');
    const base = `http://127.0.0.1:${(service.address() as AddressInfo).port}`;

    // Once: a password hash, a reused refresh token, and series beyond the cardinality cap.
    await passwords.hash('correct horse battery staple');
    const pair = await issuer.issueTokens('u-1', { roles: ['viewer'] });
    await issuer.rotate(pair.refreshToken);
    await issuer.rotate(pair.refreshToken);
    for (let i = 0; i < 2_100; i++) telemetry.cardinality.admit('test_overflow', `key-${i}`);

    const ruleFiles: Record<string, string> = {};
    for (const file of await readdir(join(root, 'alerts'))) {
      if (file.endsWith('.yaml'))
        ruleFiles[file] = await readFile(join(root, 'alerts', file), 'utf8');
    }
    prometheus = await startPrometheus({
      binary: prometheusBin as string,
      jobs: [{ name: 'orders', targets: [new URL(base).host] }],
      ruleFiles,
    });

    // A bounded stream: every 50 ms three order requests and one of each other kind, for as long
    // as the suite runs.
    let id = 0;
    const get = (path: string, headers: Record<string, string> = {}) =>
      fetch(`${base}${path}`, { headers })
        .then((r) => r.arrayBuffer())
        .catch(() => undefined);
    traffic = setInterval(() => {
      const i = id++;
      for (let k = 0; k < 3; k++) void get(`/api/orders/${3 * i + k}`);
      void fetch(`${base}/auth/login`, { method: 'POST' })
        .then((r) => r.arrayBuffer())
        .catch(() => undefined);
      void get(`/api/inventory/items/${i}`);
      void get('/api/limited');
      void get('/api/stored');
      void get('/api/admin', {
        authorization: i % 2 === 0 ? `Bearer ${pair.accessToken}` : 'Bearer not-a-token',
      });
    }, 50);
  }, 60_000);

  afterAll(async () => {
    clearInterval(traffic);
    await prometheus?.stop();
    service?.closeAllConnections();
    service?.close();
    await proxy?.close({ timeoutMs: 1_000 });
    await pool?.close();
    for (const backend of backends) {
      backend.closeAllConnections();
      backend.close();
    }
    deadRedis?.disconnect();
    await telemetry?.shutdown();
  });

  it('for the service overview, SLO, load-balancer and security dashboards', async () => {
    const files = (await readdir(join(root, 'dashboards'))).filter((f) => f.endsWith('.json'));
    const queries: { file: string; title: string; expr: string }[] = [];
    for (const file of files) {
      const json = JSON.parse(await readFile(join(root, 'dashboards', file), 'utf8')) as unknown;
      for (const query of queriesOf(json))
        queries.push({ file, ...query, expr: substitute(query.expr) });
    }
    expect(files.length).toBeGreaterThanOrEqual(5);
    expect(queries.length).toBeGreaterThan(80);

    const url = (prometheus as PrometheusInstance).url;
    const empty = async (): Promise<string[]> => {
      const missing: string[] = [];
      for (const q of queries) {
        const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(q.expr)}`);
        const body = (await res.json()) as {
          status: string;
          error?: string;
          data?: { result: unknown[] };
        };
        if (body.status !== 'success')
          throw new Error(`${q.file} "${q.title}": ${body.error}\n${q.expr}`);
        if ((body.data?.result.length ?? 0) === 0)
          missing.push(`${q.file} "${q.title}": ${q.expr}`);
      }
      return missing;
    };
    let last: string[] = [];
    await waitFor(
      'every dashboard query to return data',
      async () => {
        last = await empty();
        return last.length === 0 ? true : undefined;
      },
      60_000,
    ).catch(() => undefined);
    expect(last).toEqual([]);
  }, 120_000);
});
