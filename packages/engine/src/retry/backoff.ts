import { ENGINE_DEFAULTS } from '../defaults.js';
import { invalidOption } from '../errors.js';
import type { Random } from '../types.js';

/**
 * Jitter kinds from the AWS architecture blog post "Exponential Backoff And Jitter":
 * - `full`: `random(0, min(maxMs, baseMs × 2^attempt))`;
 * - `decorrelated`: `min(maxMs, random(baseMs, previousDelayMs × 3))`.
 */
export type BackoffJitter = 'full' | 'decorrelated';

/** Options of {@link backoffDelay}. */
export interface BackoffOptions {
  /** Base delay. Default `ENGINE_DEFAULTS.retry.backoffBaseMs` (25 ms, Envoy's). */
  readonly baseMs?: number;
  /** Largest delay. Default `ENGINE_DEFAULTS.retry.backoffMaxMs` (250 ms). */
  readonly maxMs?: number;
  /** Jitter kind. Default `'full'`. */
  readonly jitter?: BackoffJitter;
  /** Random source in [0, 1). Default `Math.random`. */
  readonly random?: Random;
  /** `decorrelated` only: the delay returned for the previous attempt. Default `baseMs`. */
  readonly previousDelayMs?: number;
}

/**
 * Delay before retry number `attempt` (0 for the first retry), in ms, always within
 * [0, `maxMs`] (full) or [`min(baseMs, maxMs)`, `maxMs`] (decorrelated).
 *
 * @example
 * ```ts
 * let delay = 0;
 * for (let attempt = 0; attempt < 3; attempt++) {
 *   delay = backoffDelay(attempt, { jitter: 'decorrelated', previousDelayMs: delay || undefined });
 * }
 * ```
 */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const baseMs = options.baseMs ?? ENGINE_DEFAULTS.retry.backoffBaseMs;
  const maxMs = options.maxMs ?? ENGINE_DEFAULTS.retry.backoffMaxMs;
  const random = options.random ?? Math.random;
  if (!(Number.isFinite(baseMs) && baseMs > 0)) {
    invalidOption('baseMs', `${baseMs} is not a positive number`, 'Give a base delay > 0 ms.');
  }
  if (!(Number.isFinite(maxMs) && maxMs >= 0)) {
    invalidOption('maxMs', `${maxMs} is not a number ≥ 0`, 'Give a cap ≥ 0 ms.');
  }
  if (!(Number.isInteger(attempt) && attempt >= 0)) {
    invalidOption('attempt', `${attempt} is not an integer ≥ 0`, 'Count retries from 0.');
  }
  const jitter = options.jitter ?? ENGINE_DEFAULTS.retry.backoffJitter;
  if (jitter === 'decorrelated') {
    const previous = options.previousDelayMs ?? baseMs;
    const upper = Math.max(baseMs, previous * 3);
    return Math.min(maxMs, baseMs + random() * (upper - baseMs));
  }
  // 2^attempt overflows to Infinity for large attempts; min() then keeps the cap.
  const ceiling = Math.min(maxMs, baseMs * 2 ** attempt);
  return random() * ceiling;
}
