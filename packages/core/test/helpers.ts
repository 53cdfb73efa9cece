import express, { type Express } from 'express';
import { afterEach } from 'vitest';
import { createTelemetry, type Telemetry, type TelemetryOptions } from '../src/index.js';
import {
  createInMemoryTracing,
  type InMemoryTracing,
  LogCapture,
  listen,
  type TestServer,
} from '../src/testing/index.js';

export interface Harness {
  telemetry: Telemetry;
  app: Express;
  spans: InMemoryTracing;
  logs: LogCapture;
  server: TestServer;
  url: string;
}

const open: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  while (open.length > 0) await open.pop()?.();
});

/**
 * An express app on an ephemeral loopback port with telemetry capturing spans and logs in
 * memory. `routes` adds the app's routes after the middleware and the srekit endpoints.
 */
export async function startHarness(
  routes: (app: Express, telemetry: Telemetry) => void,
  options: TelemetryOptions = {},
): Promise<Harness> {
  const spans = createInMemoryTracing();
  const logs = new LogCapture();
  const telemetry = createTelemetry({
    serviceName: 'test-service',
    serviceVersion: '1.2.3',
    ...options,
    tracing: { spanProcessors: spans.spanProcessors, ...options.tracing },
    logging: { destination: logs, ...options.logging },
  });
  const app = express();
  app.use(telemetry.middleware());
  app.get('/metrics', telemetry.metricsHandler());
  app.get('/livez', telemetry.health.liveness());
  app.get('/readyz', telemetry.health.readiness());
  app.get('/startupz', telemetry.health.startup());
  routes(app, telemetry);
  const server = await listen(app);
  telemetry.attach(server.server);
  open.push(async () => {
    await telemetry.shutdown();
    await server.close();
  });
  return { telemetry, app, spans, logs, server, url: server.url };
}

/**
 * Serves `telemetry` on an ephemeral port: its middleware, `/metrics`, and one route `path`
 * answering `ok`. The server is attached for draining; close it after `telemetry.shutdown()`.
 */
export async function serveWith(telemetry: Telemetry, path = '/x'): Promise<TestServer> {
  const app = express();
  app.use(telemetry.middleware());
  app.get('/metrics', telemetry.metricsHandler());
  app.get(path, (_req, res) => void res.send('ok'));
  const server = await listen(app);
  telemetry.attach(server.server);
  return server;
}

/** Waits until `predicate` holds (the access log and span end run on the response's close event). */
export async function eventually<T>(read: () => T | undefined, timeoutMs = 2000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
