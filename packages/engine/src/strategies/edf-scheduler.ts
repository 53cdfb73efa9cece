/**
 * Earliest-deadline-first scheduler as in Envoy's `EdfScheduler`: each entry's next deadline is
 * the scheduler's current time plus `1 / weight`; the entry with the earliest deadline (ties: the
 * one scheduled first) is picked, the current time moves to its deadline and the entry is scheduled
 * again with its weight as of that moment. A binary heap over typed arrays: O(log n) per pick, no
 * allocation after `reset()`.
 *
 * @internal
 */
export class EdfScheduler {
  // Heap slots hold their deadline, scheduling sequence number and entry side by side, so sifting
  // reads consecutive memory instead of chasing entry numbers.
  private keys = new Float64Array(0);
  private seqs = new Float64Array(0);
  private items = new Int32Array(0);
  private size = 0;
  private now = 0;
  private sequence = 0;

  /** Empties the scheduler and sizes it for `capacity` entries (numbered 0 … capacity − 1). */
  reset(capacity: number): void {
    if (this.items.length < capacity) {
      this.keys = new Float64Array(capacity);
      this.seqs = new Float64Array(capacity);
      this.items = new Int32Array(capacity);
    }
    this.size = 0;
    this.now = 0;
    this.sequence = 0;
  }

  /** Schedules entry `item` with `weight` (> 0). Call once per entry after `reset()`. */
  add(item: number, weight: number): void {
    const key = this.now + 1 / safeWeight(weight);
    const seq = this.sequence++;
    const { keys, seqs, items } = this;
    // The newest entry loses every tie, so a parent moves down only when strictly later.
    let at = this.size++;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      const parentKey = keys[parent] as number;
      if (parentKey <= key) break;
      keys[at] = parentKey;
      seqs[at] = seqs[parent] as number;
      items[at] = items[parent] as number;
      at = parent;
    }
    keys[at] = key;
    seqs[at] = seq;
    items[at] = item;
  }

  /** The entry with the earliest deadline, or -1 when empty. Does not change the schedule. */
  peek(): number {
    return this.size === 0 ? -1 : (this.items[0] as number);
  }

  /**
   * Consumes the entry returned by `peek()` and schedules it again with `weight`: what happens
   * after a pick. O(log n).
   */
  advance(weight: number): void {
    const { keys, seqs, items, size } = this;
    const item = items[0] as number;
    this.now = keys[0] as number;
    const key = this.now + 1 / safeWeight(weight);
    const seq = this.sequence++;
    let at = 0;
    for (;;) {
      let child = 2 * at + 1;
      if (child >= size) break;
      let childKey = keys[child] as number;
      const right = child + 1;
      if (right < size) {
        const rightKey = keys[right] as number;
        if (
          rightKey < childKey ||
          (rightKey === childKey && (seqs[right] as number) < (seqs[child] as number))
        ) {
          child = right;
          childKey = rightKey;
        }
      }
      // The rescheduled entry is the newest, so it goes after a child with an equal deadline.
      if (childKey > key) break;
      keys[at] = childKey;
      seqs[at] = seqs[child] as number;
      items[at] = items[child] as number;
      at = child;
    }
    keys[at] = key;
    seqs[at] = seq;
    items[at] = item;
  }
}

// A zero, negative or non-finite weight would give an infinite, negative or NaN deadline; treat
// it as a tiny positive weight so the entry is merely scheduled last.
const MIN_WEIGHT = 1e-9;
function safeWeight(weight: number): number {
  return weight > MIN_WEIGHT && Number.isFinite(weight) ? weight : MIN_WEIGHT;
}
