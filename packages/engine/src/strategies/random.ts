import type { BackendView, Random, Strategy } from '../types.js';
import type { StrategyOptions } from './options.js';

/**
 * Random: a uniformly random backend, or, when `effectiveWeight`s differ, one drawn with
 * probability proportional to its weight (binary search over cumulative weights computed in
 * `update()`). O(1) per pick with equal weights, O(log n) otherwise.
 *
 * @example
 * const random = new RandomStrategy({ random: seededRandom });
 */
export class RandomStrategy implements Strategy {
  /** Always `'random'`. */
  readonly name = 'random' as const;
  private readonly random: Random;
  private backends: readonly BackendView[] = [];
  private cumulative = new Float64Array(0);
  private total = 0;
  private equal = true;

  /** @param options `random` (default `Math.random`). */
  constructor(options: StrategyOptions = {}) {
    this.random = options.random ?? Math.random;
  }

  /** Replaces the eligible backends and recomputes cumulative weights. O(n). */
  update(backends: readonly BackendView[]): void {
    this.backends = backends.slice();
    const first = backends[0]?.effectiveWeight;
    this.equal = backends.every((b) => b.effectiveWeight === first);
    this.cumulative = new Float64Array(backends.length);
    let sum = 0;
    backends.forEach((b, i) => {
      sum += Math.max(0, b.effectiveWeight);
      this.cumulative[i] = sum;
    });
    this.total = sum;
    // All weights zero: fall back to uniform rather than to nothing.
    if (sum === 0) this.equal = true;
  }

  /** A random backend, or `undefined` when there is none. */
  pick(): BackendView | undefined {
    const backends = this.backends;
    const n = backends.length;
    if (n === 0) return undefined;
    if (this.equal) return backends[Math.floor(this.random() * n)];
    const target = this.random() * this.total;
    const cumulative = this.cumulative;
    let lo = 0;
    let hi = n - 1;
    // First index whose cumulative weight exceeds the target.
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((cumulative[mid] as number) > target) hi = mid;
      else lo = mid + 1;
    }
    return backends[lo];
  }
}
