import { ENGINE_DEFAULTS } from './defaults.js';

/** Options of {@link slowStartWeight}. */
export interface SlowStartOptions {
  /** Clock time at which the backend became eligible (added, or back from ejection). */
  readonly sinceMs: number;
  /** Length of the ramp; after it the full weight applies. 0 turns slow start off. */
  readonly windowMs: number;
  /** Curve exponent: 1 is linear; larger values ramp up faster at first. Default 1. */
  readonly aggression?: number;
  /** Floor of the weight during the ramp, in percent of `weight`. Default 10. */
  readonly minWeightPercent?: number;
}

/**
 * The weight of a backend in slow start, as Envoy computes it:
 * `w' = w · max(minWeightPercent / 100, (t / windowMs)^(1 / aggression))` where `t` is the time
 * since `sinceMs`; the full `weight` once `t ≥ windowMs`.
 *
 * @example
 * ```ts
 * // 30 s ramp for a backend that joined at `joinedAt`
 * view.effectiveWeight = slowStartWeight(view.weight, { sinceMs: joinedAt, windowMs: 30_000 }, now);
 * ```
 */
export function slowStartWeight(weight: number, options: SlowStartOptions, now: number): number {
  const elapsed = now - options.sinceMs;
  if (!(options.windowMs > 0) || elapsed >= options.windowMs) return weight;
  const aggression = options.aggression ?? ENGINE_DEFAULTS.slowStart.aggression;
  const floor = (options.minWeightPercent ?? ENGINE_DEFAULTS.slowStart.minWeightPercent) / 100;
  // Envoy counts at least 1 ms so the factor is never exactly 0 (and never negative if clocks step back).
  const timeFactor = Math.max(elapsed, 1) / options.windowMs;
  const factor = aggression === 1 ? timeFactor : timeFactor ** (1 / aggression);
  return weight * Math.max(floor, factor);
}
