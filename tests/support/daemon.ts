import { type ChildProcess, spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { waitFor } from './wait-for.js';

/** A system daemon (Prometheus, Alertmanager) a test started on loopback. */
export interface Daemon {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** The last few KiB of its log, for assertion messages. */
  log(): string;
  /** Stops it (SIGTERM, then SIGKILL after 5 s) and removes its directory. */
  stop(): Promise<void>;
}

/**
 * Spawns `binary` with `args`, keeps the tail of its output, and resolves once `${url}/-/ready`
 * answers (then once `ready()`, if given, resolves). On failure the daemon is stopped and the
 * error carries its log. `dir` is removed on stop.
 */
export async function startDaemon(options: {
  readonly name: string;
  readonly binary: string;
  readonly args: readonly string[];
  readonly url: string;
  readonly dir: string;
  readonly ready?: () => Promise<void>;
}): Promise<Daemon> {
  const { name, url, dir } = options;
  let log = '';
  const child: ChildProcess = spawn(options.binary, [...options.args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (chunk: Buffer): void => {
    log = (log + chunk.toString()).slice(-8000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };

  try {
    await waitFor(`${name} to be ready`, async () => {
      if (child.exitCode !== null) throw new Error(`${name} exited: ${log}`);
      return (await fetch(`${url}/-/ready`)).ok ? true : undefined;
    });
    await options.ready?.();
  } catch (error) {
    await stop();
    throw new Error(`${String(error)}\n${log}`);
  }
  return { url, log: () => log, stop };
}
