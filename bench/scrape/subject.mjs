// One measured process for bench/scrape/run.mjs (started with an IPC channel, one per case and
// subject so that heaps do not interfere). It fills a registry with the requested series, serves
// it over HTTP on 127.0.0.1, and measures its own event loop while the parent scrapes it.
//
//   subject=srekit      createTelemetry().registry, served by telemetry.metricsHandler()
//   subject=prom-client a plain prom-client Registry, served by an express route calling
//                       registry.metrics(), and also timed as a direct registry.metrics() call
//
// Parent → child messages: { cmd: 'reset' } | { cmd: 'read' } | { cmd: 'direct' } | { cmd: 'exit' }
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import express from 'express';
import client from 'prom-client';

const [subject, kind, countText] = process.argv.slice(2);
const count = Number(countText);
if (
  !['srekit', 'prom-client'].includes(subject) ||
  !['counter', 'histogram'].includes(kind) ||
  !(count > 0)
) {
  throw new Error('usage: subject.mjs <srekit|prom-client> <counter|histogram> <labelSets>');
}

const app = express();
let registry;
let shutdown = async () => {};
if (subject === 'srekit') {
  const { createTelemetry } = await import('@srekit/core');
  const telemetry = createTelemetry({
    serviceName: 'bench',
    tracing: { enabled: false },
    logging: { accessLog: false },
    metrics: { defaultMetrics: false },
  });
  registry = telemetry.registry;
  app.get('/metrics', telemetry.metricsHandler());
  shutdown = () => telemetry.shutdown();
} else {
  registry = new client.Registry();
  app.get('/metrics', async (req, res) => {
    const openMetrics = /application\/openmetrics-text/.test(req.get('accept') ?? '');
    registry.setContentType(
      openMetrics
        ? client.Registry.OPENMETRICS_CONTENT_TYPE
        : client.Registry.PROMETHEUS_CONTENT_TYPE,
    );
    res.set('Content-Type', registry.contentType);
    res.end(await registry.metrics());
  });
}

// The same series on either registry: HTTP-RED-like label sets.
const methods = ['GET', 'POST', 'PUT', 'DELETE'];
const codes = ['200', '201', '404', '500', '503'];
const labelSet = (i) => ({
  method: methods[i % methods.length],
  route: `/api/v1/resource-${Math.floor(i / (methods.length * codes.length))}/:id`,
  status_code: codes[Math.floor(i / methods.length) % codes.length],
});
if (kind === 'counter') {
  const counter = new client.Counter({
    name: 'bench_requests_total',
    help: 'Synthetic counter for the scrape benchmark.',
    labelNames: ['method', 'route', 'status_code'],
    registers: [registry],
  });
  for (let i = 0; i < count; i++) counter.inc(labelSet(i), (i % 97) + 1);
} else {
  const histogram = new client.Histogram({
    name: 'bench_request_duration_seconds',
    help: 'Synthetic histogram for the scrape benchmark.',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  for (let i = 0; i < count; i++) histogram.observe(labelSet(i), ((i % 1000) + 1) / 1000);
}

// Event-loop measurement: the perf_hooks histogram plus a 1 ms interval that records the largest
// gap between two of its ticks (the loop is blocked for roughly gap − 1 ms).
const eld = monitorEventLoopDelay({ resolution: 1 });
eld.enable();
let last = performance.now();
let maxGap = 0;
setInterval(() => {
  const now = performance.now();
  if (now - last > maxGap) maxGap = now - last;
  last = now;
}, 1);
const reset = () => {
  eld.reset();
  maxGap = 0;
  last = performance.now();
};
// maxDelayMs: the larger of the two views, in the histogram's terms (delay beyond the 1 ms tick).
const read = () => ({
  eldMaxMs: eld.max / 1e6,
  gapMaxMs: maxGap,
  maxDelayMs: Math.max(eld.max / 1e6, maxGap - 1),
});
const settle = () => new Promise((resolve) => setTimeout(resolve, 25));

let lastServerMs = 0;
const server = app.listen(0, '127.0.0.1');
server.on('request', (_req, res) => {
  const t0 = performance.now();
  res.on('finish', () => {
    lastServerMs = performance.now() - t0;
  });
});
await new Promise((resolve) => server.once('listening', resolve));

process.on('message', async (msg) => {
  try {
    if (msg.cmd === 'reset') {
      reset();
      process.send({ ok: true });
    } else if (msg.cmd === 'read') {
      await settle();
      process.send({ ...read(), serverMs: lastServerMs });
    } else if (msg.cmd === 'direct') {
      await settle();
      reset();
      // monitorEventLoopDelay drops the first interval after reset(): let a few ticks pass first.
      await new Promise((resolve) => setTimeout(resolve, 5));
      const t0 = performance.now();
      const text = await registry.metrics();
      const wallMs = performance.now() - t0;
      await settle();
      process.send({ ...read(), wallMs, bytes: Buffer.byteLength(text), lines: countLines(text) });
    } else if (msg.cmd === 'exit') {
      server.closeAllConnections();
      server.close();
      await shutdown();
      process.exit(0);
    }
  } catch (err) {
    process.send({ error: String(err?.stack ?? err) });
  }
});

function countLines(text) {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

process.send({ ready: true, port: server.address().port, series: countSeries() });

function countSeries() {
  // Series of the synthetic metric only (histogram: one series per bucket, plus _sum and _count).
  return kind === 'counter' ? count : count * (11 + 1 + 2);
}
