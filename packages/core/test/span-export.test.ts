/**
 * Span export is counted: every sampled span ends up exported, dropped because the batch queue
 * was full, or dropped because the export failed, and `/metrics` says which
 * (`srekit_tracing_spans_exported_total`, `srekit_tracing_spans_dropped_total{reason}`).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createTelemetry, METRICS, type Telemetry } from '../src/index.js';
import { LogCapture } from '../src/testing/index.js';
import { serveWith } from './helpers.js';

const saved = { ...process.env };
const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (closers.length > 0) await closers.pop()?.();
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  Object.assign(process.env, saved);
});

/** A collector on loopback: answers 200, or holds every request open (`hang`). */
async function collector(mode: 'ok' | 'hang'): Promise<{ url: string; batches: () => number }> {
  let batches = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      batches++;
      if (mode === 'ok') res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => server.close(r));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    batches: () => batches,
  };
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return `http://127.0.0.1:${port}`;
}

async function counts(telemetry: Telemetry): Promise<{
  exported: number | undefined;
  queueFull: number;
  exportFailed: number;
}> {
  const metrics = await telemetry.registry.getMetricsAsJSON();
  const find = (name: string) => metrics.find((m) => m.name === name);
  const exported = find(METRICS.tracingSpansExported.name)?.values[0]?.value;
  const dropped = find(METRICS.tracingSpansDropped.name)?.values ?? [];
  const reason = (r: string) => dropped.find((v) => v.labels.reason === r)?.value ?? Number.NaN;
  return { exported, queueFull: reason('queue_full'), exportFailed: reason('export_failed') };
}

/** Telemetry with its OTLP export set up from the environment, serving `/x`; `n` requests made. */
async function served(n: number): Promise<Telemetry> {
  const telemetry = createTelemetry({
    serviceName: 'span-export',
    logging: { destination: new LogCapture() },
  });
  const server = await serveWith(telemetry, '/x');
  closers.push(() => server.close());
  for (let i = 0; i < n; i++) await (await fetch(`${server.url}/x`)).arrayBuffer();
  return telemetry;
}

describe('span export counters', () => {
  it('counts spans the collector accepted as exported, none dropped', async () => {
    const c = await collector('ok');
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = c.url;
    process.env.OTEL_BSP_SCHEDULE_DELAY = '50';
    const telemetry = await served(12);
    await telemetry.shutdown();
    expect(await counts(telemetry)).toEqual({ exported: 12, queueFull: 0, exportFailed: 0 });
    expect(c.batches()).toBeGreaterThan(0);
  });

  it('counts spans of failed exports when the endpoint is down, and answers requests anyway', async () => {
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = await closedPort();
    process.env.OTEL_EXPORTER_OTLP_TRACES_TIMEOUT = '500';
    process.env.OTEL_BSP_SCHEDULE_DELAY = '50';
    const telemetry = await served(10);
    await telemetry.shutdown();
    expect(await counts(telemetry)).toEqual({ exported: 0, queueFull: 0, exportFailed: 10 });
  });

  it('counts spans dropped from a full queue while the collector hangs: every span accounted for once', async () => {
    const c = await collector('hang');
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = c.url;
    process.env.OTEL_EXPORTER_OTLP_TRACES_TIMEOUT = '800';
    process.env.OTEL_BSP_MAX_QUEUE_SIZE = '4';
    process.env.OTEL_BSP_MAX_EXPORT_BATCH_SIZE = '4';
    process.env.OTEL_BSP_SCHEDULE_DELAY = '60000';
    const telemetry = await served(20);
    const during = await counts(telemetry);
    expect(during.queueFull).toBeGreaterThan(0);
    await telemetry.shutdown();
    const after = await counts(telemetry);
    expect(after.exported).toBe(0);
    expect(after.exportFailed).toBeGreaterThan(0);
    expect(after.queueFull + after.exportFailed).toBe(20);
  });

  it('leaves the SDK to other exporters and protocols, without counters', async () => {
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = await closedPort();
    process.env.OTEL_EXPORTER_OTLP_PROTOCOL = 'grpc';
    process.env.OTEL_EXPORTER_OTLP_TRACES_TIMEOUT = '500';
    const telemetry = await served(1);
    expect((await counts(telemetry)).exported).toBeUndefined();
    await telemetry.shutdown();
  });
});
