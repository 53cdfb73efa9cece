/**
 * Stable error codes of `@srekit/core`. Each one is listed, with its cause and fix, in
 * `docs/error-codes.md` at the repository root.
 */
export const ERROR_CODES = {
  /** An option passed to `createTelemetry()` or one of its parts is invalid. */
  INVALID_OPTION: 'ERR_SREKIT_INVALID_OPTION',
  /** A health check with the same name is already registered. */
  DUPLICATE_HEALTH_CHECK: 'ERR_SREKIT_DUPLICATE_HEALTH_CHECK',
  /** A metric with the same name but a different shape is already in the registry. */
  METRIC_CONFLICT: 'ERR_SREKIT_METRIC_CONFLICT',
  /** `telemetry.shutdown()` did not finish draining within `drainTimeoutMs`. */
  DRAIN_TIMEOUT: 'ERR_SREKIT_DRAIN_TIMEOUT',
  /** A health check did not settle within its `timeoutMs`. */
  HEALTH_CHECK_TIMEOUT: 'ERR_SREKIT_HEALTH_CHECK_TIMEOUT',
  /** Startup warning: no service name was given in options or the environment. */
  NO_SERVICE_NAME: 'ERR_SREKIT_NO_SERVICE_NAME',
  /** Startup warning: another OpenTelemetry tracer provider was registered globally first. */
  GLOBAL_TRACER_PROVIDER: 'ERR_SREKIT_GLOBAL_TRACER_PROVIDER',
  /** Startup warning: `tracing.useGlobalProvider` is set but no tracer provider is registered. */
  NO_TRACER_PROVIDER: 'ERR_SREKIT_NO_TRACER_PROVIDER',
} as const;

/** Union of every error code `@srekit/core` can produce. */
export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

const HELP_BASE = 'https://github.com/srekit/srekit/blob/main/docs/error-codes.md';

/** The documentation link for an error code. */
export function helpUrl(code: string): string {
  return `${HELP_BASE}#${code.toLowerCase().replaceAll('_', '-')}`;
}

/**
 * Base class of every error srekit throws or reports. Errors carry a stable `code`
 * (`ERR_SREKIT_*`) and a `help` link to the entry in `docs/error-codes.md`.
 *
 * Use {@link isSrekitError} rather than `instanceof`: two copies of the package in one
 * process (a common outcome of nested installs) have two different classes.
 */
export class SrekitError extends Error {
  /** Stable machine-readable code, e.g. `ERR_SREKIT_INVALID_OPTION`. */
  readonly code: string;
  /** Link to the documentation of this code. */
  readonly help: string;
  /** Marker for {@link isSrekitError}. */
  readonly srekitError = true;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(`${message} (${code}, see ${helpUrl(code)})`, options);
    this.name = 'SrekitError';
    this.code = code;
    this.help = helpUrl(code);
  }
}

/** True for any error created by srekit, from any copy of the package. */
export function isSrekitError(value: unknown): value is SrekitError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { srekitError?: unknown }).srekitError === true &&
    typeof (value as { code?: unknown }).code === 'string'
  );
}

/** Throws an `ERR_SREKIT_INVALID_OPTION` error naming the option and the fix. */
export function invalidOption(option: string, problem: string, fix: string): never {
  throw new SrekitError(
    ERROR_CODES.INVALID_OPTION,
    `Invalid option \`${option}\`: ${problem}. ${fix}`,
  );
}
