import type { BackendView, Strategy } from '../types.js';
import { EdfScheduler } from './edf-scheduler.js';

/**
 * Smooth weighted round robin by earliest deadline first, as Envoy's round-robin load balancer
 * with unequal weights: a backend of weight `w` is due every `1 / w` and the earliest due one is
 * picked, so picks are interleaved (weights 1 and 2 give `B A B`, not `A B B`) and over any
 * cycle of `Σw` picks each backend gets its share (exactly when the `1 / w` are exact binary
 * fractions; otherwise rounding can move a tie by one pick). Reads `effectiveWeight`, again
 * each time a backend is rescheduled, so slow start takes effect without an `update()`. O(log n)
 * per pick; plain round robin (O(1)) when all weights are equal.
 *
 * @example
 * const wrr = new WeightedRoundRobinStrategy();
 * wrr.update([a, b]); // a.weight 1, b.weight 2
 * wrr.pick(); // b, a, b, b, a, b, …
 */
export class WeightedRoundRobinStrategy implements Strategy {
  /** Always `'weighted-round-robin'`. */
  readonly name = 'weighted-round-robin' as const;
  private backends: readonly BackendView[] = [];
  private readonly scheduler = new EdfScheduler();
  private equal = true;
  private next = 0;

  /** Replaces the eligible backends and restarts the schedule. O(n log n). */
  update(backends: readonly BackendView[]): void {
    this.backends = backends.slice();
    const first = backends[0]?.effectiveWeight;
    this.equal = backends.every((b) => b.effectiveWeight === first);
    if (this.next >= backends.length) this.next = 0;
    this.scheduler.reset(backends.length);
    if (this.equal) return;
    backends.forEach((b, i) => {
      this.scheduler.add(i, b.effectiveWeight);
    });
  }

  /** The backend due first, or `undefined` when there is none. */
  pick(): BackendView | undefined {
    const backends = this.backends;
    if (backends.length === 0) return undefined;
    if (this.equal) {
      const at = this.next;
      this.next = at + 1 === backends.length ? 0 : at + 1;
      return backends[at];
    }
    const backend = backends[this.scheduler.peek()] as BackendView;
    this.scheduler.advance(backend.effectiveWeight);
    return backend;
  }
}
