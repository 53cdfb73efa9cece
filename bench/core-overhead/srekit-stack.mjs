// The full srekit stack: everything srekit-full turns on (metrics, tracing to a discarding
// exporter, access log to a file) plus @srekit/security on the route: securityHeaders('api'),
// a memory-store rateLimit() whose limit is never reached, and jwtAuth() verifying an HS256
// bearer token on every request (the runner sends stack-token.mjs's token).
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createTelemetry } from '@srekit/core';
import express from 'express';
import discard from './discard-exporter.cjs';
import serverUtil from './server-util.cjs';
import { AUDIENCE, ISSUER, SECRET } from './stack-token.mjs';

const { jwtAuth, rateLimit, securityHeaders } = await import(
  new URL('../../packages/security/dist/index.js', import.meta.url).href
);

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
app.use(securityHeaders({ preset: 'api' }));
app.get('/metrics', telemetry.metricsHandler());
app.get(
  '/users/:id',
  rateLimit({
    policy: 'bench',
    limit: 1_000_000_000,
    windowMs: 60_000,
    registry: telemetry.registry,
  }),
  jwtAuth({
    algorithms: ['HS256'],
    issuer: ISSUER,
    audience: AUDIENCE,
    secret: SECRET,
    registry: telemetry.registry,
  }),
  (req, res) => {
    res.json({ id: req.params.id });
  },
);
serverUtil.serve(app, {
  name: 'srekit-stack',
  shutdown: async () => {
    await telemetry.shutdown();
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
