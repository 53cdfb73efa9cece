import { isTimeoutError } from '../errors.js';
import type { RequestOutcome } from '../outlier/outlier-detector.js';
import { errorCodes } from '../retry/is-retryable.js';

// The connection was never made: nothing reached the backend.
const CONNECT_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EADDRNOTAVAIL',
]);

const TIMEOUT_CODES: ReadonlySet<string> = new Set([
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/**
 * The outcome a failed call to a backend counts as, for outlier detection, the breaker and the
 * `outcome` label: `connect-failure` when the connection could not be made, `timeout` for engine
 * and socket timeouts (and `TimeoutError` aborts), the error's own HTTP status when it carries
 * one (`status` or `statusCode`, 100–599), otherwise `reset`.
 */
export function outcomeOfError(error: unknown): RequestOutcome {
  if (isTimeoutError(error)) return 'timeout';
  if (error instanceof Error && error.name === 'TimeoutError') return 'timeout';
  for (const code of errorCodes(error)) {
    if (CONNECT_CODES.has(code)) return 'connect-failure';
    if (TIMEOUT_CODES.has(code)) return 'timeout';
  }
  if (typeof error === 'object' && error !== null) {
    const { status, statusCode } = error as { status?: unknown; statusCode?: unknown };
    const value = typeof status === 'number' ? status : statusCode;
    if (typeof value === 'number' && Number.isInteger(value) && value >= 100 && value <= 599) {
      return value;
    }
  }
  return 'reset';
}
