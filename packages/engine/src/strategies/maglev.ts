import { STRATEGY_DEFAULTS } from '../defaults.js';
import type { BackendView, Random, Strategy } from '../types.js';
import { BoundedLoad } from './bounded-load.js';
import { byId, HASH_SPACE, hashString } from './hash.js';
import { checkNumber, isPrime, resolveBoundedLoadFactor, type StrategyOptions } from './options.js';

/**
 * Consistent hashing with a Maglev lookup table (Eisenbud et al., NSDI 2016), as Envoy's
 * `MAGLEV`: each backend has a permutation of the table's `tableSize` (prime) slots from two
 * hashes of its id (`offset`, `skip`); backends take turns claiming their next free slot, a
 * backend of lower weight skipping turns in proportion (Envoy's weighted variant), until the table
 * is full. A key goes to `table[hash(key) mod tableSize]`: O(1) per pick plus key hashing.
 *
 * Removing one of N backends moves its keys and a few others (slightly more than 1/N in all,
 * against ring hash's near 1/N), in exchange for even spread and O(1) picks. With
 * `boundedLoadFactor`, a full host is skipped for the next slot's host. With more backends than
 * slots, some backends get none.
 *
 * @example
 * const maglev = new MaglevStrategy({ tableSize: 65537 });
 * maglev.update(backends);
 * maglev.pick(userId);
 */
export class MaglevStrategy implements Strategy {
  /** Always `'maglev'`. */
  readonly name = 'maglev' as const;
  private readonly random: Random;
  private readonly tableSize: number;
  private readonly bounded: BoundedLoad | undefined;
  private backends: readonly BackendView[] = [];
  private table = new Int32Array(0);

  /**
   * @param options `random` (default `Math.random`), `tableSize` (prime, default 65 537),
   *   `boundedLoadFactor` (default off).
   */
  constructor(options: StrategyOptions = {}) {
    checkNumber(
      'tableSize',
      options.tableSize,
      (v) => isPrime(v) && v <= 2 ** 24,
      'a prime number up to 2^24, e.g. 65537 or 655373',
    );
    this.random = options.random ?? Math.random;
    this.tableSize = options.tableSize ?? STRATEGY_DEFAULTS.tableSize;
    const factor = resolveBoundedLoadFactor(options);
    this.bounded = factor === undefined ? undefined : new BoundedLoad(factor);
  }

  /** Rebuilds the lookup table. O(tableSize) expected. */
  update(backends: readonly BackendView[]): void {
    this.backends = backends.slice();
    this.bounded?.reset(this.backends);
    const size = this.tableSize;
    const n = backends.length;
    const weights = backends.map((b) => Math.max(0, b.effectiveWeight));
    const maxWeight = Math.max(0, ...weights);
    if (n === 0 || maxWeight === 0) {
      this.table = new Int32Array(0);
      return;
    }
    const table = new Int32Array(size).fill(-1);
    const next = new Float64Array(n);
    const skip = new Float64Array(n);
    const target = new Float64Array(n);
    backends.forEach((b, i) => {
      next[i] = hashString(b.id, 0) % size;
      skip[i] = (hashString(b.id, 1) % (size - 1)) + 1;
    });
    // Turns go in id order, so every instance builds the same table whatever order its
    // membership arrived in (Envoy sorts hosts for the same reason).
    const order = byId(backends);
    let filled = 0;
    for (let turn = 1; filled < size; turn++) {
      for (let k = 0; k < n && filled < size; k++) {
        const i = order[k] as number;
        const w = weights[i] as number;
        if (w === 0 || turn * w < (target[i] as number)) continue;
        target[i] = (target[i] as number) + maxWeight;
        let slot = next[i] as number;
        while ((table[slot] as number) !== -1) slot = (slot + (skip[i] as number)) % size;
        table[slot] = i;
        filled++;
        next[i] = (slot + (skip[i] as number)) % size;
      }
    }
    this.table = table;
  }

  /** The backend of `hash(key)`'s slot, or `undefined` when there is none. */
  pick(key?: string): BackendView | undefined {
    const table = this.table;
    const size = table.length;
    if (size === 0) return undefined;
    const hash = key === undefined ? Math.floor(this.random() * HASH_SPACE) : hashString(key);
    const at = hash % size;
    const bounded = this.bounded;
    return this.backends[
      bounded === undefined
        ? (table[at] as number)
        : bounded.ownerWithRoom(table, at, this.backends)
    ];
  }

  /** Counts the request toward the bounded-load total. */
  onRequestStart(): void {
    this.bounded?.start();
  }

  /** Takes the request off the bounded-load total. */
  onRequestEnd(): void {
    this.bounded?.end();
  }
}
