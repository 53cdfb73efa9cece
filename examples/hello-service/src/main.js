import { createTelemetry } from '@srekit/core';
import { createApp } from './app.js';

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '127.0.0.1';

// The srekit lines: telemetry first, then its middleware, metrics and probes.
const telemetry = createTelemetry({
  serviceName: 'hello-service',
  serviceVersion: '0.0.0',
  shutdown: { handleSignals: true, drainTimeoutMs: 5000 },
});
const app = createApp({
  beforeRoutes: [telemetry.middleware()],
  afterRoutes: [telemetry.errorHandler()],
});
app.get('/metrics', telemetry.metricsHandler());
app.get('/livez', telemetry.health.liveness());
app.get('/readyz', telemetry.health.readiness());
telemetry.health.register('event-loop', () => true, { timeoutMs: 200 });

const server = app.listen(port, host, () => {
  const base = `http://${host}:${port}`;
  process.stdout.write(
    [
      '',
      `hello-service is up (srekit core): ${base}/`,
      `  metrics    ${base}/metrics`,
      `  liveness   ${base}/livez`,
      `  readiness  ${base}/readyz`,
      `  try        ${base}/users/1  ${base}/slow  ${base}/flaky  ${base}/boom`,
      'Ctrl-C stops it (graceful: readiness off, in-flight requests finish).',
      '',
    ].join('\n'),
  );
});
server.on('error', (error) => {
  telemetry.logger.fatal(
    { err: error },
    `cannot listen on ${host}:${port}; set PORT to a free port`,
  );
  process.exitCode = 1;
});
telemetry.attach(server);
