import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Pool } from '@srekit/engine';
import { type ChildOptions, type FleetChild, startChild } from './child-process.js';
import { type FleetKeys, generateFleetKeys } from './dev-keys.js';
import { FLEET_PROXY_DEFAULTS, type LogLevel, startFleetProxy } from './fleet-proxy.js';
import type { FleetStatus } from './fleet-status.js';
import { startTraffic, type TrafficGenerator } from './traffic.js';

/** The package root (`examples/reference-service`), from `src/fleet` and from `dist/fleet` alike. */
const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Defaults of `startFleet()`. */
export const FLEET_DEFAULTS = {
  size: 3,
  inventorySize: 2,
  host: '127.0.0.1',
  port: FLEET_PROXY_DEFAULTS.port,
  trafficRps: 5,
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
  /**
   * The JWT key pair every instance signs and verifies with. Default a development pair generated
   * at start (`generateFleetKeys()`); tests pass their own to forge tokens with the fleet's key.
   */
  readonly keys?: FleetKeys;
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
  /**
   * Starts instance `id` again on the port it had (the pool's backend URL stays the same), after
   * it crashed or to roll it; stops it first if it still runs. Health checks bring it back into
   * rotation. Resolves with the new child, which replaces the old one in `instances`.
   */
  restartInstance(id: string): Promise<FleetChild>;
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
  if (!Number.isInteger(size) || size < 1 || size > 32)
    throw new Error(`fleet size must be an integer in 1..32, got ${size}`);
  if (!Number.isInteger(inventorySize) || inventorySize < 1 || inventorySize > 8) {
    throw new Error(`inventory size must be an integer in 1..8, got ${inventorySize}`);
  }
  const logDir = options.logDir ?? join(tmpdir(), `srekit-fleet-${process.pid}-${Date.now()}`);
  mkdirSync(logDir, { recursive: true });

  const children: FleetChild[] = [];
  const stopChildren = () => Promise.all(children.map((c) => c.stop()));
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
    const keys = options.keys ?? generateFleetKeys();
    const instanceOptions = new Map<string, ChildOptions>();
    const instances = await startAll(
      Array.from({ length: size }, (_, i) => {
        const id = `orders-${i + 1}`;
        const childOptions: ChildOptions = {
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
        };
        instanceOptions.set(id, childOptions);
        return startChild(childOptions);
      }),
      children,
    );

    const front = await startFleetProxy(
      instances.map((c) => ({ id: c.id, url: c.url })),
      {
        host,
        port: options.port ?? FLEET_DEFAULTS.port,
        ...(options.sampleIntervalMs !== undefined
          ? { sampleIntervalMs: options.sampleIntervalMs }
          : {}),
        ...(options.healthCheckIntervalMs !== undefined
          ? { healthCheckIntervalMs: options.healthCheckIntervalMs }
          : {}),
        ...(options.logLevel !== undefined ? { logLevel: options.logLevel } : {}),
      },
    );
    const proxyUrl = front.url;

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
    const close = () => {
      closing ??= (async () => {
        await traffic?.stop();
        await front.close();
        await stopChildren();
      })();
      return closing;
    };

    const restartInstance = async (id: string): Promise<FleetChild> => {
      const index = instances.findIndex((c) => c.id === id);
      const childOptions = instanceOptions.get(id);
      const old = instances[index];
      if (old === undefined || childOptions === undefined) throw new Error(`no instance ${id}`);
      await old.stop();
      const child = await startChild({
        ...childOptions,
        env: { ...childOptions.env, PORT: String(old.port) },
      });
      instances[index] = child;
      children.push(child);
      return child;
    };

    return {
      url: proxyUrl,
      statusUrl: `${proxyUrl}/status`,
      metricsUrl: `${proxyUrl}/metrics`,
      instances,
      inventories,
      pool: front.pool,
      traffic,
      logDir,
      status: front.status,
      sample: front.sample,
      restartInstance,
      close,
    };
  } catch (error) {
    await stopChildren();
    throw error;
  }
}
