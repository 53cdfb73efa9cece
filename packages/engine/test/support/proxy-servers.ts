/**
 * Test kit of the proxy tests: loopback servers that are always closed, a raw HTTP client that
 * sends any header (hop-by-hop ones included), and the proxy wired to a real `Pool`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';
import { Pool } from '../../src/pool/pool.js';
import type { PoolOptions } from '../../src/pool/types.js';
import { createProxy } from '../../src/proxy/create-proxy.js';
import type { ProxyHandler, ProxyOptions } from '../../src/proxy/types.js';

const cleanups: (() => Promise<unknown> | unknown)[] = [];

afterEach(async () => {
  while (cleanups.length > 0) {
    try {
      await cleanups.pop()?.();
    } catch {
      // Keep closing the rest.
    }
  }
});

/** Runs `fn` after the current test (last registered, first run). */
export function onCleanup(fn: () => Promise<unknown> | unknown): void {
  cleanups.push(fn);
}

/** A server on 127.0.0.1 with an ephemeral port, closed after the test. */
export interface Started<S extends import('node:net').Server = http.Server> {
  readonly server: S;
  readonly port: number;
  readonly url: string;
}

/** Starts `server` on 127.0.0.1:0 and registers its closing. */
export async function start<S extends import('node:net').Server>(
  server: S,
  scheme = 'http',
): Promise<Started<S>> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  onCleanup(
    () =>
      new Promise<void>((resolve) => {
        (server as unknown as http.Server).closeAllConnections?.();
        server.close(() => resolve());
      }),
  );
  return { server, port, url: `${scheme}://127.0.0.1:${port}` };
}

/** Starts an HTTP backend. */
export function backend(handler: http.RequestListener): Promise<Started> {
  return start(http.createServer(handler));
}

/** A backend that answers JSON describing the request it got (method, url, headers, its name). */
export function echoBackend(name: string): Promise<Started> {
  return backend((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.stringify({
        name,
        method: req.method,
        url: req.url,
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(body);
    });
  });
}

/** A `Pool` over `urls` (ids b0, b1…) without health checks, closed after the test. */
export function poolOf(urls: readonly string[], options: PoolOptions = {}): Pool {
  const pool = new Pool(
    urls.map((url, i) => ({ id: `b${i}`, url })),
    { outlierDetection: false, circuitBreaker: false, ...options },
  );
  onCleanup(() => pool.close());
  return pool;
}

/** A proxy over `pool`, served on loopback (with WebSocket upgrades), closed after the test. */
export async function proxyServer(
  pool: Pool,
  options: ProxyOptions = {},
): Promise<Started & { proxy: ProxyHandler }> {
  const proxy = createProxy(pool, options);
  const server = http.createServer(proxy);
  server.on('upgrade', proxy.upgrade);
  onCleanup(() => proxy.close({ timeoutMs: 0 }));
  const started = await start(server);
  return { ...started, proxy };
}

/** A response as the raw client saw it. */
export interface RawResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly rawHeaders: readonly string[];
  readonly body: string;
}

/** Options of {@link send}. */
export interface SendOptions {
  readonly method?: string;
  readonly headers?: http.OutgoingHttpHeaders;
  readonly body?: string | Buffer;
}

/** Sends one request on a fresh connection with exactly the given headers. */
export function send(url: string, options: SendOptions = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: options.method ?? 'GET', headers: options.headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            rawHeaders: res.rawHeaders,
            body: Buffer.concat(chunks).toString(),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Parses a JSON body. */
export function json<T = Record<string, unknown>>(response: RawResponse): T {
  return JSON.parse(response.body) as T;
}

/** A URL on 127.0.0.1 where nothing listens (a port just closed). */
export async function refusedUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
