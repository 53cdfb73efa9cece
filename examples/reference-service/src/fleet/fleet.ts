import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTelemetry, type Telemetry } from '@srekit/core';
import { createProxy, Pool, type PoolStats } from '@srekit/engine';
import express from 'express';
import { type FleetChild, startChild } from './child-process.js';
import { generateFleetKeys } from './dev-keys.js';
import {
  aggregateSlos,
  backendRows,
  type FleetSlo,
  type FleetStatus,
  type InstanceStatus,
  sumSecurity,
} from './fleet-status.js';
import { renderStatusBody, renderStatusPage } from './status-page.js';
import { startTraffic, type TrafficGenerator } from './traffic.js';

/** The package root (`examples/reference-service`), from `src/fleet` and from `dist/fleet` alike. */
const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Log levels of the proxy process. */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

/** Defaults of `startFleet()`. */
export const FLEET_DEFAULTS = {
  size: 3,
  inventorySize: 2,
  host: '127.0.0.1',
  port: 8080,
  trafficRps: 5,
  sampleIntervalMs: 1_000,
  historyPoints: 60,
  instanceScript: join(PACKAGE_ROOT, 'dist/instance.js'),
  inventoryScript: join(PACKAGE_ROOT, 'dist/inventory.js'),
} as const;

/** Options of `startFleet()`; every one is optional. */
export interface FleetOptions {
  /** Service instances. Default 3 (`FLEET_SIZE` in `main`). */
  readonly size?: number;
  /** Inventory (dependency) instances. Default 2. */
  readonly inventorySize?: number;
  readonly host?: string;
  /** Port of the proxy (status page, `/metrics`, the API). Default 8080; 0 = any free port. */
  readonly port?: number;
  /** Traffic generator rate; 0 turns it off. Default 5. */
  readonly trafficRps?: number;
  /** Returns the demo user's base32 TOTP secret so the traffic generator can log in. */
  readonly demoTotpSecret?: (username: string) => string;
  readonly instanceScript?: string;
  readonly inventoryScript?: string;
  /** Extra environment for every child (merged over this process's environment). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Directory of the children's log files. Default a new directory under the OS temp dir. */
  readonly logDir?: string;
  /** How often the status is sampled. Default 1 000 ms. */
  readonly sampleIntervalMs?: number;
  /** Health check interval of the proxy's pool. Default 1 000 ms. */
  readonly healthCheckIntervalMs?: number;
  /** Log level of the proxy process. Default `LOG_LEVEL`, else `warn`. */
  readonly logLevel?: LogLevel;
}

/** A running fleet. */
export interface Fleet {
  /** Base URL of the proxy. */
  readonly url: string;
  readonly statusUrl: string;
  readonly metricsUrl: string;
  readonly instances: readonly FleetChild[];
  readonly inventories: readonly FleetChild[];
  readonly pool: Pool;
  readonly traffic: TrafficGenerator | undefined;
  readonly logDir: string;
  /** The latest sample (what `/status.json` answers). */
  status(): FleetStatus;
  /** Takes a new sample now. */
  sample(): Promise<FleetStatus>;
  /** Stops the traffic, the proxy and every child (SIGTERM, then SIGKILL). Idempotent. */
  close(): Promise<void>;
}

