import http from 'node:http';
import { SpanKind } from '@opentelemetry/api';
import { createTelemetry } from '@srekit/core';
import { createInMemoryTracing, LogCapture } from '@srekit/core/testing';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { createProxy } from '../src/proxy/create-proxy.js';
import {
  backend,
  echoBackend,
  json,
  onCleanup,
  poolOf,
  send,
  start,
} from './support/proxy-servers.js';

async function tracedProxy(urls: string[]) {
  const spans = createInMemoryTracing();
  const telemetry = createTelemetry({
    serviceName: 'edge',
    tracing: { spanProcessors: spans.spanProcessors },
    logging: { destination: new LogCapture() },
  });
  const proxy = createProxy(poolOf(urls, { strategy: 'round-robin' }), {
    backoff: { baseMs: 1, maxMs: 2 },
  });
  const app = express();
  app.use(telemetry.middleware());
  app.use('/api', proxy);
  const started = await start(http.createServer(app));
  onCleanup(async () => {
    await proxy.close({ timeoutMs: 0 });
    await telemetry.shutdown();
  });
  return { ...started, spans };
}

function waitForSpans(read: () => number, n: number): Promise<void> {
  const until = Date.now() + 2_000;
  return new Promise((resolve, reject) => {
    const tick = (): void => {
      if (read() >= n) resolve();
      else if (Date.now() > until) reject(new Error(`fewer than ${n} spans`));
      else setTimeout(tick, 10);
    };
    tick();
  });
}

describe('proxy tracing', () => {
  it('continues the trace at the backend with one CLIENT span per try', async () => {
    const failing = await backend((_req, res) => {
      res.statusCode = 503;
      res.end('down');
    });
    const good = await echoBackend('good');
    const { url, spans } = await tracedProxy([failing.url, good.url]);
    const res = await send(`${url}/api/orders`);
    expect(res.status).toBe(200);
    const traceparent = String(json<{ headers: Record<string, string> }>(res).headers.traceparent);
    expect(traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);

    const finished = () => spans.exporter.getFinishedSpans();
    await waitForSpans(() => finished().length, 3);
    const server = finished().find((s) => s.kind === SpanKind.SERVER);
    const clients = finished().filter((s) => s.kind === SpanKind.CLIENT);
    expect(server).toBeDefined();
    expect(clients.map((s) => s.name)).toEqual(['HTTP GET', 'HTTP GET']);
    const [first, second] = clients;
    const traceId = server?.spanContext().traceId;
    for (const span of clients) {
      expect(span.spanContext().traceId).toBe(traceId);
      expect(span.parentSpanContext?.spanId).toBe(server?.spanContext().spanId);
      expect(span.attributes['http.request.method']).toBe('GET');
      expect(span.attributes['server.address']).toBe('127.0.0.1');
      expect(typeof span.attributes['server.port']).toBe('number');
    }
    expect(first?.attributes['http.response.status_code']).toBe(503);
    expect(first?.attributes['error.type']).toBe('503');
    expect(first?.attributes['srekit.backend.id']).toBe('b0');
    expect(first?.attributes['http.request.resend_count']).toBeUndefined();
    expect(second?.attributes['http.response.status_code']).toBe(200);
    expect(second?.attributes['srekit.backend.id']).toBe('b1');
    expect(second?.attributes['http.request.resend_count']).toBe(1);
    expect(second?.attributes['url.full']).toBe(`${good.url}/orders`);
    // The backend's parent is the try that reached it.
    expect(traceparent.split('-')[1]).toBe(traceId);
    expect(traceparent.split('-')[2]).toBe(second?.spanContext().spanId);
  });
});
