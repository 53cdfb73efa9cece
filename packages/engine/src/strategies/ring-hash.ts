import { STRATEGY_DEFAULTS } from '../defaults.js';
import { invalidOption } from '../errors.js';
import type { BackendView, Random, Strategy } from '../types.js';
import { BoundedLoad } from './bounded-load.js';
import { byId, HASH_SPACE, hashString } from './hash.js';
import { checkNumber, resolveBoundedLoadFactor, type StrategyOptions } from './options.js';

// Ring entries are sorted as one float: position × 2^21 + backend rank, exact below 2^53.
const INDEX_SPACE = 2 ** 21;

/**
 * Consistent hashing on a Ketama-style ring, as Envoy's `RING_HASH`: each backend gets virtual
 * nodes at `hash(id + "_" + i)`, as many as its share of `effectiveWeight` allows on a ring of at
 * least `minRingSize` entries (the lightest backend's count rounded up to a power of two, so that
 * counts rarely change with membership), capped at `maxRingSize`. A key goes to the first entry at
 * or after `hash(key)` (MurmurHash3, 32-bit), found by binary search: O(log ring) per pick plus
 * key hashing. Without a key, a random point is used.
 *
 * Removing one of N backends moves the keys it held and almost nothing else (about 1/N), except
 * when the lightest backend's share crosses a power of two (e.g. 8 → 7 or 4 → 3 equal backends):
 * then every count doubles or halves and about 40 % of the other keys move too. Ejected and
 * drained backends stay on the ring and move only their own keys. With
 * `boundedLoadFactor`, a full host is skipped for the next distinct one on the ring (this needs
 * the pool's `onRequestStart`/`onRequestEnd` calls).
 *
 * @example
 * const ring = new RingHashStrategy({ minRingSize: 1024 });
 * ring.update(backends);
 * ring.pick(req.headers['x-session-id']); // same session → same backend
 */
export class RingHashStrategy implements Strategy {
  /** Always `'ring-hash'`. */
  readonly name = 'ring-hash' as const;
  private readonly random: Random;
  private readonly minRingSize: number;
  private readonly maxRingSize: number;
  private readonly bounded: BoundedLoad | undefined;
  private backends: readonly BackendView[] = [];
  private positions = new Uint32Array(0);
  private owners = new Int32Array(0);

  /**
   * @param options `random` (default `Math.random`), `minRingSize` (default 1 024),
   *   `maxRingSize` (default 8 388 608), `boundedLoadFactor` (default off).
   */
  constructor(options: StrategyOptions = {}) {
    const isSize = (v: number) => Number.isInteger(v) && v >= 1 && v <= 2 ** 30;
    checkNumber('minRingSize', options.minRingSize, isSize, 'an integer from 1 to 2^30');
    checkNumber('maxRingSize', options.maxRingSize, isSize, 'an integer from 1 to 2^30');
    this.random = options.random ?? Math.random;
    this.minRingSize = options.minRingSize ?? STRATEGY_DEFAULTS.minRingSize;
    this.maxRingSize = options.maxRingSize ?? STRATEGY_DEFAULTS.maxRingSize;
    if (this.minRingSize > this.maxRingSize) {
      invalidOption(
        'minRingSize',
        `${this.minRingSize} is above maxRingSize ${this.maxRingSize}`,
        'Make minRingSize ≤ maxRingSize.',
      );
    }
    const factor = resolveBoundedLoadFactor(options);
    this.bounded = factor === undefined ? undefined : new BoundedLoad(factor);
  }

  /** Rebuilds the ring. O(ring log ring). */
  update(backends: readonly BackendView[]): void {
    if (backends.length >= INDEX_SPACE) {
      invalidOption('backends', `${backends.length} backends`, `Use fewer than ${INDEX_SPACE}.`);
    }
    this.backends = backends.slice();
    this.bounded?.reset(this.backends);
    const weights = backends.map((b) => Math.max(0, b.effectiveWeight));
    const total = weights.reduce((sum, w) => sum + w, 0);
    if (total === 0) {
      this.positions = new Uint32Array(0);
      this.owners = new Int32Array(0);
      return;
    }
    let minShare = 1;
    for (const w of weights) if (w > 0) minShare = Math.min(minShare, w / total);
    // Entries for the lightest backend, rounded up to a power of two: then its count, and every
    // other backend's (a fixed multiple of it by weight), stays the same as backends come and go,
    // so a membership change moves only the keys it must. Envoy's unrounded scale changes every
    // backend's count on every change and moves ~2/N of the keys instead of ~1/N.
    const lightest = 2 ** Math.ceil(Math.log2(Math.max(1, minShare * this.minRingSize)));
    const scale = Math.min(lightest / minShare, this.maxRingSize);
    // Each backend's count on its own (not Envoy's running total), so that it depends only on its
    // weight relative to the lightest: a change elsewhere never shifts another's rounding.
    const counts = weights.map((w) => (w > 0 ? Math.max(1, Math.round((scale * w) / total)) : 0));
    const entries = counts.reduce((sum, n) => sum + n, 0);
    const order = byId(backends);
    // Entries carry the backend's rank by id, so that two backends hashing to the same point are
    // ordered the same way on every instance, whatever order the membership arrived in.
    const keys = new Float64Array(entries);
    let at = 0;
    order.forEach((i, rank) => {
      const id = (backends[i] as BackendView).id;
      for (let j = 0; j < (counts[i] as number); j++) {
        keys[at++] = hashString(`${id}_${j}`) * INDEX_SPACE + rank;
      }
    });
    keys.sort();
    this.positions = new Uint32Array(entries);
    this.owners = new Int32Array(entries);
    for (let k = 0; k < entries; k++) {
      const key = keys[k] as number;
      const rank = key % INDEX_SPACE;
      this.owners[k] = order[rank] as number;
      this.positions[k] = (key - rank) / INDEX_SPACE;
    }
  }

  /** The backend owning `hash(key)` on the ring, or `undefined` when there is none. */
  pick(key?: string): BackendView | undefined {
    const positions = this.positions;
    const size = positions.length;
    if (size === 0) return undefined;
    const hash = key === undefined ? Math.floor(this.random() * HASH_SPACE) : hashString(key);
    let lo = 0;
    let hi = size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((positions[mid] as number) < hash) lo = mid + 1;
      else hi = mid;
    }
    const at = lo === size ? 0 : lo;
    const bounded = this.bounded;
    return this.backends[
      bounded === undefined
        ? (this.owners[at] as number)
        : bounded.ownerWithRoom(this.owners, at, this.backends)
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

  /** Entries on the ring (for stats and tests). */
  get ringSize(): number {
    return this.positions.length;
  }
}
