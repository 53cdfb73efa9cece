/**
 * One instance of the reference service (the orders API). Run it as a program with
 * `node dist/instance.js`, configured by environment variables (see `config.ts`); it prints
 * `listening <port>` when ready and shuts down gracefully on SIGTERM or SIGINT.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { createService, type Service, type ServiceOptions } from './app/service.js';
import { type InstanceConfig, isConfigError, loadConfig } from './config.js';

export type { InstanceConfig } from './config.js';
export { ConfigError, isConfigError, loadConfig } from './config.js';

/** A running instance. */
export interface RunningInstance {
  /** Base URL, e.g. `http://127.0.0.1:40123`. */
  readonly url: string;
  /** The wired service (tests reach the tracker, the pool and the fault injector through it). */
  readonly service: Service;
  /** Graceful shutdown: readiness off, drain, then stop the pool, the tracker and Redis. */
  close(): Promise<void>;
}

/**
 * Starts an instance.
 *
 * @example
 * ```ts
 * const instance = await startInstance(loadConfig({ INVENTORY_URLS: inventory.url }));
 * await fetch(`${instance.url}/api/catalog`);
 * await instance.close();
 * ```
 */
export async function startInstance(
  config: InstanceConfig,
  options: ServiceOptions = {},
): Promise<RunningInstance> {
  const service = await createService(config, options);
  const server = service.telemetry.attach(service.app.listen(config.port, config.host));
  try {
    await once(server, 'listening');
  } catch (error) {
    await service.close();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return { url: `http://${host}:${port}`, service, close: () => service.close() };
}

async function main(): Promise<void> {
  let config: InstanceConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (!isConfigError(error)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  const instance = await startInstance(config);
  let stopping = false;
  const stop = (): void => {
    if (stopping) process.exit(1);
    stopping = true;
    instance.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // Started by the fleet launcher: its IPC channel closes when the launcher dies (even SIGKILLed).
  if (process.connected) process.once('disconnect', () => stopping || stop());
  process.stdout.write(`listening ${new URL(instance.url).port}\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`instance failed to start: ${String(error)}\n`);
    process.exit(1);
  });
}
