/** Defaults of every option in one place; docs and tests import them from here. */
export const DEFAULTS = {
  serviceName: 'unknown_service:node',
  maxSeriesPerMetric: 2000,
  exemplars: true,
  defaultMetrics: true,
  logLevel: 'info',
  accessLog: true,
  ignorePaths: ['/metrics', '/livez', '/readyz', '/startupz', '/healthz'],
  requestIdHeader: 'x-request-id',
  unmatchedRouteLabel: '',
  healthCheckTimeoutMs: 1000,
  drainTimeoutMs: 10_000,
  readinessGraceMs: 0,
  handleSignals: false,
  /** Longest accepted incoming request id; longer or odd ones are replaced. */
  maxRequestIdLength: 128,
  /** Longest string copied from a request into a log line (URL, user agent). */
  maxLoggedValueLength: 2048,
} as const;

/**
 * Fields redacted from every log line. Paths use pino's syntax: `*` matches one level, so
 * secrets are caught at the top level, one level down (`req.password`) and in headers.
 */
export const DEFAULT_REDACT_PATHS: readonly string[] = [
  'authorization',
  'cookie',
  'password',
  'token',
  '*.authorization',
  '*.cookie',
  '*.password',
  '*.token',
  '*.*.authorization',
  '*.*.cookie',
  '*.*.password',
  '*.*.token',
  'headers["set-cookie"]',
  '*.headers["set-cookie"]',
];

/** What a redacted value is replaced with. */
export const REDACTED = '[REDACTED]';
