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

  /**
   * The owner of slot `at` of a ring or table (`owners[at]`), or, when that backend is full, the
   * next owner along the slots that has room (the ring's or table's walk order).
   */
  ownerWithRoom(owners: ArrayLike<number>, at: number, backends: readonly BackendView[]): number {
    const size = owners.length;
    const owner = owners[at] as number;
    if (!this.full(owner, backends[owner] as BackendView)) return owner;
    let slot = at;
    for (let step = 1; step < size; step++) {
      slot = slot + 1 === size ? 0 : slot + 1;
      const other = owners[slot] as number;
      if (other !== owner && !this.full(other, backends[other] as BackendView)) return other;
    }
    return owner;
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
