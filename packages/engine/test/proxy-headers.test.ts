import http from 'node:http';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { createProxy } from '../src/proxy/create-proxy.js';
import { forwardedElement } from '../src/proxy/headers.js';
import {
  backend,
  echoBackend,
  json,
  onCleanup,
  poolOf,
  proxyServer,
  send,
  start,
} from './support/proxy-servers.js';

interface Echo {
  name: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

describe('proxy headers', () => {
  it('removes hop-by-hop headers (and the ones Connection names) on the way to the backend', async () => {
    const b = await echoBackend('b0');
    const { url } = await proxyServer(poolOf([b.url]));
    const res = await send(`${url}/x?q=1`, {
      method: 'PUT',
      body: 'chunked body',
      headers: {
        'transfer-encoding': 'chunked',
        connection: 'keep-alive, x-secret-hop',
        'keep-alive': 'timeout=5',
        'x-secret-hop': 'do not forward',
        'proxy-authorization': 'Basic Zm9vOmJhcg==',
        'proxy-connection': 'keep-alive',
        te: 'trailers',
        trailer: 'x-checksum',
        'x-end-to-end': 'kept',
        authorization: 'Bearer kept',
      },
    });
    expect(res.status).toBe(200);
    const seen = json<Echo>(res).headers;
    for (const name of [
      'x-secret-hop',
      'keep-alive',
      'proxy-authorization',
      'proxy-connection',
      'te',
      'trailer',
    ]) {
      expect(seen[name], name).toBeUndefined();
    }
    // undici's own connection management: never the client's tokens.
    expect(seen.connection ?? 'keep-alive').not.toContain('x-secret-hop');
    expect(seen['x-end-to-end']).toBe('kept');
    expect(seen.authorization).toBe('Bearer kept');
    expect(json<Echo>(res).url).toBe('/x?q=1');
    expect(json<Echo>(res).body).toBe('chunked body');
  });

  it('removes hop-by-hop headers from the response and keeps every Set-Cookie', async () => {
    const b = await backend((_req, res) => {
      res.setHeader('connection', 'keep-alive, x-internal');
      res.setHeader('x-internal', 'secret');
      res.setHeader('keep-alive', 'timeout=5');
      res.setHeader('proxy-authenticate', 'Basic');
      res.setHeader('set-cookie', ['a=1; Path=/', 'b=2; Path=/; HttpOnly']);
      res.setHeader('x-kept', 'yes');
      res.end('ok');
    });
    const { url } = await proxyServer(poolOf([b.url]));
    const res = await send(url);
    expect(res.status).toBe(200);
    expect(res.body).toBe('ok');
    expect(res.headers['x-internal']).toBeUndefined();
    expect(res.headers['proxy-authenticate']).toBeUndefined();
    expect(res.headers['keep-alive']).toBeUndefined();
    expect(res.headers['set-cookie']).toEqual(['a=1; Path=/', 'b=2; Path=/; HttpOnly']);
    expect(res.headers['x-kept']).toBe('yes');
  });

  it('sets forwarded headers and replaces spoofed ones by default', async () => {
    const b = await echoBackend('b0');
    const { url, port } = await proxyServer(poolOf([b.url]));
    const res = await send(`${url}/`, {
      headers: {
        host: 'shop.example:8443',
        'x-forwarded-for': '6.6.6.6',
        'x-forwarded-proto': 'https',
        'x-forwarded-host': 'evil.example',
        forwarded: 'for=6.6.6.6;proto=https',
      },
    });
    const seen = json<Echo>(res).headers;
    expect(seen['x-forwarded-for']).toBe('127.0.0.1');
    expect(seen['x-forwarded-proto']).toBe('http');
    expect(seen['x-forwarded-host']).toBe('shop.example:8443');
    expect(seen.forwarded).toBe('for=127.0.0.1;proto=http;host="shop.example:8443"');
    // preserveHost (default): the backend sees the client's Host.
    expect(seen.host).toBe('shop.example:8443');
    expect(port).toBeGreaterThan(0);
  });

  it('extends forwarded headers with trustForwarded and sends the backend host without preserveHost', async () => {
    const b = await echoBackend('b0');
    const { url } = await proxyServer(poolOf([b.url]), {
      trustForwarded: true,
      preserveHost: false,
      via: 'srekit',
    });
    const res = await send(url, {
      headers: {
        host: 'shop.example',
        'x-forwarded-for': '203.0.113.9',
        'x-forwarded-proto': 'https',
        forwarded: 'for=203.0.113.9;proto=https',
      },
    });
    const seen = json<Echo>(res).headers;
    expect(seen['x-forwarded-for']).toBe('203.0.113.9, 127.0.0.1');
    expect(seen['x-forwarded-proto']).toBe('https');
    expect(seen.forwarded).toBe(
      'for=203.0.113.9;proto=https, for=127.0.0.1;proto=http;host=shop.example',
    );
    expect(seen.host).toBe(new URL(b.url).host);
    expect(seen.via).toBe('1.1 srekit');
    expect(res.headers.via).toBe('1.1 srekit');
  });

  it('quotes IPv6 nodes in forwarded', () => {
    expect(forwardedElement({ ip: '2001:db8::1', proto: 'https', host: 'a.example' })).toBe(
      'for="[2001:db8::1]";proto=https;host=a.example',
    );
    expect(forwardedElement({ ip: undefined, proto: 'http', host: undefined })).toBe(
      'for=unknown;proto=http',
    );
  });

  it('forwards the URL below the mount path as express middleware, and joins a backend base path', async () => {
    const b = await echoBackend('b0');
    const pool = poolOf([`${b.url}/base/`]);
    const proxy = createProxy(pool);
    onCleanup(() => proxy.close({ timeoutMs: 0 }));
    const app = express();
    app.use('/api', proxy);
    const { url } = await start(http.createServer(app));
    const res = await send(`${url}/api/orders/42?x=1`);
    expect(res.status).toBe(200);
    expect(json<Echo>(res).url).toBe('/base/orders/42?x=1');
  });

  it('sends a body that express.json() already parsed', async () => {
    const b = await echoBackend('b0');
    const proxy = createProxy(poolOf([b.url]));
    onCleanup(() => proxy.close({ timeoutMs: 0 }));
    const app = express();
    app.use(express.json());
    app.use('/api', proxy);
    const { url } = await start(http.createServer(app));
    const res = await send(`${url}/api/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{ "item":  "tea", "n": 2 }',
    });
    expect(res.status).toBe(200);
    const echo = json<Echo>(res);
    expect(JSON.parse(echo.body)).toEqual({ item: 'tea', n: 2 });
    expect(echo.headers['content-length']).toBe(String(Buffer.byteLength(echo.body)));
  });

  it('streams a request body and keeps its method', async () => {
    const b = await echoBackend('b0');
    const { url } = await proxyServer(poolOf([b.url]));
    const res = await send(`${url}/items`, {
      method: 'PATCH',
      headers: { 'content-type': 'text/plain' },
      body: 'hello body',
    });
    const echo = json<Echo>(res);
    expect(echo.method).toBe('PATCH');
    expect(echo.body).toBe('hello body');
    expect(echo.headers['content-type']).toBe('text/plain');
  });
});
