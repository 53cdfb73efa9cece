import type { Clock } from '../types.js';

/**
 * How a closed circuit counts outcomes and decides to open: one implementation per breaker mode.
 * Every method is O(1) (the sampling counter clears at most `buckets` stale buckets) and allocates
 * nothing.
 */
export interface FailureCounter {
  /** Records a success at clock time `at` (the counter reads its clock when `undefined`). */
  success(at: number | undefined): void;
  /** Records a failure; true when the circuit should open. */
  failure(at: number | undefined): boolean;
  /** Forgets everything (on closing). */
  reset(): void;
  /** Calls counted now (since the last reset, or in the window). */
  calls(): number;
  /** Failures counted now (consecutive, or in the window). */
  failures(): number;
}

/** Opens after `threshold` failures in a row (cockatiel's `ConsecutiveBreaker`). */
export class ConsecutiveCounter implements FailureCounter {
  #consecutive = 0;
  #calls = 0;

  constructor(private readonly threshold: number) {}

  success(): void {
    this.#calls++;
    this.#consecutive = 0;
  }

  failure(): boolean {
    this.#calls++;
    return ++this.#consecutive >= this.threshold;
  }

  reset(): void {
    this.#consecutive = 0;
    this.#calls = 0;
  }

  calls(): number {
    return this.#calls;
  }

  failures(): number {
    return this.#consecutive;
  }
}

/** Opens when at least `threshold` of the last `size` calls failed (a ring of outcome bits). */
export class CountCounter implements FailureCounter {
  readonly #ring: Uint8Array;
  #next = 0;
  #filled = 0;
  #failures = 0;

  constructor(
    size: number,
    private readonly threshold: number,
  ) {
    this.#ring = new Uint8Array(size);
  }

  #push(bit: 0 | 1): void {
    const ring = this.#ring;
    if (this.#filled === ring.length) this.#failures -= ring[this.#next] as number;
    else this.#filled++;
    ring[this.#next] = bit;
    this.#failures += bit;
    if (++this.#next === ring.length) this.#next = 0;
  }

  success(): void {
    this.#push(0);
  }

  failure(): boolean {
    this.#push(1);
    return this.#failures >= this.threshold;
  }

  reset(): void {
    this.#ring.fill(0);
    this.#next = 0;
    this.#filled = 0;
    this.#failures = 0;
  }

  calls(): number {
    return this.#filled;
  }

  failures(): number {
    return this.#failures;
  }
}

/**
 * Opens when failures / calls × 100 > `thresholdPercent` (strict, as opossum) over a rolling
 * window of `buckets` buckets, once the window holds at least `volumeThreshold` calls. Buckets
 * rotate lazily on each record from the clock, so an idle breaker costs nothing and a long idle
 * gap simply clears the window.
 */
export class SamplingCounter implements FailureCounter {
  /** Calls of bucket i at [2i], failures at [2i + 1]. */
  readonly #buckets: Int32Array;
  readonly #count: number;
  readonly #bucketMs: number;
  #current = 0;
  #slot = Number.NEGATIVE_INFINITY;
  #calls = 0;
  #failures = 0;

  constructor(
    windowMs: number,
    buckets: number,
    private readonly thresholdPercent: number,
    private readonly volumeThreshold: number,
    private readonly clock: Clock,
  ) {
    this.#count = buckets;
    this.#bucketMs = windowMs / buckets;
    this.#buckets = new Int32Array(buckets * 2);
  }

  /** Moves the current bucket to the one holding `at`, clearing the buckets passed over. */
  #rotate(at: number): void {
    const slot = Math.floor(at / this.#bucketMs);
    // A clock that steps back keeps counting in the current bucket.
    if (slot <= this.#slot) return;
    const steps = slot - this.#slot;
    this.#slot = slot;
    if (steps >= this.#count) {
      this.#clear();
      return;
    }
    const b = this.#buckets;
    for (let i = 0; i < steps; i++) {
      if (++this.#current === this.#count) this.#current = 0;
      const at = this.#current * 2;
      this.#calls -= b[at] as number;
      this.#failures -= b[at + 1] as number;
      b[at] = 0;
      b[at + 1] = 0;
    }
  }

  #clear(): void {
    this.#buckets.fill(0);
    this.#calls = 0;
    this.#failures = 0;
  }

  success(at: number | undefined): void {
    this.#rotate(at ?? this.clock());
    this.#buckets[this.#current * 2]++;
    this.#calls++;
  }

  failure(at: number | undefined): boolean {
    this.#rotate(at ?? this.clock());
    const i = this.#current * 2;
    this.#buckets[i]++;
    this.#buckets[i + 1]++;
    this.#calls++;
    this.#failures++;
    return (
      this.#calls >= this.volumeThreshold &&
      this.#failures * 100 > this.thresholdPercent * this.#calls
    );
  }

  reset(): void {
    this.#clear();
  }

  calls(): number {
    this.#rotate(this.clock());
    return this.#calls;
  }

  failures(): number {
    this.#rotate(this.clock());
    return this.#failures;
  }
}
