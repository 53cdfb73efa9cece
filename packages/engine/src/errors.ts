import { isSrekitError, SrekitError } from '@srekit/core';

/**
 * Stable error codes of `@srekit/engine`. Each is listed with its cause and fix in
 * `docs/error-codes.md`.
 */
export const ENGINE_ERROR_CODES = {
  /** An option or a backend definition is invalid (thrown at construction). */
  INVALID_OPTION: 'ERR_SREKIT_ENGINE_INVALID_OPTION',
  /** `breaker.execute()` refused the call because the circuit is open (or half-open and full). */
  BROKEN_CIRCUIT: 'ERR_SREKIT_ENGINE_BROKEN_CIRCUIT',
  /** A try of `retryAsync()` / `hedge()` or the whole call ran past its timeout or deadline. */
  TIMEOUT: 'ERR_SREKIT_ENGINE_TIMEOUT',
} as const;

/** Union of every error code `@srekit/engine` can produce. */
export type EngineErrorCode = (typeof ENGINE_ERROR_CODES)[keyof typeof ENGINE_ERROR_CODES];

/** Throws `ERR_SREKIT_ENGINE_INVALID_OPTION` naming the option and the fix. */
export function invalidOption(option: string, problem: string, fix: string): never {
  throw new SrekitError(
    ENGINE_ERROR_CODES.INVALID_OPTION,
    `Invalid option \`${option}\`: ${problem}. ${fix}`,
  );
}

/** The error `retryAsync()` uses when a try or the overall deadline times out. */
export function timeoutError(what: string, timeoutMs: number, cause?: unknown): SrekitError {
  return new SrekitError(
    ENGINE_ERROR_CODES.TIMEOUT,
    `${what} timed out after ${timeoutMs} ms`,
    cause === undefined ? undefined : { cause },
  );
}

/** True for an `ERR_SREKIT_ENGINE_TIMEOUT` error from any copy of the package (no `instanceof`). */
export function isTimeoutError(value: unknown): value is SrekitError {
  return isSrekitError(value) && value.code === ENGINE_ERROR_CODES.TIMEOUT;
}
