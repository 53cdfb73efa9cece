import { isSrekitError, SrekitError } from '@srekit/core';
import { ENGINE_ERROR_CODES } from '../errors.js';

/**
 * Thrown by {@link CircuitBreaker.execute} when the breaker refuses a call: the circuit is open,
 * or half-open with all its probe slots taken. The wrapped function was not called.
 */
export class BrokenCircuitError extends SrekitError {
  /** State of the breaker when it refused the call. */
  readonly state: 'open' | 'half-open';
  /**
   * Milliseconds until the breaker admits probes again (0 when half-open: a probe slot frees as
   * soon as a probe ends). Suitable for a `Retry-After` header after rounding up to seconds.
   */
  readonly retryAfterMs: number;

  constructor(state: 'open' | 'half-open', retryAfterMs: number) {
    super(
      ENGINE_ERROR_CODES.BROKEN_CIRCUIT,
      state === 'open'
        ? `Circuit is open; the call was not attempted (probes admitted in ${Math.ceil(retryAfterMs)} ms)`
        : 'Circuit is half-open and all probe slots are taken; the call was not attempted',
    );
    this.name = 'BrokenCircuitError';
    this.state = state;
    this.retryAfterMs = retryAfterMs;
  }
}

/**
 * True for a {@link BrokenCircuitError} from any copy of `@srekit/engine` (checks the stable
 * code, not `instanceof`).
 */
export function isBrokenCircuitError(value: unknown): value is BrokenCircuitError {
  return isSrekitError(value) && value.code === ENGINE_ERROR_CODES.BROKEN_CIRCUIT;
}
