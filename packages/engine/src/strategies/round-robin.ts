import type { BackendView, Strategy } from '../types.js';

/**
 * Round robin: each backend in turn, in the order `update()` gave them; weights are ignored (use
 * `WeightedRoundRobinStrategy` for weights). The position survives `update()`. O(1) per pick.
 *
 * @example
 * const rr = new RoundRobinStrategy();
 * rr.update(backends);
 * rr.pick(); // backends[0], then backends[1], …
 */
export class RoundRobinStrategy implements Strategy {
  /** Always `'round-robin'`. */
  readonly name = 'round-robin' as const;
  private backends: readonly BackendView[] = [];
  private next = 0;

  /** Replaces the eligible backends. */
  update(backends: readonly BackendView[]): void {
    this.backends = backends.slice();
    if (this.next >= this.backends.length) this.next = 0;
  }

  /** The next backend in turn, or `undefined` when there is none. */
  pick(): BackendView | undefined {
    const backends = this.backends;
    if (backends.length === 0) return undefined;
    const at = this.next;
    this.next = at + 1 === backends.length ? 0 : at + 1;
    return backends[at];
  }
}
