import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Histogram, Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createTelemetry,
  ERROR_CODES,
  isSrekitError,
  METRICS,
  parseResourceAttributes,
} from '../src/index.js';
import { createInMemoryTracing, LogCapture } from '../src/testing/index.js';
import { serveWith } from './helpers.js';

const saved = { ...process.env };
afterEach(() => {
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  Object.assign(process.env, saved);
});

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('createTelemetry()', () => {
  it('takes the service identity from OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES', async () => {
    process.env.OTEL_SERVICE_NAME = 'from-env';
    process.env.OTEL_RESOURCE_ATTRIBUTES =
      'service.version=2.0.1,deployment.environment.name=staging%20eu';
    const logs = new LogCapture();
    const telemetry = createTelemetry({
      tracing: { enabled: false },
      logging: { destination: logs },
    });
    expect(telemetry.service).toEqual({
      name: 'from-env',
      version: '2.0.1',
      environment: 'staging eu',
    });
    telemetry.logger.info('hello');
    expect(logs.find((r) => r.msg === 'hello')).toMatchObject({
      service: 'from-env',
      service_version: '2.0.1',
    });
    expect(logs.find((r) => r.code === ERROR_CODES.NO_SERVICE_NAME)).toBeUndefined();
    await telemetry.shutdown();
  });

  it('warns with a code when no service name is given, and the warning can be turned off', async () => {
    delete process.env.OTEL_SERVICE_NAME;
    delete process.env.OTEL_RESOURCE_ATTRIBUTES;
    const logs = new LogCapture();
    const a = createTelemetry({ tracing: { enabled: false }, logging: { destination: logs } });
    expect(a.service.name).toBe('unknown_service:node');
    expect(logs.find((r) => r.code === ERROR_CODES.NO_SERVICE_NAME)?.msg).toContain(
      'OTEL_SERVICE_NAME',
    );
    await a.shutdown();
    const quiet = new LogCapture();
    const b = createTelemetry({
      tracing: { enabled: false },
      logging: { destination: quiet },
      validations: { serviceName: false },
    });
    expect(quiet.find((r) => r.code === ERROR_CODES.NO_SERVICE_NAME)).toBeUndefined();
    await b.shutdown();
  });

  it('refuses bad buckets and drain timeouts with an error that names the option', () => {
    for (const buckets of [[], [0.1, 0.1], [-1, 1], [0.5, Number.NaN]]) {
      const error = thrown(() =>
        createTelemetry({ serviceName: 's', metrics: { durationBucketsSeconds: buckets } }),
      );
      expect(isSrekitError(error)).toBe(true);
      expect((error as { code: string }).code).toBe(ERROR_CODES.INVALID_OPTION);
      expect((error as Error).message).toContain('metrics.durationBucketsSeconds');
    }
    const error = thrown(() =>
      createTelemetry({ serviceName: 's', shutdown: { drainTimeoutMs: -5 } }),
    );
    expect((error as Error).message).toContain('shutdown.drainTimeoutMs');
  });

  it('uses configurable buckets, including sub-millisecond ones', async () => {
    const telemetry = createTelemetry({
      serviceName: 's',
      tracing: { enabled: false },
      logging: { destination: new LogCapture() },
      metrics: { durationBucketsSeconds: [0.0001, 0.0005, 0.001] },
    });
    const server = await serveWith(telemetry);
    await fetch(`${server.url}/x`);
    const text = await (await fetch(`${server.url}/metrics`)).text();
    const les = [
      ...text.matchAll(
        new RegExp(`${METRICS.httpServerRequestDuration.name}_bucket\\{le="([^"]+)"`, 'g'),
      ),
    ].map((m) => m[1]);
    expect(les).toEqual(['0.0001', '0.0005', '0.001', '+Inf']);
    expect(text).toContain('process_cpu_user_seconds_total');
    await telemetry.shutdown();
    await server.close();
  });

  it('works on a text-mode registry, exemplars included', async () => {
    const registry = new Registry();
    const telemetry = createTelemetry({
      serviceName: 's',
      tracing: { spanProcessors: createInMemoryTracing().spanProcessors },
      logging: { destination: new LogCapture() },
      metrics: { registry, defaultMetrics: false },
    });
    expect(telemetry.registry).toBe(registry);
    const server = await serveWith(telemetry);
    const traceId = '11111111111111111111111111111111';
    await fetch(`${server.url}/x`, {
      headers: { traceparent: `00-${traceId}-2222222222222222-01` },
    });
    const om = await (
      await fetch(`${server.url}/metrics`, { headers: { accept: 'application/openmetrics-text' } })
    ).text();
    expect(om).toContain(`# {trace_id="${traceId}"}`);
    // prom-client's own serialiser reads core's histogram too.
    expect(await registry.metrics()).toContain(
      `${METRICS.httpServerRequestDuration.name}_count{http_request_method="GET",http_route="/x",http_response_status_code="200"} 1`,
    );
    await telemetry.shutdown();
    await server.close();
  });

  it('exports spans over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT is set', async () => {
    const received: { path: string; body: Buffer; type: string | undefined }[] = [];
    const collector = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({
          path: req.url ?? '',
          body: Buffer.concat(chunks),
          type: req.headers['content-type'],
        });
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    const { port } = collector.address() as AddressInfo;
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${port}`;
    process.env.OTEL_BSP_SCHEDULE_DELAY = '50';

    const telemetry = createTelemetry({
      serviceName: 'exporting',
      logging: { destination: new LogCapture() },
    });
    const server = await serveWith(telemetry, '/traced');
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    await fetch(`${server.url}/traced`, {
      headers: { traceparent: `00-${traceId}-b7ad6b7169203331-01` },
    });
    await telemetry.shutdown();
    collector.close();

    const traces = received.filter((r) => r.path === '/v1/traces');
    expect(traces.length).toBeGreaterThan(0);
    expect(traces[0]?.type).toContain('application/x-protobuf');
    const all = Buffer.concat(traces.map((t) => t.body));
    expect(all.includes(Buffer.from(traceId, 'hex'))).toBe(true);
    expect(all.includes(Buffer.from('GET /traced'))).toBe(true);
    expect(all.includes(Buffer.from('exporting'))).toBe(true);
  });

  it('samples per OTEL_TRACES_SAMPLER: always_off leaves no exemplar but keeps the request id', async () => {
    process.env.OTEL_TRACES_SAMPLER = 'always_off';
    const logs = new LogCapture();
    const telemetry = createTelemetry({ serviceName: 'unsampled', logging: { destination: logs } });
    const server = await serveWith(telemetry);
    await fetch(`${server.url}/x`);
    const text = await (
      await fetch(`${server.url}/metrics`, { headers: { accept: 'application/openmetrics-text' } })
    ).text();
    expect(text).toContain('http_route="/x"');
    expect(text).not.toContain('trace_id=');
    await telemetry.shutdown();
    await server.close();
  });
});

describe('createTelemetry() validation', () => {
  it('names the option and the fix for every bad value', () => {
    const cases: [Parameters<typeof createTelemetry>[0], string][] = [
      [{ shutdown: { readinessGraceMs: -1 } }, 'shutdown.readinessGraceMs'],
      [{ health: { defaultTimeoutMs: 0 } }, 'health.defaultTimeoutMs'],
      [{ http: { requestIdHeader: 'x request id' } }, 'http.requestIdHeader'],
      [{ logging: { level: 'verbose' as never } }, 'logging.level'],
      [{ metrics: { maxSeriesPerMetric: 0 } }, 'metrics.maxSeriesPerMetric'],
    ];
    for (const [options, name] of cases) {
      const error = thrown(() =>
        createTelemetry({ serviceName: 's', tracing: { enabled: false }, ...options }),
      );
      expect(isSrekitError(error), name).toBe(true);
      expect((error as Error).message).toContain(name);
    }
    process.env.LOG_LEVEL = 'loud';
    expect(
      (thrown(() => createTelemetry({ serviceName: 's', tracing: { enabled: false } })) as Error)
        .message,
    ).toContain('LOG_LEVEL');
  });

  it('refuses to share a registry metric of another shape', () => {
    const registry = new Registry();
    new Histogram({
      name: METRICS.httpServerRequestDuration.name,
      help: 'x',
      labelNames: ['path'],
      registers: [registry],
    });
    const error = thrown(() =>
      createTelemetry({
        serviceName: 's',
        tracing: { enabled: false },
        metrics: { registry, defaultMetrics: false },
      }),
    );
    expect((error as { code: string }).code).toBe(ERROR_CODES.METRIC_CONFLICT);
    expect((error as Error).message).toContain('[path]');
  });
});

describe('tracing edge cases', () => {
  it('writes no all-zero ids when no real tracer provider exists', async () => {
    const logs = new LogCapture();
    const telemetry = createTelemetry({
      serviceName: 's',
      tracing: { useGlobalProvider: true },
      logging: { destination: logs },
    });
    expect(telemetry.tracingEnabled).toBe(false);
    expect(logs.find((r) => r.code === ERROR_CODES.NO_TRACER_PROVIDER)).toBeDefined();
    const server = await serveWith(telemetry);
    await fetch(`${server.url}/x`);
    await telemetry.shutdown();
    await server.close();
    const access = logs.find((r) => r.msg === 'request completed');
    expect(access?.request_id).toBeDefined();
    expect(access).not.toHaveProperty('trace_id');
  });

  it('flushes spans of requests that just finished and labels them with the service identity', async () => {
    process.env.OTEL_RESOURCE_ATTRIBUTES = 'service.version=9.9.9,team=payments';
    const spans = createInMemoryTracing();
    const telemetry = createTelemetry({
      serviceName: 'flushing',
      serviceVersion: '1.0.0',
      tracing: { spanProcessors: spans.spanProcessors },
      logging: { destination: new LogCapture() },
    });
    const server = await serveWith(telemetry);
    await (await fetch(`${server.url}/x`)).text();
    await telemetry.shutdown();
    const finished = spans.exporter.getFinishedSpans();
    expect(finished.map((s) => s.name)).toEqual(['GET /x']);
    const attributes = finished[0]?.resource.attributes ?? {};
    expect(attributes['service.name']).toBe('flushing');
    expect(attributes['service.version']).toBe('1.0.0');
    expect(attributes.team).toBe('payments');
    expect(attributes['telemetry.sdk.language']).toBe('nodejs');
    await server.close();
  });
});

describe('parseResourceAttributes', () => {
  it('parses percent-encoded pairs and skips malformed ones', () => {
    expect(parseResourceAttributes('a=1,b=hello%2Cworld,broken,=x, c = 3 ')).toEqual({
      a: '1',
      b: 'hello,world',
      c: '3',
    });
    expect(parseResourceAttributes(undefined)).toEqual({});
  });
});
