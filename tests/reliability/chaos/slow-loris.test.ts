/**
 * Slow loris: clients that open connections and send their request head one header line at a
 * time, never finishing it. Neither @srekit/core nor @srekit/engine sets the servers' timeouts, so
 * an instance (express on `app.listen`) and the fleet's proxy have Node's defaults:
 * `headersTimeout` 60 s, `requestTimeout` 300 s, checked every 30 s (`connectionsCheckingInterval`).
 *
 * - Against the fleet (proxy and one instance directly): while the lorises hold their connections,
 *   other clients are served. In full mode (SREKIT_RELIABILITY=full) the test also waits for
 *   Node's headers timeout to answer each loris 408 and close it (≤ 60 s + 30 s; 90 s seen).
 * - Against `createProxy` on a server with short timeouts (what a deployment should set): each
 *   loris gets 408 and is closed within the timeout, the others are served.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { createProxy, Pool } from '@srekit/engine';
import { afterAll, describe, expect, it } from 'vitest';
import type { Fleet } from '../../../examples/reference-service/src/fleet/fleet.js';
import { startTestFleet } from '../../../examples/reference-service/test/support/fleet.js';
import { FULL, scaled } from '../support/mode.js';
import { type RecordingBackend, startRecordingBackend, statusesOf } from '../support/raw-http.js';

const LORISES = scaled(50, 200);
const DRIBBLE_MS = 500;

interface Loris {
  readonly socket: Socket;
  /** Resolves when the server closed the connection: what it answered and when. */
  readonly closed: Promise<{ statuses: number[]; atMs: number }>;
  stop(): void;
}

/** Opens a connection that sends a request head one header line every `DRIBBLE_MS`, forever. */
function loris(port: number, index: number): Loris {
  const started = performance.now();
  const socket = connect({ port, host: '127.0.0.1' });
  const received: Buffer[] = [];
  let line = 0;
  let timer: NodeJS.Timeout | undefined;
  socket.on('data', (c: Buffer) => received.push(c));
  socket.on('error', () => {});
  socket.once('connect', () => {
    socket.write(`GET /api/catalog?loris=${index} HTTP/1.1\r\nHost: 127.0.0.1\r\n`);
    timer = setInterval(() => {
      if (!socket.destroyed) socket.write(`X-Loris-${line++}: still typing\r\n`);
    }, DRIBBLE_MS);
  });
  const closed = new Promise<{ statuses: number[]; atMs: number }>((resolve) => {
    socket.once('close', () => {
      clearInterval(timer);
      resolve({
        statuses: statusesOf(Buffer.concat(received).toString('latin1')),
        atMs: performance.now() - started,
      });
    });
  });
  return {
    socket,
    closed,
    stop: () => {
      clearInterval(timer);
      socket.destroy();
    },
  };
}

/** `count` GETs of `url` one after another: statuses and the p99 latency. */
async function serveMeanwhile(url: string, count: number) {
  const statuses: number[] = [];
  const ms: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const res = await fetch(url, { signal: AbortSignal.timeout(5_000) }).catch(() => undefined);
    await res?.arrayBuffer();
    statuses.push(res?.status ?? 0);
    ms.push(performance.now() - started);
  }
  ms.sort((a, b) => a - b);
  return { statuses, p99: ms[Math.min(ms.length - 1, Math.floor(ms.length * 0.99))] ?? 0 };
}

const lorises: Loris[] = [];
let fleet: Fleet | undefined;
let server: Server | undefined;
let backend: RecordingBackend | undefined;
let pool: Pool | undefined;

afterAll(async () => {
  for (const l of lorises) l.stop();
  await fleet?.close();
  if (server) {
    const closed = new Promise<void>((r) => server?.close(() => r()));
    server.closeAllConnections();
    await closed;
  }
  await pool?.close();
  await backend?.close();
}, 30_000);

describe('slow loris against the fleet (Node default timeouts)', () => {
  it(
    `other clients are served while ${LORISES} lorises hold the proxy and ${LORISES} an instance${FULL ? '; the headers timeout closes them' : ''}`,
    async () => {
      fleet = await startTestFleet({
        healthCheckIntervalMs: 1_000,
        size: 2,
        inventorySize: 1,
      });
      const instance = fleet.instances[0];
      if (instance === undefined) throw new Error('no instance');
      const proxyPort = Number(new URL(fleet.url).port);
      const mine: Loris[] = [];
      for (let i = 0; i < LORISES; i++) {
        mine.push(loris(proxyPort, i), loris(instance.port, i));
      }
      lorises.push(...mine);
      await new Promise((r) => setTimeout(r, 3 * DRIBBLE_MS));

      const viaProxy = await serveMeanwhile(`${fleet.url}/api/catalog`, 40);
      const direct = await serveMeanwhile(`${instance.url}/api/catalog`, 40);
      expect(viaProxy.statuses.filter((s) => s !== 200)).toEqual([]);
      expect(direct.statuses.filter((s) => s !== 200)).toEqual([]);
      expect(viaProxy.p99).toBeLessThan(500);
      expect(direct.p99).toBeLessThan(500);
      // The lorises are still connected: nothing has timed them out yet.
      expect(mine.filter((l) => l.socket.destroyed)).toEqual([]);
      console.info(
        `[chaos loris] ${LORISES} lorises on the proxy and ${LORISES} on an instance: 40 + 40 GETs all 200, p99 ${Math.round(viaProxy.p99)} ms via the proxy, ${Math.round(direct.p99)} ms direct`,
      );

      if (FULL) {
        const closes = await Promise.all(mine.map((l) => l.closed));
        const latest = Math.max(...closes.map((c) => c.atMs));
        for (const c of closes) expect(c.statuses).toEqual([408]);
        expect(latest).toBeLessThan(100_000);
        console.info(
          `[chaos loris] Node's headers timeout answered all ${closes.length} lorises 408 and closed them, the last after ${Math.round(latest)} ms`,
        );
      }
    },
    scaled(60_000, 115_000),
  );
});

describe('slow loris against createProxy with short server timeouts', () => {
  it('answers each loris 408 and closes it within the headers timeout, and serves the others meanwhile', async () => {
    backend = await startRecordingBackend();
    pool = new Pool([{ id: 'b', url: backend.url }], { name: 'loris' });
    const HEADERS_TIMEOUT_MS = 1_500;
    server = createServer(
      {
        headersTimeout: HEADERS_TIMEOUT_MS,
        requestTimeout: 3_000,
        connectionsCheckingInterval: 250,
      },
      createProxy(pool),
    );
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as AddressInfo).port;
    const mine = Array.from({ length: LORISES }, (_, i) => loris(port, i));
    lorises.push(...mine);
    const served = await serveMeanwhile(`http://127.0.0.1:${port}/ok`, 40);
    expect(served.statuses.filter((s) => s !== 200)).toEqual([]);
    const closes = await Promise.all(mine.map((l) => l.closed));
    for (const c of closes) {
      expect(c.statuses).toEqual([408]);
      expect(c.atMs).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 50);
      expect(c.atMs).toBeLessThan(HEADERS_TIMEOUT_MS + 1_000);
    }
    // No loris request reached the backend.
    expect(backend.requests.filter((q) => q.url.includes('loris'))).toEqual([]);
    expect(pool.stats().backends[0]?.activeRequests).toBe(0);
  });
});
