/**
 * `@srekit/core`: one call makes an express service observable, with RED metrics, traces and
 * logs that point at one another, health probes and graceful shutdown.
 *
 * @packageDocumentation
 */

export type { CardinalityGuardOptions } from './cardinality-guard.js';
export { CardinalityGuard } from './cardinality-guard.js';
export { DEFAULT_REDACT_KEYS, DEFAULTS, REDACTED } from './defaults.js';
export type { ErrorHandler, ProblemDetails } from './error-handler.js';
export { createErrorHandler, statusOf } from './error-handler.js';
export type { ErrorCode } from './errors.js';
export { ERROR_CODES, helpUrl, isSrekitError, SrekitError } from './errors.js';
export type { ExpositionFormat } from './exposition.js';
export {
  negotiateFormat,
  OPENMETRICS_CONTENT_TYPE,
  PROMETHEUS_CONTENT_TYPE,
  serializeRegistry,
  writeRegistry,
} from './exposition.js';
export type { ProbeHandler } from './health.js';
export { Health } from './health.js';
export type { Disposable } from './listeners.js';
export { Listeners } from './listeners.js';
export type { LogCorrelation } from './logger.js';
export { redactByKey } from './logger.js';
export type { MetricDescriptor } from './metrics.js';
export {
  EXEMPLAR_TRACE_ID_LABEL,
  HTTP_DURATION_BUCKETS_FINE_SECONDS,
  HTTP_DURATION_BUCKETS_SECONDS,
  LABELS,
  LOG_FIELDS,
  METRICS,
  OVERFLOW_LABEL_VALUE,
  RUNTIME_METRICS,
} from './metrics.js';
export type { Middleware } from './middleware.js';
export { CLIENT_CLOSED_REQUEST, KNOWN_METHODS, normalizeMethod } from './middleware.js';
export type { RequestContext } from './request-context.js';
export { currentRequestContext } from './request-context.js';
export { resolveRequestId } from './request-id.js';
export { routeTemplate } from './route.js';
export type { DrainResult } from './shutdown.js';
export type { MetricsHandler, ServiceIdentity, ShutdownResult, Telemetry } from './telemetry.js';
export {
  createOpenMetricsRegistry,
  createTelemetry,
  parseResourceAttributes,
} from './telemetry.js';
export { TRACER_NAME } from './tracing.js';
export type {
  HealthCheck,
  HealthCheckOptions,
  HealthCheckReport,
  HealthCheckResult,
  HealthOptions,
  HealthReport,
  HttpOptions,
  LoggingOptions,
  MetricsOptions,
  Probe,
  ShutdownOptions,
  TelemetryOptions,
  TracingOptions,
  ValidationName,
} from './types.js';
