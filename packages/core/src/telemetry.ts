import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { CardinalityGuard } from './cardinality-guard.js';
import { DEFAULTS } from './defaults.js';
import { createErrorHandler, type ErrorHandler } from './error-handler.js';
import { ERROR_CODES, invalidOption, SrekitError } from './errors.js';
import {
  negotiateFormat,
  OPENMETRICS_CONTENT_TYPE,
  PROMETHEUS_CONTENT_TYPE,
  writeRegistry,
} from './exposition.js';
import { Health } from './health.js';
import { HttpServerMetrics } from './http-metrics.js';
import { createLogger } from './logger.js';
import { HTTP_DURATION_BUCKETS_SECONDS } from './metrics.js';
import { createMiddleware, type Middleware } from './middleware.js';
import { currentCorrelation } from './request-context.js';
import { type DrainResult, ShutdownCoordinator } from './shutdown.js';
import { startTracing, type Tracing } from './tracing.js';
import type { LoggingOptions, TelemetryOptions, ValidationName } from './types.js';

/** Handler serving `/metrics` (express-compatible). */
export type MetricsHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** Identity of the service, as resolved from options and the OTEL_* environment. */
export interface ServiceIdentity {
  readonly name: string;
  readonly version?: string;
  readonly environment?: string;
}

/** What `telemetry.shutdown()` resolves to. */
export interface ShutdownResult extends DrainResult {}

/** One service's observability: metrics, traces, logs, health and shutdown. */
export interface Telemetry {
  /** The resolved service identity. */
  readonly service: ServiceIdentity;
  /** The prom-client registry every srekit metric of this service is registered on. */
  readonly registry: Registry;
  /** The cardinality guard shared by core and the other srekit packages. */
  readonly cardinality: CardinalityGuard;
  /** The service logger (pino), with trace and request correlation on every line. */
  readonly logger: Logger;
  /** Health checks and probe handlers. */
  readonly health: Health;
  /** True while tracing is on. */
  readonly tracingEnabled: boolean;
  /**
   * Express middleware: request id, server span (W3C `traceparent`), RED metrics with the route
   * template, exemplars, and an access log line. Mount it first.
   */
  middleware(): Middleware;
  /** `/metrics` handler: Prometheus text, or OpenMetrics with exemplars when asked for. */
  metricsHandler(): MetricsHandler;
  /**
   * Express error handler (mount it last): RFC 9457 problem+json answers without stack traces,
   * the exception recorded on the request's span, and a correlated log line.
   */
  errorHandler(): ErrorHandler;
  /** Adds an HTTP server to drain on shutdown (servers that served a request are found on their own). */
  attach(server: Server): Server;
  /**
   * Readiness turns 503, servers stop accepting, in-flight requests finish (at most
   * `drainTimeoutMs`), spans and logs are flushed. Idempotent: later calls return the same promise.
   */
  shutdown(): Promise<ShutdownResult>;
}

/**
 * Makes a service observable in one call.
 *
 * @example
 * ```ts
 * const telemetry = createTelemetry({ serviceName: 'checkout', serviceVersion: '1.4.0' });
 * app.use(telemetry.middleware());
 * app.get('/metrics', telemetry.metricsHandler());
 * app.get('/livez', telemetry.health.liveness());
 * app.get('/readyz', telemetry.health.readiness());
 * telemetry.attach(app.listen(8080));
 * ```
 */
