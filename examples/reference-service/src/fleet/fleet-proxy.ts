import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTelemetry } from '@srekit/core';
import { createProxy, Pool, type PoolStats } from '@srekit/engine';
import express from 'express';
import {
  aggregateSlos,
  backendRows,
  type FleetSlo,
  type FleetStatus,
  type InstanceStatus,
  sumSecurity,
} from './fleet-status.js';
import { renderStatusPage } from './status-page.js';

/** Log levels of the proxy process. */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

/** Defaults of `startFleetProxy()`. */
export const FLEET_PROXY_DEFAULTS = {
  host: '127.0.0.1',
  port: 8080,
  sampleIntervalMs: 1_000,
  healthCheckIntervalMs: 1_000,
  statusTimeoutMs: 800,
  historyPoints: 60,
  retries: 2,
  timeoutMs: 5_000,
  /**
   * Envoy's 20 % budget with a floor of 10 concurrent retries instead of 3: when an instance dies,
   * every request it held is retried at once, and a small fleet at a modest rate can afford it.
   */
  retryBudget: { budgetPercent: 20, minRetryConcurrency: 10 },
} as const;

/** Options of `startFleetProxy()`. */
export interface FleetProxyOptions {
  readonly host?: string;
  /** Default 8080; 0 = any free port. */
  readonly port?: number;
  /** How often the instances' `/status.json` and `pool.stats()` are sampled. Default 1 000 ms. */
  readonly sampleIntervalMs?: number;
  /** Health check interval of the pool (`/readyz`). Default 1 000 ms. */
  readonly healthCheckIntervalMs?: number;
  /** Log level. Default `LOG_LEVEL`, else `warn`. */
  readonly logLevel?: LogLevel;
  /** Service name of the proxy's telemetry. Default `OTEL_SERVICE_NAME`, else `orders-proxy`. */
  readonly serviceName?: string;
}

/** The running proxy. */
export interface FleetProxy {
  readonly url: string;
  readonly pool: Pool;
  /** The latest sample (what `/status.json` answers). */
  status(): FleetStatus;
  /** Takes a new sample now. */
  sample(): Promise<FleetStatus>;
  /** Stops sampling, drains the proxy, closes the pool and the telemetry. Idempotent. */
  close(): Promise<void>;
}

/** One instance's answer to a fleet-wide fault request. */
interface FaultAnswer {
  readonly instance: string;
  readonly status: number;
  readonly body: unknown;
}

/**
 * Sends an admin's `POST`/`DELETE /api/admin/faults` to every instance (the admin API is per
 * instance), with the caller's `Authorization`: each instance checks the token and the body.
 */
async function faultsOnEveryInstance(
  backends: readonly { readonly id: string; readonly url: string }[],
  request: { method: string; authorization?: string; contentType?: string; body?: string },
): Promise<FaultAnswer[]> {
  return Promise.all(
    backends.map(async (b): Promise<FaultAnswer> => {
      try {
        const res = await fetch(`${b.url}/api/admin/faults`, {
          method: request.method,
          headers: {
            ...(request.authorization ? { authorization: request.authorization } : {}),
            ...(request.contentType ? { 'content-type': request.contentType } : {}),
          },
          ...(request.body !== undefined ? { body: request.body } : {}),
          signal: AbortSignal.timeout(3_000),
        });
        const text = await res.text();
        let body: unknown = {};
        try {
          body = text === '' ? {} : JSON.parse(text);
        } catch {
          body = { detail: text.slice(0, 500) };
        }
        return { instance: b.id, status: res.status, body };
      } catch (error) {
        return {
          instance: b.id,
          status: 502,
          body: { title: 'Instance unreachable', detail: (error as Error).message },
        };
      }
    }),
  );
}

async function fetchStatus(url: string, timeoutMs: number): Promise<InstanceStatus | undefined> {
  try {
    const res = await fetch(`${url}/status.json`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) {
      await res.body?.cancel();
      return undefined;
    }
    return (await res.json()) as InstanceStatus;
  } catch {
    return undefined;
  }
}

/**
 * The fleet's front: an @srekit/engine pool over the instances (p2c-ewma, health checks on
 * `/readyz`, outlier detection) behind `createProxy`, on one port that also serves the status page
 * (`/status`, server-rendered, updated live from `/status.json`), `/status.json` (the instances'
 * statuses aggregated with `pool.stats()`) and the proxy's `/metrics`.
 */
