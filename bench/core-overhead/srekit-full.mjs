// srekit, everything on: metrics, tracing (BatchSpanProcessor to a discarding exporter) and an
// access log written to a file under os.tmpdir() (deleted on exit).
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createTelemetry } from '@srekit/core';
import express from 'express';
import discard from './discard-exporter.cjs';
import serverUtil from './server-util.cjs';

const exporter = new discard.DiscardExporter();
const accessLogPath = join(tmpdir(), `srekit-bench-access-${process.pid}.log`);

const telemetry = createTelemetry({
  serviceName: 'bench',
  tracing: { enabled: true, spanProcessors: [new BatchSpanProcessor(exporter)] },
  logging: { destination: accessLogPath },
  metrics: { defaultMetrics: true },
});

const app = express();
app.use(telemetry.middleware());
app.get('/metrics', telemetry.metricsHandler());
app.get('/users/:id', (req, res) => {
  res.json({ id: req.params.id });
});
serverUtil.serve(app, {
  name: 'srekit-full',
  shutdown: async () => {
    await telemetry.shutdown(); // flushes the span processor and the log destination
    let accessLogLines = 0;
    try {
      const text = readFileSync(accessLogPath, 'utf8');
      for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) accessLogLines++;
    } catch {
      accessLogLines = -1;
    }
    rmSync(accessLogPath, { force: true });
    return { exportedSpans: exporter.exported, accessLogLines };
  },
});
