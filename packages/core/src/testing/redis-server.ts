import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A `redis-server` started for a test on a loopback port. */
export interface TestRedis {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** Stops the server (SIGTERM, then SIGKILL after 2 s) and removes its directory. */
  stop(): Promise<void>;
  /**
   * Kills the server at once (SIGKILL), as a crash would; clients see connection errors.
   * `restart()` brings it back on the same port.
   */
  kill(): Promise<void>;
  /** Starts the server again on the same port after `kill()` (empty: nothing is persisted). */
  restart(): Promise<void>;
}

/** Options of {@link startRedisServer}. */
export interface StartRedisOptions {
  /** The `redis-server` executable. Default `'redis-server'` from `PATH`. */
  readonly bin?: string;
  /** How long to wait for the server to answer `PING`. Default 10 000 ms. */
  readonly startTimeoutMs?: number;
}

/** A free TCP port on loopback (bound and released, so another process can take it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Sends `PING` over RESP and resolves once the server answers `+PONG`. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('*1\r\n$4\r\nPING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

/**
 * Starts a throw-away `redis-server` on 127.0.0.1 with an ephemeral port, no persistence and its
 * own temporary directory, and waits until it answers. For tests that need a real Redis (rate
 * limits, sessions, lockouts shared by several app instances).
 *
 * @example
 * ```ts
 * const redis = await startRedisServer();
 * const client = new Redis(redis.url);
 * // … tests …
 * await client.quit();
 * await redis.stop();
 * ```
 */
export async function startRedisServer(options: StartRedisOptions = {}): Promise<TestRedis> {
  const bin = options.bin ?? 'redis-server';
  const timeoutMs = options.startTimeoutMs ?? 10_000;
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'srekit-redis-'));
  let child: ChildProcess | undefined;
  let output = '';

  const launch = async (): Promise<void> => {
    output = '';
    const started = spawn(
      bin,
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = started;
    started.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    started.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const spawnError = new Promise<never>((_, reject) => {
      started.once('error', (error) =>
        reject(new Error(`could not start ${bin}: ${error.message}`)),
      );
    });
    const ready = (async () => {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (started.exitCode !== null) {
          throw new Error(`${bin} exited with ${started.exitCode}:\n${output}`);
        }
        if (await ping(port)) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(
        `${bin} did not answer PING on port ${port} within ${timeoutMs} ms:\n${output}`,
      );
    })();
    await Promise.race([ready, spawnError]);
  };

  const terminate = async (signal: NodeJS.Signals): Promise<void> => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill(signal);
    const timer = setTimeout(() => running.kill('SIGKILL'), 2_000);
    await exited;
    clearTimeout(timer);
  };

  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    kill: () => terminate('SIGKILL'),
    restart: launch,
    stop: async () => {
      await terminate('SIGTERM');
      await rm(dir, { recursive: true, force: true });
    },
  };
}
