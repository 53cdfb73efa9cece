import { STRATEGY_DEFAULTS } from '../defaults.js';
import type { BackendView, Random, Strategy } from '../types.js';
import { EdfScheduler } from './edf-scheduler.js';
import { checkNumber, type StrategyOptions } from './options.js';

/**
 * Least request, as Envoy's `LEAST_REQUEST`. With equal `effectiveWeight`s: power of two choices
 * — two distinct random backends, the one with fewer `activeRequests` wins (the first drawn on a
 * tie), O(1). With unequal weights: earliest deadline first over
 * `effectiveWeight / (activeRequests + 1) ^ activeRequestBias`, the weight of a backend being
 * recomputed each time it is rescheduled, O(log n).
 *
 * `activeRequests` is the pool's live count; this strategy keeps no per-request state.
 *
 * @example
 * const lr = new LeastRequestStrategy({ random: seededRandom, activeRequestBias: 1 });
 */
export class LeastRequestStrategy implements Strategy {
  /** Always `'least-request'`. */
  readonly name = 'least-request' as const;
  private readonly random: Random;
  private readonly bias: number;
  private backends: readonly BackendView[] = [];
  private readonly scheduler = new EdfScheduler();
  private equal = true;

  /** @param options `random` (default `Math.random`), `activeRequestBias` (default 1, ≥ 0). */
  constructor(options: StrategyOptions = {}) {
    checkNumber('activeRequestBias', options.activeRequestBias, (v) => v >= 0, 'a number ≥ 0');
    this.random = options.random ?? Math.random;
    this.bias = options.activeRequestBias ?? STRATEGY_DEFAULTS.activeRequestBias;
  }

  /** Replaces the eligible backends; with unequal weights, rebuilds the schedule. */
  update(backends: readonly BackendView[]): void {
    this.backends = backends.slice();
    const first = backends[0]?.effectiveWeight;
    this.equal = backends.every((b) => b.effectiveWeight === first);
    this.scheduler.reset(backends.length);
    if (this.equal) return;
    backends.forEach((b, i) => {
      this.scheduler.add(i, this.weightOf(b));
    });
  }

  /** The less loaded of two random backends (or the EDF pick), or `undefined` when none. */
  pick(): BackendView | undefined {
    const backends = this.backends;
    const n = backends.length;
    if (n <= 1) return backends[0];
    if (!this.equal) {
      const backend = backends[this.scheduler.peek()] as BackendView;
      this.scheduler.advance(this.weightOf(backend));
      return backend;
    }
    // Two distinct indexes from one random number: its integer part and, rescaled, its fraction.
    const x = this.random() * n;
    const i = Math.floor(x);
    let j = Math.floor((x - i) * (n - 1));
    if (j >= i) j++;
    const a = backends[i] as BackendView;
    const b = backends[j] as BackendView;
    return b.activeRequests < a.activeRequests ? b : a;
  }

  private weightOf(backend: BackendView): number {
    const load = backend.activeRequests + 1;
    if (this.bias === 1) return backend.effectiveWeight / load;
    if (this.bias === 0) return backend.effectiveWeight;
    return backend.effectiveWeight / load ** this.bias;
  }
}
