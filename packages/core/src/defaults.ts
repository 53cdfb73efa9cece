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
  requestContext: true,
  healthCheckTimeoutMs: 1000,
  drainTimeoutMs: 10_000,
  readinessGraceMs: 0,
  handleSignals: false,
  /** Longest accepted incoming request id; longer or odd ones are replaced. */
  maxRequestIdLength: 128,
  /** Longest string copied from a request into a log line (URL, user agent). */
  maxLoggedValueLength: 2048,
  /** How deep into a log object key-based redaction looks (top level is depth 1). */
  maxRedactDepth: 4,
} as const;

/**
 * Keys whose values are redacted from every log line, matched case-insensitively at any depth up
 * to `DEFAULTS.maxRedactDepth` (so `password`, `user.password` and `req.headers.authorization`
 * are all caught).
 */
export const DEFAULT_REDACT_KEYS: readonly string[] = [
  'authorization',
  'cookie',
  'set-cookie',
  'password',
  'token',
];

/** What a redacted value is replaced with. */
export const REDACTED = '[REDACTED]';
