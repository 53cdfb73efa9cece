import { ENGINE_DEFAULTS } from '../defaults.js';

/**
 * Envoy's panic threshold: when fewer than `thresholdPercent` of the backends are eligible
 * (healthy and not ejected), the pool should route to all backends rather than overload the few
 * that are left. True means "panic: use all". False when there are no backends.
 *
 * @param total - backends in the pool
 * @param eligible - backends currently eligible
 * @param thresholdPercent - default 50; 0 disables panic mode
 */
export function isPanic(
  total: number,
  eligible: number,
  thresholdPercent: number = ENGINE_DEFAULTS.outlier.panicThresholdPercent,
): boolean {
  return total > 0 && eligible * 100 < thresholdPercent * total;
}
