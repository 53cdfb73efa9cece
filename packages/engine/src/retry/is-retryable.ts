import { ENGINE_DEFAULTS } from '../defaults.js';
import { isTimeoutError } from '../errors.js';

/** Methods RFC 9110 §9.2.2 calls idempotent: retried by default. */
export const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set([
  'GET',
  'HEAD',
  'OPTIONS',
  'PUT',
  'DELETE',
  'TRACE',
]);

/**
 * Error codes that mean the request never reached the application: the connection could not be
 * made, or it was reset before any response byte arrived. Node (`ECONN*`, `EPIPE`…) and undici
 * (`UND_ERR_*`) spell them differently.
 */
export const RETRYABLE_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);

/** What {@link isRetryable} decides about one failed try. */
export interface RetryableInput {
  /** Request method (any case). */
  readonly method: string;
  /** Response status, when a response arrived. */
  readonly status?: number;
  /** The error of the try, when no response arrived. Codes are read along the `cause` chain. */
  readonly error?: unknown;
  /**
   * Whether the request body can be sent again (no body, or a buffered one). A body streamed
   * once cannot: such a request is never retried, whatever its method. Default `true`.
   */
  readonly bodyReplayable?: boolean;
  /** The caller allows retrying a non-idempotent method (POST, PATCH…). Default `false`. */
  readonly optIn?: boolean;
  /** The response's `Retry-After` header (delta-seconds or an HTTP date), if any. */
  readonly retryAfter?: string | null;
  /** Whether a response had started (headers received) when `error` happened. Default `false`. */
  readonly responseStarted?: boolean;
  /** Current time in ms since the epoch, to read an HTTP-date `Retry-After`. Default `Date.now()`. */
  readonly now?: number;
}

/** Options of {@link isRetryable}. */
export interface RetryableOptions {
  /** Statuses retried. Default `ENGINE_DEFAULTS.retry.retryableStatuses` (429, 502, 503, 504). */
  readonly statuses?: readonly number[];
  /**
   * Longest `Retry-After` honoured; a longer one makes the response final (the server asked for
   * more patience than the caller has). Default `ENGINE_DEFAULTS.retry.maxRetryAfterMs` (10 s).
   */
  readonly maxRetryAfterMs?: number;
}

/** Why a try is or is not retried. */
export type RetryReason =
  | 'status'
  | 'connect-error'
  | 'timeout'
  | 'not-idempotent'
  | 'body-not-replayable'
  | 'status-not-retryable'
  | 'error-not-retryable'
  | 'response-started'
  | 'retry-after-too-long'
  | 'success';

/** The decision of {@link isRetryable}. */
export interface RetryDecision {
  readonly retryable: boolean;
  readonly reason: RetryReason;
  /**
   * The delay the server asked for (`Retry-After`), when the response had one within the cap;
   * use it instead of the backoff delay.
   */
  readonly retryAfterMs?: number;
}

/**
 * Decides whether a failed try may be retried.
 *
 * - Idempotent methods (GET, HEAD, OPTIONS, PUT, DELETE, TRACE) are retried; others (POST,
 *   PATCH…) only with `optIn` and a replayable body; a body that cannot be replayed never is.
 * - Statuses: 502, 503, 504 and 429 (configurable). A `Retry-After` longer than
 *   `maxRetryAfterMs` makes the response final; a shorter one is returned as `retryAfterMs`.
 * - Errors: connection refused / unreachable / reset, and engine timeouts, as long as no response
 *   had started (a reset mid-body may have reached the application and cannot be replayed
 *   transparently to the client).
 *
 * Pure: it never throws and reads no clock unless an HTTP-date `Retry-After` needs one.
 *
 * @example
 * ```ts
 * isRetryable({ method: 'GET', status: 503, retryAfter: '2' }); // { retryable: true, reason: 'status', retryAfterMs: 2000 }
 * isRetryable({ method: 'POST', status: 503 });                // { retryable: false, reason: 'not-idempotent' }
 * ```
 */
export function isRetryable(input: RetryableInput, options: RetryableOptions = {}): RetryDecision {
  const method = input.method.toUpperCase();
  if (input.bodyReplayable === false) return { retryable: false, reason: 'body-not-replayable' };
  if (!IDEMPOTENT_METHODS.has(method) && input.optIn !== true) {
    return { retryable: false, reason: 'not-idempotent' };
  }
  if (input.status !== undefined) {
    const statuses = options.statuses ?? ENGINE_DEFAULTS.retry.retryableStatuses;
    if (!statuses.includes(input.status)) {
      return {
        retryable: false,
        reason: input.status < 400 ? 'success' : 'status-not-retryable',
      };
    }
    if (input.retryAfter !== undefined && input.retryAfter !== null) {
      const delayMs = parseRetryAfter(input.retryAfter, input.now ?? Date.now());
      if (delayMs !== undefined) {
        const cap = options.maxRetryAfterMs ?? ENGINE_DEFAULTS.retry.maxRetryAfterMs;
        if (delayMs > cap) return { retryable: false, reason: 'retry-after-too-long' };
        return { retryable: true, reason: 'status', retryAfterMs: delayMs };
      }
    }
    return { retryable: true, reason: 'status' };
  }
  if (input.error === undefined) return { retryable: false, reason: 'success' };
  if (input.responseStarted === true) return { retryable: false, reason: 'response-started' };
  if (isTimeoutError(input.error)) return { retryable: true, reason: 'timeout' };
  if (errorCodes(input.error).some((code) => RETRYABLE_ERROR_CODES.has(code))) {
    return { retryable: true, reason: 'connect-error' };
  }
  return { retryable: false, reason: 'error-not-retryable' };
}

/**
 * `Retry-After` in ms (RFC 9110 §10.2.3: delta-seconds or an HTTP date), or `undefined` when the
 * value is neither. A date in the past gives 0.
 */
export function parseRetryAfter(value: string, now: number): number | undefined {
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // Date.parse accepts many shapes; RFC 9110 dates always name the weekday and end in GMT.
  if (!/GMT$/.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/** The `code` strings along the error's `cause` chain (fetch wraps socket errors). */
/** The `code`s of an error and its causes (up to 5 deep), outermost first. */
export function errorCodes(error: unknown): string[] {
  const codes: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    current = (current as { cause?: unknown }).cause;
  }
  return codes;
}
