/**
 * The engine under real faults: three backend processes on loopback behind `createProxy`, a
 * bounded load of idempotent requests, and a backend killed mid-run, restarted, or turned slow.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type BackendStateChange, createProxy, Pool, type PoolOptions } from '@srekit/engine';
import { afterEach, describe, expect, it, vi } from 'vitest';

const BACKEND_SCRIPT = fileURLToPath(new URL('./fixtures/backend.mjs', import.meta.url));
const HEALTH_INTERVAL_MS = 500;
const CONCURRENCY = 8;

/** A backend in its own process, which the test can kill and restart on the same port. */
class BackendProcess {
  child: ChildProcess | undefined;
  port = 0;

  constructor(readonly id: string) {}

  async start(port = 0): Promise<this> {
    const child = spawn(process.execPath, [BACKEND_SCRIPT], {
      env: { ...process.env, BACKEND_ID: this.id, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    this.child = child;
    const [chunk] = (await once(child.stdout as NodeJS.ReadableStream, 'data')) as [Buffer];
    const match = /listening (\d+)/.exec(chunk.toString());
    if (match === null) throw new Error(`backend ${this.id} did not start: ${chunk.toString()}`);
    this.port = Number(match[1]);
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async kill(): Promise<void> {
    const child = this.child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  }
}

const backends: BackendProcess[] = [];
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await Promise.all(backends.splice(0).map((b) => b.kill()));
});

const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

/** One GET through the proxy: status and body (never throws; a network error is status 0). */
function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
      );
      res.on('error', () => resolve({ status: 0, body: '' }));
    });
    req.on('error', (error) => resolve({ status: 0, body: error.message }));
  });
}

/** Sends `total` GETs, `concurrency` at a time; `onProgress(done)` after each. */
async function load(
  port: number,
  total: number,
  concurrency: number,
  onProgress: (done: number) => void | Promise<void> = () => {},
): Promise<{ status: number; id?: string; body: string }[]> {
  const results: { status: number; id?: string; body: string }[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < total) {
      next++;
      const answer = await get(port, '/work');
      let id: string | undefined;
      try {
        id = (JSON.parse(answer.body) as { id?: string }).id;
      } catch {
        id = undefined;
      }
      results.push({ ...answer, ...(id === undefined ? {} : { id }) });
      await onProgress(results.length);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return results;
}

async function fleet(options: PoolOptions): Promise<{ pool: Pool; port: number }> {
  for (const id of ['b0', 'b1', 'b2']) backends.push(await new BackendProcess(id).start());
  const pool = new Pool(
    backends.map((b) => ({ id: b.id, url: b.url })),
    { name: 'fault-test', ...options },
  );
  const proxy = createProxy(pool, { retries: 2, timeoutMs: 2_000 });
  const server = http.createServer(proxy);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await proxy.close({ timeoutMs: 1_000 });
    await pool.close();
  });
  return { pool, port: (server.address() as AddressInfo).port };
}

describe('engine under faults: three backend processes behind the proxy', () => {
  it('loses no request when a backend is killed mid-run, ejects it within one health interval, and takes it back when it restarts', async () => {
    const { pool, port } = await fleet({
      strategy: 'round-robin',
      healthCheck: { path: '/readyz', intervalMs: HEALTH_INTERVAL_MS, timeoutMs: 250 },
      // Up to all 8 client requests can be in flight on the victim when it dies, and each reset
      // needs a retry at once: the budget's floor (Envoy's min_retry_concurrency, default 3)
      // must cover them, or the budget turns the excess into 502s by design.
      retry: { budget: { minRetryConcurrency: CONCURRENCY } },
    });
    const changes: (BackendStateChange & { wall: number })[] = [];
    pool.onBackendStateChange((c) => changes.push({ ...c, wall: Date.now() }));
    const victim = backends[1] as BackendProcess;
    let killedAt = 0;
    const results = await load(port, 1_200, CONCURRENCY, async (done) => {
      if (done === 300) {
        killedAt = Date.now();
        await victim.kill();
      }
    });

    const failed = results.filter((r) => r.status !== 200);
    expect(failed).toEqual([]);
    expect(results).toHaveLength(1_200);
    const out = changes.find((c) => c.id === 'b1' && c.to !== 'healthy');
    expect(out).toBeDefined();
    expect((out?.wall ?? Number.POSITIVE_INFINITY) - killedAt).toBeLessThanOrEqual(
      HEALTH_INTERVAL_MS,
    );
    // After the kill (and the requests in flight then), the dead backend served nothing.
    expect(results.slice(400).filter((r) => r.id === 'b1')).toEqual([]);
    expect(pool.get('b1')?.state).not.toBe('healthy');

    await victim.start(victim.port);
    await vi.waitUntil(() => pool.get('b1')?.state === 'healthy', {
      timeout: 4 * HEALTH_INTERVAL_MS,
      interval: 10,
    });
    const after = await load(port, 60, 3);
    expect(after.every((r) => r.status === 200)).toBe(true);
    expect(
      after.filter((r) => r.id === 'b1').length,
      JSON.stringify({ b1: pool.get('b1'), events: pool.events().slice(-8) }),
    ).toBeGreaterThan(0);
  }, 30_000);

  it('sends less to a backend that turns slow with p2c-ewma than round robin does', async () => {
    const shares: Record<string, number> = {};
    for (const strategy of ['round-robin', 'p2c-ewma'] as const) {
      const { port } = await fleet({ strategy, outlierDetection: false });
      await load(port, 90, 3); // every backend warm and fast
      const slow = backends[2] as BackendProcess;
      const turned = await fetch(`${slow.url}/admin/delay?ms=40`, { method: 'POST' });
      expect(turned.status).toBe(200);
      const results = await load(port, 240, 4);
      expect(results.every((r) => r.status === 200)).toBe(true);
      shares[strategy] = results.filter((r) => r.id === 'b2').length / results.length;
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
      await Promise.all(backends.splice(0).map((b) => b.kill()));
    }
    expect(shares['round-robin']).toBeCloseTo(1 / 3, 1);
    expect(shares['p2c-ewma']).toBeLessThan(0.15);
  }, 30_000);
});
