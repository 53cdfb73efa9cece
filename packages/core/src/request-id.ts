import { randomUUID } from 'node:crypto';
import { DEFAULTS } from './defaults.js';

const VALID_REQUEST_ID = /^[A-Za-z0-9._:+/=-]+$/;

/**
 * Returns the incoming request id when it is safe to log and echo (1–128 characters from
 * `[A-Za-z0-9._:+/=-]`), or a new UUID v4 otherwise.
 */
export function resolveRequestId(incoming: string | string[] | undefined): string {
  const value = Array.isArray(incoming) ? incoming[0] : incoming;
  if (
    value !== undefined &&
    value.length > 0 &&
    value.length <= DEFAULTS.maxRequestIdLength &&
    VALID_REQUEST_ID.test(value)
  ) {
    return value;
  }
  return randomUUID();
}
