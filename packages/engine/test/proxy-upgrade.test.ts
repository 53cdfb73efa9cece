import http from 'node:http';
import { describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { PROXY_ERROR_CODES } from '../src/proxy/problem.js';
import { onCleanup, poolOf, proxyServer, refusedUrl, start } from './support/proxy-servers.js';

/** A WebSocket echo backend that also records the handshake headers it saw. */
async function wsEcho() {
  const server = http.createServer((_req, res) => {
    res.writeHead(401, { 'content-type': 'text/plain' });
    res.end('no');
  });
  const wss = new WebSocketServer({ noServer: true });
  const handshakes: http.IncomingHttpHeaders[] = [];
  server.on('upgrade', (req, socket, head) => {
    if (req.url === '/denied') {
      socket.end('HTTP/1.1 401 Unauthorized\r\ncontent-length: 6\r\n\r\ndenied');
      return;
    }
    handshakes.push(req.headers);
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('message', (data, binary) => ws.send(data, { binary }));
    });
  });
  onCleanup(() => {
    for (const client of wss.clients) client.terminate();
    wss.close();
  });
  const started = await start(server);
  return { ...started, handshakes };
}

function open(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    onCleanup(() => ws.terminate());
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) =>
      reject(Object.assign(new Error(`status ${res.statusCode}`), { res })),
    );
  });
}

function next(ws: WebSocket): Promise<string> {
  return new Promise((resolve) => ws.once('message', (data) => resolve(String(data))));
}

describe('proxy WebSocket pass-through', () => {
  it('relays the handshake and echoes messages both ways', async () => {
    const b = await wsEcho();
    const { url } = await proxyServer(poolOf([b.url]));
    const ws = await open(`${url.replace('http', 'ws')}/chat`);
    for (const text of ['hello', 'x'.repeat(100_000), 'bye']) {
      ws.send(text);
      expect(await next(ws)).toBe(text);
    }
    expect(b.handshakes[0]?.['x-forwarded-for']).toBe('127.0.0.1');
    expect(b.handshakes[0]?.upgrade).toBe('websocket');
    ws.close();
  });

  it("relays a backend's refusal of the upgrade", async () => {
    const b = await wsEcho();
    const { url } = await proxyServer(poolOf([b.url]));
    const error = await open(`${url.replace('http', 'ws')}/denied`).catch((e: unknown) => e);
    expect(String(error)).toContain('status 401');
  });

  it('answers a problem when the backend is unreachable, and the proxy goes on', async () => {
    const refused = await refusedUrl();
    const { url } = await proxyServer(poolOf([refused]));
    const error = (await open(`${url.replace('http', 'ws')}/chat`).catch((e: unknown) => e)) as {
      res?: http.IncomingMessage;
    };
    expect(error.res?.statusCode).toBe(502);
    const body = await new Promise<string>((resolve) => {
      let text = '';
      error.res?.on('data', (c: Buffer) => {
        text += c.toString();
      });
      error.res?.on('end', () => resolve(text));
    });
    expect(JSON.parse(body).code).toBe(PROXY_ERROR_CODES.UPSTREAM_UNAVAILABLE);
  });
});