export async function startFleetProxy(
  backends: readonly { readonly id: string; readonly url: string }[],
  options: FleetProxyOptions = {},
): Promise<FleetProxy> {
  const d = FLEET_PROXY_DEFAULTS;
  const host = options.host ?? d.host;
  const telemetry = createTelemetry({
    serviceName: options.serviceName ?? (process.env.OTEL_SERVICE_NAME || 'orders-proxy'),
    tracing: { enabled: Boolean(process.env.OTEL_EXPORTER_OTLP_ENDPOINT) },
    logging: {
      level: options.logLevel ?? ((process.env.LOG_LEVEL as LogLevel | undefined) || 'warn'),
      accessLog: false,
    },
  });
  const pool = new Pool(backends, {
    name: 'orders',
    strategy: 'p2c-ewma',
    healthCheck: {
      path: '/readyz',
      intervalMs: options.healthCheckIntervalMs ?? d.healthCheckIntervalMs,
    },
    outlierDetection: true,
    // A fault on every instance (an admin's 100 % errors, a bad release) opens every circuit, and
    // the proxy answers 503 until one half-opens: 5 s instead of the default 30 s keeps the
    // fleet's recovery after the fault is gone quick.
    circuitBreaker: { openMs: 5_000 },
    registry: telemetry.registry,
  });
  const proxy = createProxy(pool, {
    retries: d.retries,
    timeoutMs: d.timeoutMs,
    retryBudget: d.retryBudget,
  });

  let previousStats: PoolStats | undefined;
  let previousAt = Date.now();
  const history = new Map<string, Map<string, number[]>>();
  let latest: FleetStatus | undefined;
  let url = '';

  const sample = async (): Promise<FleetStatus> => {
    const statuses = await Promise.all(backends.map((b) => fetchStatus(b.url, d.statusTimeoutMs)));
    const byId = new Map(backends.map((b, i) => [b.id, statuses[i]]));
    const stats = pool.stats();
    const now = Date.now();
    const rows = backendRows(stats, previousStats, now - previousAt, byId);
    previousStats = stats;
    previousAt = now;
    const slos: FleetSlo[] = aggregateSlos(statuses).map((slo) => {
      const perWindow = history.get(slo.sloId) ?? new Map<string, number[]>();
      history.set(slo.sloId, perWindow);
      for (const w of slo.windows) {
        const points = perWindow.get(w.window) ?? [];
        points.push(w.burnRate ?? 0);
        if (points.length > d.historyPoints) points.shift();
        perWindow.set(w.window, points);
      }
      return { ...slo, history: Object.fromEntries([...perWindow].map(([k, v]) => [k, [...v]])) };
    });
    latest = {
      generatedAt: new Date(now).toISOString(),
      pool: {
        name: stats.name,
        strategy: stats.strategy,
        eligible: stats.eligible,
        total: stats.total,
        panic: stats.panic,
      },
      slos,
      backends: rows,
      security: sumSecurity(statuses),
      links: {
        statusPage: `${url}/status`,
        metrics: `${url}/metrics`,
        instanceMetrics: backends.map((b) => `${b.url}/metrics`),
      },
    };
    return latest;
  };

  const app = express();
  app.disable('x-powered-by');
  app.use(telemetry.middleware());
  app.get('/metrics', telemetry.metricsHandler());
  app.get('/livez', telemetry.health.liveness());
  app.get('/readyz', telemetry.health.readiness());
  const current = async () => latest ?? (await sample());
  app.get('/status.json', async (_req, res) => {
    res.set('cache-control', 'no-store').json(await current());
  });
  app.get('/', (_req, res) => res.redirect(302, '/status'));
  // Fleet-wide faults for demos: the same admin API as an instance's, fanned out to all of them.
  app.all('/fleet/faults', express.text({ type: () => true, limit: '16kb' }), async (req, res) => {
    if (req.method !== 'POST' && req.method !== 'DELETE') {
      res.set('allow', 'POST, DELETE').status(405).type('application/problem+json').json({
        type: 'about:blank',
        title: 'Method Not Allowed',
        status: 405,
        detail: 'POST /fleet/faults sets a fault on every instance; DELETE clears them.',
      });
      return;
    }
    const answers = await faultsOnEveryInstance(backends, {
      method: req.method,
      ...(req.get('authorization') ? { authorization: req.get('authorization') } : {}),
      ...(req.get('content-type') ? { contentType: req.get('content-type') } : {}),
      ...(req.method === 'POST' && typeof req.body === 'string' ? { body: req.body } : {}),
    });
    const failed = answers.find((a) => a.status < 200 || a.status >= 300);
    if (failed === undefined) {
      res.status(200).json({ instances: answers });
      return;
    }
    res
      .status(failed.status)
      .type('application/problem+json')
      .json({
        type: 'about:blank',
        title: 'The faults were not changed on every instance',
        status: failed.status,
        detail: `${failed.instance} answered ${failed.status}; each instance's answer is in "instances".`,
        instances: answers,
      });
  });
  app.get('/status', async (_req, res) => {
    res
      .set('cache-control', 'no-store')
      .type('html')
      .send(renderStatusPage(await current()));
  });
  app.use(proxy);
  // Problem bodies for the proxy's own routes (a fault body over the limit, …), never a stack.
  app.use(telemetry.errorHandler());

  let server: Server;
  try {
    server = await new Promise<Server>((resolve, reject) => {
      const s = app.listen(options.port ?? d.port, host);
      s.once('listening', () => resolve(s));
      s.once('error', reject);
    });
  } catch (error) {
    await pool.close();
    await telemetry.shutdown();
    throw error;
  }
  server.on('upgrade', proxy.upgrade);
  const { port } = server.address() as AddressInfo;
  url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  await sample();

  let sampling: Promise<unknown> | undefined;
  const sampler = setInterval(() => {
    if (sampling) return;
    sampling = sample()
      .catch((error: unknown) =>
        telemetry.logger.warn({ err: error }, 'fleet status sample failed'),
      )
      .finally(() => {
        sampling = undefined;
      });
  }, options.sampleIntervalMs ?? d.sampleIntervalMs);
  sampler.unref();

  let closing: Promise<void> | undefined;
  return {
    url,
    pool,
    status: () => latest as FleetStatus,
    sample,
    close() {
      closing ??= (async () => {
        clearInterval(sampler);
        await sampling;
        const closed = new Promise<void>((r) => server.close(() => r()));
        server.closeIdleConnections();
        await proxy.close({ timeoutMs: 5_000 });
        server.closeAllConnections();
        await closed;
        await pool.close();
        await telemetry.shutdown();
      })();
      return closing;
    },
  };
}
