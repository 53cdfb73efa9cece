// srekit, metrics + tracing (BatchSpanProcessor to a discarding exporter); access log off: the
// middle step between srekit-metrics and srekit-full.
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createTelemetry } from '@srekit/core';
import express from 'express';
import discard from './discard-exporter.cjs';
import serverUtil from './server-util.cjs';

const exporter = new discard.DiscardExporter();

const telemetry = createTelemetry({
  serviceName: 'bench',
  tracing: { enabled: true, spanProcessors: [new BatchSpanProcessor(exporter)] },
  logging: { accessLog: false },
  metrics: { defaultMetrics: true },
});

const app = express();
app.use(telemetry.middleware());
app.get('/metrics', telemetry.metricsHandler());
app.get('/users/:id', (req, res) => {
  res.json({ id: req.params.id });
});
serverUtil.serve(app, {
  name: 'srekit-tracing',
  shutdown: async () => {
    await telemetry.shutdown();
    return { exportedSpans: exporter.exported };
  },
});
