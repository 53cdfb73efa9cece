/**
 * Backends that hang (accept, never answer), answer garbage (bytes that are not HTTP) or cut a
 * response short, behind `createProxy`: timeouts answer 504 within the configured time, idempotent
 * requests are retried on a healthy backend, the broken backends are ejected, and no lease is left
 * behind (`activeRequests` back to 0).
 */
import { once } from 'node:events';
import { createServer as createHttpServer, type Server } from 'node:http';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { createProxy, Pool } from '@srekit/engine';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { scaled } from '../support/mode.js';
import { type RecordingBackend, startRecordingBackend } from '../support/raw-http.js';

const REQUESTS = scaled(40, 400);
const PER_TRY_TIMEOUT_MS = 300;
const TIMEOUT_MS = 1_000;

interface RawBackend {
  readonly url: string;
  readonly accepted: () => number;
  close(): Promise<void>;
}

/** A TCP server that runs `onSocket` for each connection (and destroys them all on close). */
async function startRawBackend(onSocket: (socket: Socket) => void): Promise<RawBackend> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server = createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    onSocket(socket);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    accepted: () => accepted,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

const hanging = () => startRawBackend(() => {});
const garbage = () =>
  startRawBackend((socket) => {
    socket.once('data', () => socket.end('\x00\x01NOT HTTP AT ALL\r\n\r\n\xff\xfe'));
  });
const truncated = () =>
  startRawBackend((socket) => {
    socket.once('data', () => {
      socket.write(
        'HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 100\r\n\r\nshort',
      );
      setTimeout(() => socket.destroy(), 20);
    });
  });

interface Front {
  readonly url: string;
  readonly pool: Pool;
  close(): Promise<void>;
}

async function startFront(
  backends: readonly { id: string; url: string }[],
  proxyOptions: Parameters<typeof createProxy>[1] = {},
): Promise<Front> {
  const pool = new Pool(backends, { name: 'chaos', strategy: 'round-robin' });
  const proxy = createProxy(pool, {
    perTryTimeoutMs: PER_TRY_TIMEOUT_MS,
    timeoutMs: TIMEOUT_MS,
    retryBudget: { budgetPercent: 100, minRetryConcurrency: 50 },
    ...proxyOptions,
  });
  const server: Server = createHttpServer(proxy);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    pool,
    close: async () => {
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
      await proxy.close({ timeoutMs: 1_000 });
      await closed;
      await pool.close();
    },
  };
}

const leases = (pool: Pool) => pool.stats().backends.reduce((n, b) => n + b.activeRequests, 0);

async function timed(url: string, init: RequestInit = {}) {
  const started = performance.now();
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(5_000) });
    const body = await res.text();
    return { status: res.status, body, ms: performance.now() - started, error: undefined };
  } catch (error) {
    return { status: 0, body: '', ms: performance.now() - started, error: error as Error };
  }
}

let good: RecordingBackend;
const cleanups: (() => Promise<void>)[] = [];
beforeAll(async () => {
  good = await startRecordingBackend();
});
afterEach(async () => {
  await Promise.allSettled(cleanups.splice(0).map((c) => c()));
});
afterAll(async () => {
  await good?.close();
});

describe('a backend that hangs', () => {
  it('GETs are retried on the healthy backend within the per-try timeout, the hanging one is ejected, no lease is left', async () => {
    const hang = await hanging();
    cleanups.push(hang.close);
    const front = await startFront([
      { id: 'good', url: good.url },
      { id: 'hang', url: hang.url },
    ]);
    cleanups.push(front.close);
    const results = [];
    for (let i = 0; i < REQUESTS; i++) results.push(await timed(`${front.url}/orders/${i}`));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    const slowest = Math.max(...results.map((r) => r.ms));
    // One try can wait the per-try timeout before the retry goes to the good backend.
    expect(slowest).toBeLessThan(PER_TRY_TIMEOUT_MS + 700);
    const hangStats = front.pool.get('hang');
    expect(hangStats?.ejected || hangStats?.circuit === 'open').toBe(true);
    // Once ejected, the hanging backend gets no more tries.
    expect(hang.accepted()).toBeLessThan(REQUESTS / 2);
    expect(leases(front.pool)).toBe(0);
    console.info(
      `[chaos hang] ${REQUESTS} GETs: all 200, slowest ${Math.round(slowest)} ms, hanging backend took ${hang.accepted()} connections, state ${hangStats?.state}`,
    );
  });

  it('with no healthy backend, GET and POST answer 504 within the route timeout and free their leases', async () => {
    const hang = await hanging();
    cleanups.push(hang.close);
    const front = await startFront([{ id: 'hang', url: hang.url }], {
      perTryTimeoutMs: TIMEOUT_MS,
    });
    cleanups.push(front.close);
    const get = await timed(`${front.url}/orders/1`);
    const post = await timed(`${front.url}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"item":"x"}',
    });
    for (const r of [get, post]) {
      expect(r.status).toBe(504);
      expect(JSON.parse(r.body).code).toBe('ERR_SREKIT_ENGINE_UPSTREAM_TIMEOUT');
      expect(r.ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
      expect(r.ms).toBeLessThan(TIMEOUT_MS + 500);
    }
    expect(leases(front.pool)).toBe(0);
  });
});

describe('a backend that answers garbage', () => {
  it('non-HTTP bytes: GETs are retried on the healthy backend and the garbage one is ejected', async () => {
    const bad = await garbage();
    cleanups.push(bad.close);
    const front = await startFront([
      { id: 'good', url: good.url },
      { id: 'garbage', url: bad.url },
    ]);
    cleanups.push(front.close);
    const results = [];
    for (let i = 0; i < REQUESTS; i++) results.push(await timed(`${front.url}/orders/${i}`));
    expect(results.filter((r) => r.status !== 200).map((r) => r.status)).toEqual([]);
    const state = front.pool.get('garbage');
    expect(state?.ejected || state?.circuit === 'open').toBe(true);
    expect(leases(front.pool)).toBe(0);
  });

  it('non-HTTP bytes from the only backend: 502 with the bad-upstream code, never a 500', async () => {
    const bad = await garbage();
    cleanups.push(bad.close);
    const front = await startFront([{ id: 'garbage', url: bad.url }]);
    cleanups.push(front.close);
    const r = await timed(`${front.url}/orders/1`);
    expect(r.status).toBe(502);
    expect(JSON.parse(r.body).code).toBe('ERR_SREKIT_ENGINE_BAD_UPSTREAM_RESPONSE');
    expect(leases(front.pool)).toBe(0);
  });

  it('a response cut short after its head: the client connection is closed (never a body that looks complete), the lease is freed', async () => {
    const cut = await truncated();
    cleanups.push(cut.close);
    const front = await startFront([{ id: 'truncated', url: cut.url }]);
    cleanups.push(front.close);
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await timed(`${front.url}/orders/${i}`));
    for (const r of results) {
      // The head (200) went out before the backend failed: the body read must fail.
      expect(r.error).toBeDefined();
      expect(r.body).toBe('');
    }
    expect(leases(front.pool)).toBe(0);
  });
});
