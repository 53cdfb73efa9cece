import type http from 'node:http';
import { parseExposition } from '@srekit/core/testing';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import {
  backend,
  echoBackend,
  json,
  poolOf,
  proxyServer,
  refusedUrl,
  send,
} from './support/proxy-servers.js';

/** A backend that answers 503 and counts what it got. */
async function failing(status = 503) {
  const seen: { method: string; body: string }[] = [];
  const started = await backend((req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', body: Buffer.concat(chunks).toString() });
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end('failing');
    });
  });
  return { ...started, seen };
}

const fastBackoff = { baseMs: 1, maxMs: 2 };

describe('proxy retries', () => {
  it('retries a GET on the other backend after a 503, and counts the retry', async () => {
    const bad = await failing();
    const good = await echoBackend('good');
    const registry = new Registry();
    const pool = poolOf([bad.url, good.url], { registry, strategy: 'round-robin' });
    const { url } = await proxyServer(pool, { backoff: fastBackoff });
    const answers: string[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await send(`${url}/item`);
      expect(res.status).toBe(200);
      answers.push(String(json(res).name));
    }
    expect(answers).toEqual(['good', 'good', 'good', 'good']);
    expect(bad.seen.length).toBeGreaterThanOrEqual(1);
    expect(bad.seen.length).toBeLessThanOrEqual(4);
    const parsed = parseExposition(await registry.metrics());
    const retries = parsed.samples
      .filter((s) => s.name === 'loadbalancer_retries_total')
      .reduce((sum, s) => sum + s.value, 0);
    expect(retries).toBe(bad.seen.length);
  });

  it('does not retry a POST with a body; the 503 reaches the client', async () => {
    const bad = await failing();
    const good = await echoBackend('good');
    const pool = poolOf([bad.url, good.url], { strategy: 'round-robin' });
    const { url } = await proxyServer(pool, { backoff: fastBackoff });
    const statuses: number[] = [];
    for (let i = 0; i < 2; i++) {
      statuses.push((await send(`${url}/orders`, { method: 'POST', body: 'order' })).status);
    }
    expect(statuses.sort()).toEqual([200, 503]);
    expect(bad.seen).toEqual([{ method: 'POST', body: 'order' }]);
  });

  it('replays a small POST body with retryNonIdempotent', async () => {
    const bad = await failing();
    const good = await echoBackend('good');
    const pool = poolOf([bad.url, good.url], { strategy: 'round-robin' });
    const { url } = await proxyServer(pool, { backoff: fastBackoff, retryNonIdempotent: true });
    for (let i = 0; i < 2; i++) {
      const res = await send(`${url}/orders`, { method: 'POST', body: `order ${i}` });
      expect(res.status).toBe(200);
      expect(json(res).body).toBe(`order ${i}`);
    }
    // Round robin sends each first try to the failing backend: the body went there and again.
    expect(bad.seen).toEqual([
      { method: 'POST', body: 'order 0' },
      { method: 'POST', body: 'order 1' },
    ]);
  });

  it('does not replay a POST body larger than maxReplayBodyBytes', async () => {
    const bad = await failing();
    const good = await echoBackend('good');
    const pool = poolOf([bad.url, good.url], { strategy: 'round-robin' });
    const { url } = await proxyServer(pool, {
      backoff: fastBackoff,
      retryNonIdempotent: true,
      maxReplayBodyBytes: 8,
    });
    const statuses: number[] = [];
    for (let i = 0; i < 2; i++) {
      statuses.push((await send(`${url}/o`, { method: 'POST', body: 'x'.repeat(1000) })).status);
    }
    expect(statuses.sort()).toEqual([200, 503]);
  });

  it('retries a refused connection for any method: the backend saw nothing', async () => {
    const refused = await refusedUrl();
    const good = await echoBackend('good');
    const pool = poolOf([refused, good.url], { strategy: 'round-robin' });
    const { url } = await proxyServer(pool, { backoff: fastBackoff });
    for (let i = 0; i < 2; i++) {
      const res = await send(`${url}/o`, { method: 'POST', body: 'x'.repeat(100_000) });
      expect(res.status).toBe(200);
      expect(String(json(res).body)).toHaveLength(100_000);
    }
  });

  it('gives up after `retries` and relays the last answer', async () => {
    const a = await failing(502);
    const b = await failing(502);
    const pool = poolOf([a.url, b.url], { strategy: 'round-robin' });
    const { url } = await proxyServer(pool, { retries: 1, backoff: fastBackoff });
    const res = await send(url);
    expect(res.status).toBe(502);
    expect(res.body).toBe('failing');
    expect(a.seen.length + b.seen.length).toBe(2);
  });

  it('retries a per-try timeout on the other backend within the deadline', async () => {
    const hanging = await backend(() => undefined);
    const good = await echoBackend('good');
    const pool = poolOf([hanging.url, good.url], { strategy: 'round-robin' });
    const { url } = await proxyServer(pool, {
      perTryTimeoutMs: 100,
      timeoutMs: 2_000,
      backoff: fastBackoff,
    });
    for (let i = 0; i < 2; i++) {
      const res = await send(url);
      expect(res.status).toBe(200);
    }
  });

  it('spends no retry when the budget is empty', async () => {
    const bad = await failing();
    const good = await echoBackend('good');
    const pool = poolOf([bad.url, good.url], { strategy: 'round-robin' });
    const { url } = await proxyServer(pool, {
      backoff: fastBackoff,
      retryBudget: { budgetPercent: 0, minRetryConcurrency: 0 },
    });
    const statuses = [(await send(url)).status, (await send(url)).status].sort();
    expect(statuses).toEqual([200, 503]);
  });
});
