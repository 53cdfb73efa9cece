import type { Random } from '../types.js';

/**
 * An interval drawn uniformly in `intervalMs × (1 ± jitterPercent / 100)`, so checkers started
 * together drift apart instead of probing a backend in step.
 */
export function jitteredInterval(
  intervalMs: number,
  jitterPercent: number,
  random: Random,
): number {
  return intervalMs * (1 + (jitterPercent / 100) * (2 * random() - 1));
}
