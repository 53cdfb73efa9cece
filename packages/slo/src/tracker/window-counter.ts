/**
 * Good and bad event counts over a rolling window, kept in a ring of time buckets.
 *
 * The window of `seconds` is cut into `buckets` buckets of equal width, aligned to the epoch
 * (bucket k covers `[k·width, (k+1)·width)` milliseconds). The ring holds one bucket more than
 * the window so that the bucket the window's start falls into is still there: it is counted in
 * proportion to the part of it inside the window, assuming events are spread evenly within a
 * bucket. The estimate is therefore off by at most the events of that one bucket, and by far
 * less when traffic is steady.
 *
 * Rotation is lazy: buckets are cleared when an event or a read reaches a newer bucket, never by
 * a timer. A gap longer than the window clears the whole ring at once, so a clock jump of days
 * costs no more than one window's worth of work. Running sums make a read O(1).
 *
 * Counts are stored as doubles, exact for integer counts up to 2^53.
 */
export class WindowCounter {
  /** Window length in seconds. */
  readonly seconds: number;
  /** Buckets in the window (the ring holds one more). */
  readonly buckets: number;
  /** Bucket width in milliseconds. */
  readonly widthMs: number;
  /** Good events in the window as of the last {@link read}. */
  good = 0;
  /** Bad events in the window as of the last {@link read}. */
  bad = 0;

  readonly #slots: number;
  readonly #good: Float64Array;
  readonly #bad: Float64Array;
  /** Absolute index of the newest bucket; NaN while empty. */
  #head = Number.NaN;
  #headSlot = 0;
  // Start and end of the newest bucket; the impossible interval while empty keeps `add` on the
  // slow path until the first event.
  #headStart = Number.POSITIVE_INFINITY;
  #headEnd = Number.NEGATIVE_INFINITY;
  #sumGood = 0;
  #sumBad = 0;

  constructor(seconds: number, buckets: number) {
    this.seconds = seconds;
    this.buckets = buckets;
    this.widthMs = (seconds * 1000) / buckets;
    this.#slots = buckets + 1;
    this.#good = new Float64Array(this.#slots);
    this.#bad = new Float64Array(this.#slots);
  }

  /** Adds events at `at` (epoch milliseconds). Events older than the window are dropped. */
  add(at: number, good: number, bad: number): void {
    if (at >= this.#headStart && at < this.#headEnd) {
      const slot = this.#headSlot;
      this.#good[slot] += good;
      this.#bad[slot] += bad;
      this.#sumGood += good;
      this.#sumBad += bad;
      return;
    }
    this.#addSlow(at, good, bad);
  }

  #addSlow(at: number, good: number, bad: number): void {
    const index = Math.floor(at / this.widthMs);
    if (Number.isNaN(this.#head) || index > this.#head) this.#advance(index);
    else if (this.#head - index >= this.#slots) return;
    const slot = this.#slotOf(index);
    this.#good[slot] += good;
    this.#bad[slot] += bad;
    this.#sumGood += good;
    this.#sumBad += bad;
  }

  /**
   * Rotates to `now` and sets {@link good} and {@link bad} to the counts over
   * `(now − seconds, now]`, the oldest bucket counted fractionally.
   */
  read(now: number): void {
    if (Number.isNaN(this.#head)) {
      this.good = 0;
      this.bad = 0;
      return;
    }
    const index = Math.floor(now / this.widthMs);
    if (index > this.#head) this.#advance(index);
    // Share of the oldest bucket that lies outside the window; 0 when `now` is older than the
    // newest event (then the window is read as of that event).
    let outside = (now - this.#headStart) / this.widthMs;
    outside = outside < 0 ? 0 : Math.min(outside, 1);
    const oldest = this.#slotOf(this.#head + 1);
    const good = this.#sumGood - outside * this.#good[oldest];
    const bad = this.#sumBad - outside * this.#bad[oldest];
    // Guards against drift of the running sums when counts are not integers.
    this.good = Math.max(good, 0);
    this.bad = Math.max(bad, 0);
  }

  /** Forgets every event. */
  clear(): void {
    this.#good.fill(0);
    this.#bad.fill(0);
    this.#sumGood = 0;
    this.#sumBad = 0;
    this.#head = Number.NaN;
    this.#headStart = Number.POSITIVE_INFINITY;
    this.#headEnd = Number.NEGATIVE_INFINITY;
    this.good = 0;
    this.bad = 0;
  }

  /** Bytes held by the ring's arrays. */
  get byteLength(): number {
    return this.#good.byteLength + this.#bad.byteLength;
  }

  #advance(index: number): void {
    const head = this.#head;
    if (Number.isNaN(head) || index - head >= this.#slots) {
      this.#good.fill(0);
      this.#bad.fill(0);
      this.#sumGood = 0;
      this.#sumBad = 0;
    } else {
      for (let k = head + 1; k <= index; k++) {
        const slot = this.#slotOf(k);
        this.#sumGood -= this.#good[slot];
        this.#sumBad -= this.#bad[slot];
        this.#good[slot] = 0;
        this.#bad[slot] = 0;
      }
      // Sums of integer counts stay exact; this only removes float residue of fractional ones.
      if (this.#sumGood < 1e-9) this.#sumGood = 0;
      if (this.#sumBad < 1e-9) this.#sumBad = 0;
    }
    this.#head = index;
    this.#headSlot = this.#slotOf(index);
    this.#headStart = index * this.widthMs;
    this.#headEnd = (index + 1) * this.widthMs;
  }

  #slotOf(index: number): number {
    const slot = index % this.#slots;
    return slot < 0 ? slot + this.#slots : slot;
  }
}
