import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { Pool } from '../src/pool/pool.js';
import { createProxy } from '../src/proxy/create-proxy.js';
import { PROXY_ERROR_CODES } from '../src/proxy/problem.js';
import {
  backend,
  echoBackend,
  json,
  onCleanup,
  poolOf,
  proxyServer,
  type RawResponse,
  refusedUrl,
  send,
  start,
} from './support/proxy-servers.js';

function expectProblem(res: RawResponse, status: number, code: string): void {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = json(res);
  expect(body).toMatchObject({ status, code });
  expect(typeof body.title).toBe('string');
  expect(typeof body.detail).toBe('string');
  expect(String(body.type)).toContain(code.toLowerCase().replaceAll('_', '-'));
  expect(res.body).not.toMatch(/\bat .*\.(ts|js):\d+/);
}

/** A raw TCP server whose connections get `behave(socket)`. */
async function rawServer(behave: (socket: net.Socket) => void) {
  const server = net.createServer((socket) => {
    socket.on('error', () => undefined);
    socket.once('data', () => behave(socket));
  });
  return start(server);
}

describe('proxy errors', () => {
  it('answers 502 UPSTREAM_UNAVAILABLE when the backend refuses, and serves again after', async () => {
    const refused = await refusedUrl();
    const good = await echoBackend('good');
    const pool = poolOf([refused]);
    const { url } = await proxyServer(pool, { retries: 0 });
    expectProblem(await send(url), 502, PROXY_ERROR_CODES.UPSTREAM_UNAVAILABLE);
    pool.add({ id: 'good', url: good.url });
    pool.remove('b0');
    const res = await send(url);
    expect(res.status).toBe(200);
    expect(json(res).name).toBe('good');
  });

  it('answers 502 UPSTREAM_UNAVAILABLE when the backend resets the connection', async () => {
    const reset = await rawServer((socket) => socket.resetAndDestroy());
    const { url } = await proxyServer(poolOf([reset.url]), { retries: 0 });
    expectProblem(await send(url), 502, PROXY_ERROR_CODES.UPSTREAM_UNAVAILABLE);
    expectProblem(await send(url), 502, PROXY_ERROR_CODES.UPSTREAM_UNAVAILABLE);
  });

  it('answers 502 BAD_UPSTREAM_RESPONSE when the backend writes garbage', async () => {
    const garbage = await rawServer((socket) => socket.end('SSH-2.0-OpenSSH_9.6\r\n\r\nnonsense'));
    const { url } = await proxyServer(poolOf([garbage.url]), { retries: 0 });
    expectProblem(await send(url), 502, PROXY_ERROR_CODES.BAD_UPSTREAM_RESPONSE);
    expectProblem(await send(url), 502, PROXY_ERROR_CODES.BAD_UPSTREAM_RESPONSE);
  });

  it('retries a GET on another backend when one answers garbage (like the 502 it would give), not a POST', async () => {
    // Found by tests/reliability/chaos/bad-backends.test.ts: the GET got the garbage 502.
    const garbage = await rawServer((socket) => socket.end('\x00\x01NOT HTTP\r\n\r\n'));
    const good = await echoBackend('good');
    const pool = poolOf([garbage.url, good.url], { strategy: 'round-robin' });
    const { url } = await proxyServer(pool, { backoff: { baseMs: 1, maxMs: 2 } });
    for (let i = 0; i < 4; i++) {
      const res = await send(`${url}/item`);
      expect(res.status).toBe(200);
      expect(json(res).name).toBe('good');
    }
    const statuses = new Set<number>();
    for (let i = 0; i < 4; i++) {
      statuses.add((await send(`${url}/item`, { method: 'POST', body: '{}' })).status);
    }
    expect(statuses).toEqual(new Set([200, 502]));
  });

  it('answers 504 UPSTREAM_TIMEOUT for a slow backend, and serves a fast request after', async () => {
    const slow = await backend((req, res) => {
      const timer = setTimeout(() => res.end('late'), req.url === '/slow' ? 2_000 : 0);
      res.on('close', () => clearTimeout(timer));
    });
    const { url } = await proxyServer(poolOf([slow.url]), { timeoutMs: 150 });
    const started = performance.now();
    expectProblem(await send(`${url}/slow`), 504, PROXY_ERROR_CODES.UPSTREAM_TIMEOUT);
    expect(performance.now() - started).toBeLessThan(1_000);
    const ok = await send(`${url}/fast`);
    expect(ok.status).toBe(200);
    expect(ok.body).toBe('late');
  });

  it('answers 503 NO_HEALTHY_BACKEND when the pool has nothing to give', async () => {
    const pool = poolOf([]);
    const { url } = await proxyServer(pool);
    expectProblem(await send(url), 503, PROXY_ERROR_CODES.NO_HEALTHY_BACKEND);
    const b = await echoBackend('late');
    pool.add({ id: 'late', url: b.url });
    expect((await send(url)).status).toBe(200);
  });

  it('cuts the client connection when the backend dies mid-body (never appends a problem)', async () => {
    const half = await rawServer((socket) => {
      socket.write('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nhalf of it');
      setTimeout(() => socket.destroy(), 20);
    });
    const pool = poolOf([half.url]);
    const { url } = await proxyServer(pool, { retries: 0 });
    await expect(send(url)).rejects.toThrow(/aborted|socket hang up|ECONNRESET/);
    expect(pool.stats().backends[0]?.errors).toBe(1);
    // The proxy is still up.
    const good = await echoBackend('good');
    pool.add({ id: 'good', url: good.url });
    pool.remove('b0');
    expect((await send(url)).status).toBe(200);
  });

  it('refuses sticky sessions on a strategy that ignores the key', () => {
    const pool = poolOf(['http://127.0.0.1:1']);
    expect(() => createProxy(pool, { sticky: { cookie: 'sid' } })).toThrow(
      /ring-hash.*ERR_SREKIT_ENGINE_INVALID_OPTION/s,
    );
    expect(() => createProxy(pool, { retries: -1 })).toThrow(/retries/);
    const hashed = new Pool([{ id: 'a', url: 'http://127.0.0.1:1' }], { strategy: 'maglev' });
    onCleanup(() => hashed.close());
    const proxy = createProxy(hashed, { sticky: { header: 'x-user' } });
    onCleanup(() => proxy.close({ timeoutMs: 0 }));
    expect(typeof proxy.upgrade).toBe('function');
  });
});
