import { describe, expect, it, vi } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { PROXY_ERROR_CODES } from '../src/proxy/problem.js';
import { backend, json, onCleanup, poolOf, proxyServer, send } from './support/proxy-servers.js';

/** How long `vi.waitUntil` waits for state that changes on its own (timers, sockets). */
const WAIT = { timeout: 3_000, interval: 10 };

describe('proxy.close()', () => {
  it('lets in-flight requests finish and answers new ones 503 PROXY_CLOSING', async () => {
    let arrived = 0;
    const b = await backend((_req, res) => {
      arrived++;
      setTimeout(() => res.end('finished'), 200);
    });
    const { url, proxy } = await proxyServer(poolOf([b.url]));
    const inFlight = send(url);
    await vi.waitUntil(() => arrived === 1, WAIT);
    const closing = proxy.close({ timeoutMs: 2_000 });
    const refused = await send(url);
    expect(refused.status).toBe(503);
    expect(refused.headers.connection).toBe('close');
    expect(json(refused).code).toBe(PROXY_ERROR_CODES.PROXY_CLOSING);
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(res.body).toBe('finished');
    expect(await closing).toEqual({ drained: 1, destroyed: 0 });
    expect(arrived).toBe(1);
  });

  it('destroys what is still running at the timeout, upstream included', async () => {
    let backendClosed = false;
    let arrived = false;
    const b = await backend((_req, res) => {
      arrived = true;
      res.on('close', () => {
        backendClosed = true;
      });
    });
    const { url, proxy } = await proxyServer(poolOf([b.url]));
    const stuck = send(url).then(
      () => 'answered',
      () => 'cut',
    );
    await vi.waitUntil(() => arrived, WAIT);
    const started = performance.now();
    expect(await proxy.close({ timeoutMs: 100 })).toEqual({ drained: 0, destroyed: 1 });
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(await stuck).toBe('cut');
    await vi.waitUntil(() => backendClosed, WAIT);
    expect(proxy.inFlight).toBe(0);
  });

  it('waits for WebSocket tunnels and destroys them at the timeout', async () => {
    const b = await backend((_req, res) => res.end());
    const wss = new WebSocketServer({ server: b.server });
    wss.on('connection', (ws) => ws.on('message', (m) => ws.send(m)));
    onCleanup(() => wss.close());
    const { url, proxy } = await proxyServer(poolOf([b.url]));
    const ws = new WebSocket(`${url.replace('http', 'ws')}/`);
    onCleanup(() => ws.terminate());
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const closed = new Promise((resolve) => ws.once('close', resolve));
    expect(proxy.inFlight).toBe(1);
    expect(await proxy.close({ timeoutMs: 50 })).toEqual({ drained: 0, destroyed: 1 });
    await closed;
  });
});