export function createTelemetry(options: TelemetryOptions = {}): Telemetry {
  const resourceAttributes = parseResourceAttributes(process.env.OTEL_RESOURCE_ATTRIBUTES);
  const explicitName =
    nonEmpty(options.serviceName) ??
    nonEmpty(process.env.OTEL_SERVICE_NAME) ??
    nonEmpty(resourceAttributes['service.name']);
  const environment =
    nonEmpty(options.environment) ??
    nonEmpty(resourceAttributes['deployment.environment.name']) ??
    nonEmpty(resourceAttributes['deployment.environment']) ??
    nonEmpty(process.env.NODE_ENV);
  const version =
    nonEmpty(options.serviceVersion) ?? nonEmpty(resourceAttributes['service.version']);
  const service: ServiceIdentity = {
    name: explicitName ?? DEFAULTS.serviceName,
    ...(version !== undefined ? { version } : {}),
    ...(environment !== undefined ? { environment } : {}),
  };
  const validations = options.validations ?? {};
  const check = (name: ValidationName): boolean => validations[name] !== false;

  const metricsOptions = options.metrics ?? {};
  const maxSeriesPerMetric = metricsOptions.maxSeriesPerMetric ?? DEFAULTS.maxSeriesPerMetric;
  const buckets = metricsOptions.durationBucketsSeconds ?? HTTP_DURATION_BUCKETS_SECONDS;
  validateBuckets(buckets);
  const shutdownOptions = options.shutdown ?? {};
  const drainTimeoutMs = shutdownOptions.drainTimeoutMs ?? DEFAULTS.drainTimeoutMs;
  if (!Number.isFinite(drainTimeoutMs) || drainTimeoutMs < 0) {
    invalidOption(
      'shutdown.drainTimeoutMs',
      `expected a number of milliseconds ≥ 0, got ${String(drainTimeoutMs)}`,
      'Use e.g. 10000',
    );
  }
  const readinessGraceMs = shutdownOptions.readinessGraceMs ?? DEFAULTS.readinessGraceMs;
  if (!Number.isFinite(readinessGraceMs) || readinessGraceMs < 0) {
    invalidOption(
      'shutdown.readinessGraceMs',
      `expected a number of milliseconds ≥ 0, got ${String(readinessGraceMs)}`,
      'Use e.g. 5000 behind a load balancer that polls readiness, or 0',
    );
  }
  const healthTimeoutMs = options.health?.defaultTimeoutMs ?? DEFAULTS.healthCheckTimeoutMs;
  if (!Number.isFinite(healthTimeoutMs) || healthTimeoutMs <= 0) {
    invalidOption(
      'health.defaultTimeoutMs',
      `expected a positive number of milliseconds, got ${String(healthTimeoutMs)}`,
      'Use e.g. 1000',
    );
  }
  const requestIdHeader = options.http?.requestIdHeader ?? DEFAULTS.requestIdHeader;
  if (typeof requestIdHeader !== 'string' || !HEADER_NAME.test(requestIdHeader)) {
    invalidOption(
      'http.requestIdHeader',
      `${JSON.stringify(requestIdHeader)} is not a valid HTTP header name`,
      'Use letters, digits and - only, e.g. "x-request-id"',
    );
  }
  const level = options.logging?.level ?? process.env.LOG_LEVEL ?? DEFAULTS.logLevel;
  if (!LOG_LEVELS.includes(level)) {
    invalidOption(
      options.logging?.level !== undefined ? 'logging.level' : 'LOG_LEVEL (environment)',
      `unknown level ${JSON.stringify(level)}`,
      `Use one of ${LOG_LEVELS.join(', ')}`,
    );
  }

  const { logger, flush: flushLogs } = createLogger(
    { ...options.logging, level: level as LoggingOptions['level'] },
    service,
    currentCorrelation,
  );
  if (explicitName === undefined && check('serviceName')) {
    logger.warn(
      { code: ERROR_CODES.NO_SERVICE_NAME },
      `no service name given; using "${DEFAULTS.serviceName}". Pass serviceName to createTelemetry() or set OTEL_SERVICE_NAME`,
    );
  }

  const registry: Registry = metricsOptions.registry ?? createOpenMetricsRegistry();
  const exemplars = metricsOptions.exemplars ?? DEFAULTS.exemplars;
  const httpMetrics = new HttpServerMetrics(registry, {
    bucketsSeconds: buckets,
    maxSeriesPerMetric,
  });
  if (metricsOptions.defaultMetrics ?? DEFAULTS.defaultMetrics) {
    if (registry.getSingleMetric('process_cpu_user_seconds_total') === undefined)
      collectDefaultMetrics({ register: registry });
  }

  const tracingWanted =
    (options.tracing?.enabled ?? process.env.OTEL_SDK_DISABLED?.toLowerCase() !== 'true') === true;
  const started: Tracing | undefined = tracingWanted
    ? startTracing(options.tracing ?? {}, service, logger, check, registry)
    : undefined;
  // A set-up that produces no real spans is treated as tracing off, so that no all-zero trace
  // ids reach logs or exemplars.
  const tracing = started?.active === true ? started : undefined;
  const tracingEnabled = tracing !== undefined;

  const health = new Health({
    service: service.name,
    logger,
    defaultTimeoutMs: healthTimeoutMs,
  });
  const coordinator = new ShutdownCoordinator(logger);
  const http = options.http ?? {};
  const middleware = createMiddleware({
    metrics: httpMetrics,
    exemplars,
    requestContext: http.requestContext ?? DEFAULTS.requestContext,
    tracing,
    logger,
    accessLog: options.logging?.accessLog ?? DEFAULTS.accessLog,
    ignorePaths: http.ignorePaths ?? DEFAULTS.ignorePaths,
    requestIdHeader,
    unmatchedRouteLabel: http.unmatchedRouteLabel ?? DEFAULTS.unmatchedRouteLabel,
    lifecycle: coordinator,
  });

  const metricsHandler: MetricsHandler = (req, res) => {
    const format = negotiateFormat(req.headers.accept);
    let started = false;
    // Pieces go out as they are produced; headers are sent with the first one, so an error in
    // the first slice still gets a clean 500 and a later one ends the (then incomplete) response
    // by resetting the connection, which Prometheus records as a failed scrape.
    const start = (): void => {
      started = true;
      res.statusCode = 200;
      res.setHeader(
        'content-type',
        format === 'openmetrics' ? OPENMETRICS_CONTENT_TYPE : PROMETHEUS_CONTENT_TYPE,
      );
      res.setHeader('cache-control', 'no-store');
    };
    const write = (chunk: string): void | Promise<void> => {
      if (!started) start();
      if (!res.write(chunk) && !res.destroyed) {
        return new Promise((resolve) => {
          res.once('drain', resolve);
          res.once('close', resolve);
        });
      }
    };
    writeRegistry(registry, format, write).then(
      () => {
        if (!started) start();
        res.end();
      },
      (error: unknown) => {
        logger.error({ err: error }, 'metrics collection failed');
        if (started) {
          res.destroy();
          return;
        }
        res.statusCode = 500;
        res.setHeader('content-type', 'application/problem+json');
        res.end(
          JSON.stringify({
            type: 'about:blank',
            title: 'Metrics collection failed',
            status: 500,
            detail: 'A metric collector threw; see the service log for the error.',
          }),
        );
      },
    );
  };

  const errorHandler = createErrorHandler(logger);

  let shuttingDown: Promise<ShutdownResult> | undefined;
  const signalHandlers = new Map<NodeJS.Signals, () => void>();
  const shutdown = (): Promise<ShutdownResult> => {
    shuttingDown ??= (async () => {
      logger.info(
        { drain_timeout_ms: drainTimeoutMs },
        'shutting down: readiness off, draining requests',
      );
      health.markShuttingDown();
      if (readinessGraceMs > 0)
        await new Promise((resolve) => setTimeout(resolve, readinessGraceMs));
      const result = await coordinator.drain(drainTimeoutMs);
      await started?.shutdown();
      for (const [signal, handler] of signalHandlers) process.off(signal, handler);
      logger.info(
        { duration_ms: result.durationMs, cut_requests: result.cutRequests },
        'shutdown complete',
      );
      await flushLogs();
      return result;
    })();
    return shuttingDown;
  };

  if (shutdownOptions.handleSignals ?? DEFAULTS.handleSignals) {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const handler = () => {
        if (shuttingDown !== undefined) {
          logger.warn({ signal }, 'second signal during shutdown; exiting now');
          process.exit(1);
        }
        logger.info({ signal }, 'signal received');
        shutdown().then(
          () => process.exit(0),
          (error: unknown) => {
            logger.error({ err: error }, 'shutdown failed');
            process.exit(1);
          },
        );
      };
      signalHandlers.set(signal, handler);
      process.on(signal, handler);
    }
  }

  return {
    service,
    registry,
    cardinality: httpMetrics.guard,
    logger,
    health,
    tracingEnabled,
    middleware: () => middleware,
    metricsHandler: () => metricsHandler,
    errorHandler: () => errorHandler,
    attach(server) {
      coordinator.attach(server);
      return server;
    },
    shutdown,
  };
}

