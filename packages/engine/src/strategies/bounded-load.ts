import type { BackendView } from '../types.js';

/**
 * Consistent hashing with bounded loads (Mirrokni, Thorup, Zadimoghaddam 2017), shared by ring
 * hash and Maglev: a host is full when its active requests reach
 * `ceil(c × (total active + 1) × weight / Σ weight)`, and the caller moves on to the next host of
 * its ring or table. Because `c > 1`, the capacities add up to more than the total, so some host
 * always has room. The total is kept by `start()`/`end()` (O(1)) and re-summed on `reset()`.
 *
 * @internal
 */
export class BoundedLoad {
  private share = new Float64Array(0);
  private total = 0;

  constructor(private readonly factor: number) {}

  /** Recomputes shares for `backends` and re-sums their active requests. O(n). */
  reset(backends: readonly BackendView[]): void {
    this.share = new Float64Array(backends.length);
    let weights = 0;
    let active = 0;
    for (const b of backends) {
      weights += Math.max(0, b.effectiveWeight);
      active += b.activeRequests;
    }
    backends.forEach((b, i) => {
      this.share[i] =
        weights > 0 ? (this.factor * Math.max(0, b.effectiveWeight)) / weights : this.factor;
    });
    this.total = active;
  }

  /** Whether backend number `index` has no room for one more request. */
  full(index: number, backend: BackendView): boolean {
    return backend.activeRequests >= Math.ceil((this.share[index] as number) * (this.total + 1));
  }

  /** A request started somewhere in the set. */
  start(): void {
    this.total++;
  }

  /** A request ended somewhere in the set. */
  end(): void {
    if (this.total > 0) this.total--;
  }
}
