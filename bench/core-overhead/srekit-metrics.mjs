// srekit, metrics only: RED metrics middleware, tracing off, access log off.
import { createTelemetry } from '@srekit/core';
import express from 'express';
import serverUtil from './server-util.cjs';

const telemetry = createTelemetry({
  serviceName: 'bench',
  tracing: { enabled: false },
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
  name: 'srekit-metrics',
  shutdown: async () => {
    await telemetry.shutdown();
    return {};
  },
});