/** Waits for every start; keeps the children that started (to stop them) and throws the first failure. */
async function startAll(
  starts: Promise<FleetChild>[],
  started: FleetChild[],
): Promise<FleetChild[]> {
  const results = await Promise.allSettled(starts);
  const ok: FleetChild[] = [];
  for (const r of results) if (r.status === 'fulfilled') ok.push(r.value);
  started.push(...ok);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return ok;
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
 * Starts the fleet: inventory and service instances as child processes, then an @srekit/engine
 * pool (p2c-ewma, health checks on `/readyz`, outlier detection) behind `createProxy` on one port
 * that also serves the status page (`/status`), `/status.json` and the proxy's `/metrics`, and a
 * bounded traffic generator. `node dist/fleet/main.js` (`npm start`) calls it.
 *
 * @example
 * const fleet = await startFleet({ size: 3, port: 8080 });
 * console.log(fleet.statusUrl);
 * await fleet.close();
 */
export async function startFleet(options: FleetOptions = {}): Promise<Fleet> {
  const size = options.size ?? FLEET_DEFAULTS.size;
  const inventorySize = options.inventorySize ?? FLEET_DEFAULTS.inventorySize;
  const host = options.host ?? FLEET_DEFAULTS.host;
  const sampleIntervalMs = options.sampleIntervalMs ?? FLEET_DEFAULTS.sampleIntervalMs;
  if (!Number.isInteger(size) || size < 1 || size > 32)
    throw new Error(`fleet size must be an integer in 1..32, got ${size}`);
  if (!Number.isInteger(inventorySize) || inventorySize < 1 || inventorySize > 8) {
    throw new Error(`inventory size must be an integer in 1..8, got ${inventorySize}`);
  }
  const logDir = options.logDir ?? join(tmpdir(), `srekit-fleet-${process.pid}-${Date.now()}`);
  mkdirSync(logDir, { recursive: true });

  const children: FleetChild[] = [];
  const stopChildren = () => Promise.all(children.map((c) => c.stop()));
  let telemetry: Telemetry | undefined;
  let pool: Pool | undefined;
  try {
    const inventories = await startAll(
      Array.from({ length: inventorySize }, (_, i) => {
        const id = `inventory-${i + 1}`;
        return startChild({
          id,
          script: options.inventoryScript ?? FLEET_DEFAULTS.inventoryScript,
          host,
          env: { ...options.env, PORT: '0', HOST: host },
          output: join(logDir, `${id}.log`),
        });
      }),
      children,
    );
    const keys = generateFleetKeys();
    const instances = await startAll(
      Array.from({ length: size }, (_, i) => {
        const id = `orders-${i + 1}`;
        return startChild({
          id,
          script: options.instanceScript ?? FLEET_DEFAULTS.instanceScript,
          host,
          env: {
            ...options.env,
            PORT: '0',
            HOST: host,
            INSTANCE_ID: id,
            INVENTORY_URLS: inventories.map((c) => c.url).join(','),
            JWT_PRIVATE_KEY: keys.privateKeyPem,
            JWT_PUBLIC_JWKS: keys.publicJwks,
          },
          output: join(logDir, `${id}.log`),
        });
      }),
      children,
    );

    telemetry = createTelemetry({
      serviceName: 'srekit-fleet-proxy',
      tracing: { enabled: Boolean(process.env.OTEL_EXPORTER_OTLP_ENDPOINT) },
      logging: {
        level: options.logLevel ?? ((process.env.LOG_LEVEL as LogLevel | undefined) || 'warn'),
        accessLog: false,
      },
    });
    const activePool = new Pool(
      instances.map((c) => ({ id: c.id, url: c.url })),
      {
        name: 'orders',
        strategy: 'p2c-ewma',
        healthCheck: { path: '/readyz', intervalMs: options.healthCheckIntervalMs ?? 1_000 },
        outlierDetection: true,
        registry: telemetry.registry,
      },
    );
    pool = activePool;
    const proxy = createProxy(activePool, { retries: 2, timeoutMs: 5_000 });

    let previousStats: PoolStats | undefined;
    let previousAt = Date.now();
    const history = new Map<string, Map<string, number[]>>();
    let latest: FleetStatus | undefined;
    let proxyUrl = '';
    const historyPoints = FLEET_DEFAULTS.historyPoints;

    const sample = async (): Promise<FleetStatus> => {
      const statuses = await Promise.all(
        instances.map((c) => (c.exited ? undefined : fetchStatus(c.url, 800))),
      );
      const byId = new Map(instances.map((c, i) => [c.id, statuses[i]]));
      const stats = activePool.stats();
      const now = Date.now();
      const backends = backendRows(stats, previousStats, now - previousAt, byId);
      previousStats = stats;
      previousAt = now;
      const slos: FleetSlo[] = aggregateSlos(statuses).map((slo) => {
        const perWindow = history.get(slo.sloId) ?? new Map<string, number[]>();
        history.set(slo.sloId, perWindow);
        for (const w of slo.windows) {
          const points = perWindow.get(w.window) ?? [];
          points.push(w.burnRate ?? 0);
          if (points.length > historyPoints) points.shift();
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
        backends,
        security: sumSecurity(statuses),
        links: {
          statusPage: `${proxyUrl}/status`,
          metrics: `${proxyUrl}/metrics`,
          instanceMetrics: instances.map((c) => `${c.url}/metrics`),
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
    app.get('/status/fragment', async (_req, res) => {
      res
        .set('cache-control', 'no-store')
        .type('html')
        .send(renderStatusBody(await current()));
    });
    app.get(['/', '/status'], async (req, res) => {
      if (req.path === '/') return res.redirect(302, '/status');
      res
        .set('cache-control', 'no-store')
        .type('html')
        .send(renderStatusPage(await current()));
    });
    app.use(proxy);

    const server: Server = await new Promise((resolveServer, reject) => {
      const s = app.listen(options.port ?? FLEET_DEFAULTS.port, host);
      s.once('listening', () => resolveServer(s));
      s.once('error', reject);
    });
    server.on('upgrade', proxy.upgrade);
    const { port } = server.address() as AddressInfo;
    proxyUrl = `http://${host}:${port}`;
    await sample();

    let sampling: Promise<unknown> | undefined;
    const sampler = setInterval(() => {
      if (sampling) return;
      sampling = sample()
        .catch((error: unknown) =>
          telemetry?.logger.warn({ err: error }, 'fleet status sample failed'),
        )
        .finally(() => {
          sampling = undefined;
        });
    }, sampleIntervalMs);
    sampler.unref();

    const rps = options.trafficRps ?? FLEET_DEFAULTS.trafficRps;
    const traffic =
      rps > 0
        ? startTraffic({
            baseUrl: proxyUrl,
            rps,
            username: 'operator',
            ...(options.demoTotpSecret ? { totpSecret: options.demoTotpSecret('operator') } : {}),
          })
        : undefined;

    let closing: Promise<void> | undefined;
    const activeTelemetry = telemetry;
    const close = () => {
      closing ??= (async () => {
        await traffic?.stop();
        clearInterval(sampler);
        await sampling;
        const serverClosed = new Promise<void>((r) => server.close(() => r()));
        server.closeIdleConnections();
        await proxy.close({ timeoutMs: 5_000 });
        server.closeAllConnections();
        await serverClosed;
        await activePool.close();
        await stopChildren();
        await activeTelemetry.shutdown();
      })();
      return closing;
    };

    return {
      url: proxyUrl,
      statusUrl: `${proxyUrl}/status`,
      metricsUrl: `${proxyUrl}/metrics`,
      instances,
      inventories,
      pool: activePool,
      traffic,
      logDir,
      status: () => latest as FleetStatus,
      sample,
      close,
    };
  } catch (error) {
    await pool?.close();
    await stopChildren();
    await telemetry?.shutdown();
    throw error;
  }
}