/** A new prom-client registry in OpenMetrics mode (prom-client's typings omit the constructor argument). */
export function createOpenMetricsRegistry(): Registry {
  const OpenMetricsRegistry = Registry as unknown as new (contentType: string) => Registry;
  return new OpenMetricsRegistry(Registry.OPENMETRICS_CONTENT_TYPE);
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const LOG_LEVELS: readonly string[] = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
];

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

/** Parses `OTEL_RESOURCE_ATTRIBUTES` (`key=value,key=value`, values percent-encoded). */
export function parseResourceAttributes(raw: string | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  if (raw === undefined) return result;
  for (const pair of raw.split(',')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const key = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    try {
      result[key] = decodeURIComponent(value);
    } catch {
      result[key] = value;
    }
  }
  return result;
}

function validateBuckets(buckets: readonly number[]): void {
  if (!Array.isArray(buckets) || buckets.length === 0) {
    throw new SrekitError(
      ERROR_CODES.INVALID_OPTION,
      'Invalid option `metrics.durationBucketsSeconds`: expected a non-empty array of seconds. Use HTTP_DURATION_BUCKETS_SECONDS or list your own',
    );
  }
  for (let i = 0; i < buckets.length; i++) {
    const b = buckets[i] as number;
    if (!Number.isFinite(b) || b <= 0 || (i > 0 && b <= (buckets[i - 1] as number))) {
      throw new SrekitError(
        ERROR_CODES.INVALID_OPTION,
        `Invalid option \`metrics.durationBucketsSeconds\`: bucket ${i} (${String(b)}) must be a positive number of seconds larger than the one before. Buckets are upper bounds in seconds, e.g. 0.005 for 5 ms`,
      );
    }
  }
}
