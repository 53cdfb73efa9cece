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
  /** No backend of the pool can take the request (all unhealthy, ejected, draining or open). */
  NO_HEALTHY_BACKEND: 'ERR_SREKIT_ENGINE_NO_HEALTHY_BACKEND',
  /** `pool.setWeight()`, `drain()` or `undrain()` named a backend the pool does not have. */
  UNKNOWN_BACKEND: 'ERR_SREKIT_ENGINE_UNKNOWN_BACKEND',
  /** The pool was closed (`pool.close()`) before or while the call ran. */
  POOL_CLOSED: 'ERR_SREKIT_ENGINE_POOL_CLOSED',
  /** Proxy answer (502): the backend refused, reset or failed the TLS handshake before answering. */
  UPSTREAM_UNAVAILABLE: 'ERR_SREKIT_ENGINE_UPSTREAM_UNAVAILABLE',
  /** Proxy answer (502): the backend's answer was not valid HTTP. */
  BAD_UPSTREAM_RESPONSE: 'ERR_SREKIT_ENGINE_BAD_UPSTREAM_RESPONSE',
  /** Proxy answer (504): no response head within the per-try timeout or the deadline. */
  UPSTREAM_TIMEOUT: 'ERR_SREKIT_ENGINE_UPSTREAM_TIMEOUT',
  /** Proxy answer (503): `proxy.close()` was called; no new requests are taken. */
  PROXY_CLOSING: 'ERR_SREKIT_ENGINE_PROXY_CLOSING',
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

/** `ERR_SREKIT_ENGINE_NO_HEALTHY_BACKEND`: the pool had no backend to give. */
export function noHealthyBackendError(pool: string): SrekitError {
  return new SrekitError(
    ENGINE_ERROR_CODES.NO_HEALTHY_BACKEND,
    `Pool "${pool}" has no backend that can take the request (every backend is unhealthy, ejected, draining or has an open circuit)`,
  );
}

/** `ERR_SREKIT_ENGINE_UNKNOWN_BACKEND`. */
export function unknownBackendError(pool: string, id: string): SrekitError {
  return new SrekitError(
    ENGINE_ERROR_CODES.UNKNOWN_BACKEND,
    `Pool "${pool}" has no backend "${id}". Check the id against pool.stats().backends.`,
  );
}

/** `ERR_SREKIT_ENGINE_POOL_CLOSED`. */
export function poolClosedError(pool: string): SrekitError {
  return new SrekitError(
    ENGINE_ERROR_CODES.POOL_CLOSED,
    `Pool "${pool}" is closed; create a new pool to send more requests.`,
  );
}

/** True for an `ERR_SREKIT_ENGINE_NO_HEALTHY_BACKEND` error from any copy of the package. */
export function isNoHealthyBackendError(value: unknown): value is SrekitError {
  return isSrekitError(value) && value.code === ENGINE_ERROR_CODES.NO_HEALTHY_BACKEND;
}
