import type { TextMapPropagator } from '@opentelemetry/api';
import type { Sampler, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { DestinationStream, Level, Logger } from 'pino';
import type { Registry } from 'prom-client';

/** Options of `createTelemetry()`. Every field is optional; defaults live in `defaults.ts`. */
export interface TelemetryOptions {
  /**
   * Logical service name (`service.name`). Default: `OTEL_SERVICE_NAME`, then `service.name`
   * in `OTEL_RESOURCE_ATTRIBUTES`, then `unknown_service:node` (with a warning).
   */
  serviceName?: string;
  /** Service version (`service.version`). Default: `service.version` in `OTEL_RESOURCE_ATTRIBUTES`. */
  serviceVersion?: string;
  /**
   * Deployment environment (`deployment.environment.name`). Default: from
   * `OTEL_RESOURCE_ATTRIBUTES`, then `NODE_ENV`.
   */
  environment?: string;
  /** Metrics options. */
  metrics?: MetricsOptions;
  /** Tracing options. */
  tracing?: TracingOptions;
  /** Logging options. */
  logging?: LoggingOptions;
  /** HTTP middleware options. */
  http?: HttpOptions;
  /** Health endpoint options. */
  health?: HealthOptions;
  /** Graceful shutdown options. */
  shutdown?: ShutdownOptions;
  /**
   * Misconfiguration checks, each reported once at startup through the logger as a warning with
   * a code. Set one to `false` to silence it. Default: all on.
   */
  validations?: Partial<Record<ValidationName, boolean>>;
}

/** Names of the startup misconfiguration checks. */
export type ValidationName = 'serviceName' | 'globalTracerProvider' | 'tracerProvider';

export interface MetricsOptions {
  /**
   * The prom-client registry to use. Default: a new registry in OpenMetrics mode. Either mode
   * works: `metricsHandler()` writes both formats (exemplars in OpenMetrics) from any registry.
   */
  registry?: Registry;
  /** Register prom-client's default process and Node.js metrics. Default: `true`. */
  defaultMetrics?: boolean;
  /**
   * Buckets of `http_server_request_duration_seconds`, in seconds. Default: OpenTelemetry's
   * recommended buckets (`HTTP_DURATION_BUCKETS_SECONDS`); `HTTP_DURATION_BUCKETS_FINE_SECONDS`
   * adds sub-millisecond buckets.
   */
  durationBucketsSeconds?: readonly number[];
  /**
   * Series cap per metric; further label sets fold into one overflow series and are counted by
   * `srekit_metrics_dropped_series_total`. Default: `2000`.
   */
  maxSeriesPerMetric?: number;
  /** Attach `{trace_id}` exemplars to the duration histogram. Default: `true`. */
  exemplars?: boolean;
}

export interface TracingOptions {
  /**
   * Create spans. When `false`, no OpenTelemetry SDK is started and logs carry no trace ids.
   * Default: `true` unless `OTEL_SDK_DISABLED=true`.
   */
  enabled?: boolean;
  /**
   * Span processors. Default: a batch processor with the OTLP exporter when an endpoint is set in
   * `OTEL_EXPORTER_OTLP_ENDPOINT` / `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` or an exporter is named
   * in `OTEL_TRACES_EXPORTER`; otherwise none (spans are still created so that logs and
   * exemplars carry trace ids).
   */
  spanProcessors?: SpanProcessor[];
  /** Sampler. Default: from `OTEL_TRACES_SAMPLER`/`OTEL_TRACES_SAMPLER_ARG`, else parent-based always-on. */
  sampler?: Sampler;
  /** Propagator. Default: from `OTEL_PROPAGATORS`, else W3C trace context + baggage. */
  propagator?: TextMapPropagator;
  /**
   * Use a tracer provider that the application registered itself instead of starting the
   * OpenTelemetry NodeSDK. Default: `false`.
   */
  useGlobalProvider?: boolean;
}

export interface LoggingOptions {
  /**
   * A ready pino logger to use instead of creating one. srekit logs through a child of it whose
   * `log` formatter adds the correlation fields (replacing a `formatters.log` of the parent);
   * the parent's redaction and destination stay as they are.
   */
  logger?: Logger;
  /** Minimum level. Default: `LOG_LEVEL` or `info`. */
  level?: Level | 'silent';
  /**
   * Where log lines go: a file path, a file descriptor or a pino destination stream.
   * Default: standard output (fd 1).
   */
  destination?: string | number | DestinationStream;
  /**
   * Extra keys to redact at any depth (case-insensitive), added to `DEFAULT_REDACT_KEYS`.
   * Cheap: prefer these to `redact` paths.
   */
  redactKeys?: readonly string[];
  /**
   * Extra redaction paths in pino's syntax (`a.b`, `*.c`), applied by pino on top of the key
   * redaction. pino's wildcard paths cost several microseconds per line. Default: none.
   */
  redact?: readonly string[];
  /** Write one access log line per request. Default: `true`. */
  accessLog?: boolean;
}

export interface HttpOptions {
  /**
   * Paths the middleware leaves unmeasured (no metrics, no span, no access log; the request id is
   * still set). Default: `['/metrics', '/livez', '/readyz', '/startupz', '/healthz']`.
   */
  ignorePaths?: readonly (string | RegExp)[];
  /** Header carrying the request id, honoured when valid and echoed. Default: `x-request-id`. */
  requestIdHeader?: string;
  /** `http_route` value for requests that matched no route. Default: `''` (empty). */
  unmatchedRouteLabel?: string;
  /**
   * Keep the request id in an async context (AsyncLocalStorage) so that log lines written while
   * handling a request carry `request_id`. With tracing on, OpenTelemetry's context carries it
   * and this option has no effect. Turning it off with tracing off saves the cost of async
   * context propagation (a few microseconds per request) at the price of `request_id` in
   * handler logs (the access log keeps it). Default: `true`.
   */
  requestContext?: boolean;
}

export interface HealthOptions {
  /** Default timeout of a check, in milliseconds. Default: `1000`. */
  defaultTimeoutMs?: number;
}

export interface ShutdownOptions {
  /** Longest wait for in-flight requests before connections are cut. Default: `10000`. */
  drainTimeoutMs?: number;
  /**
   * Time between readiness turning 503 and the server closing, so that load balancers stop
   * sending new requests first. Default: `0`.
   */
  readinessGraceMs?: number;
  /** Run `shutdown()` on SIGTERM and SIGINT, then exit. Default: `false`. */
  handleSignals?: boolean;
}

/** Result a health check can return; throwing or returning `false` means failure. */
export type HealthCheckResult =
  // biome-ignore lint/suspicious/noConfusingVoidType: lets `async () => { await db.ping(); }` be a check.
  void | boolean | { status?: 'pass' | 'warn' | 'fail'; details?: unknown };

/** A health check: resolve (or return) to pass, throw or return `false` to fail. */
export type HealthCheck = (signal: AbortSignal) => HealthCheckResult | Promise<HealthCheckResult>;

/** Which probe endpoints run a check. */
export type Probe = 'liveness' | 'readiness' | 'startup';

export interface HealthCheckOptions {
  /** A failing critical check makes its probes answer 503; a non-critical one reports `warn`. Default: `true`. */
  critical?: boolean;
  /** Timeout in milliseconds. Default: `health.defaultTimeoutMs` (1000). */
  timeoutMs?: number;
  /** Probes that run this check. Default: `['readiness', 'startup']`. */
  probes?: readonly Probe[];
}

/** Status of one check in a probe response. */
export interface HealthCheckReport {
  status: 'pass' | 'warn' | 'fail';
  critical: boolean;
  durationMs: number;
  error?: string;
  details?: unknown;
}

/** Body of a probe response (`application/health+json`). */
export interface HealthReport {
  status: 'pass' | 'warn' | 'fail';
  service: string;
  checks: Record<string, HealthCheckReport>;
  reason?: string;
}
