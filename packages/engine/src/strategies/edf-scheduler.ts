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
  private deadline = new Float64Array(0);
  private order = new Float64Array(0);
  private heap = new Int32Array(0);
  private size = 0;
  private now = 0;
  private sequence = 0;

  /** Empties the scheduler and sizes it for `capacity` entries (numbered 0 … capacity − 1). */
  reset(capacity: number): void {
    if (this.heap.length < capacity) {
      this.deadline = new Float64Array(capacity);
      this.order = new Float64Array(capacity);
      this.heap = new Int32Array(capacity);
    }
    this.size = 0;
    this.now = 0;
    this.sequence = 0;
  }

  /** Schedules entry `item` with `weight` (> 0). Call once per entry after `reset()`. */
  add(item: number, weight: number): void {
    this.deadline[item] = this.now + 1 / safeWeight(weight);
    this.order[item] = this.sequence++;
    const at = this.size++;
    this.heap[at] = item;
    this.siftUp(at);
  }

  /** The entry with the earliest deadline, or -1 when empty. Does not change the schedule. */
  peek(): number {
    return this.size === 0 ? -1 : (this.heap[0] as number);
  }

  /**
   * Consumes the entry returned by `peek()` and schedules it again with `weight`: what happens
   * after a pick. O(log n).
   */
  advance(weight: number): void {
    const item = this.heap[0] as number;
    this.now = this.deadline[item] as number;
    this.deadline[item] = this.now + 1 / safeWeight(weight);
    this.order[item] = this.sequence++;
    this.siftDown(0);
  }

  private before(a: number, b: number): boolean {
    const da = this.deadline[a] as number;
    const db = this.deadline[b] as number;
    return da < db || (da === db && (this.order[a] as number) < (this.order[b] as number));
  }

  private siftUp(start: number): void {
    const heap = this.heap;
    const item = heap[start] as number;
    let at = start;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      const other = heap[parent] as number;
      if (!this.before(item, other)) break;
      heap[at] = other;
      at = parent;
    }
    heap[at] = item;
  }

  private siftDown(start: number): void {
    const heap = this.heap;
    const size = this.size;
    const item = heap[start] as number;
    let at = start;
    for (;;) {
      let child = 2 * at + 1;
      if (child >= size) break;
      const right = child + 1;
      if (right < size && this.before(heap[right] as number, heap[child] as number)) child = right;
      const other = heap[child] as number;
      if (!this.before(other, item)) break;
      heap[at] = other;
      at = child;
    }
    heap[at] = item;
  }
}

// A zero, negative or non-finite weight would give an infinite, negative or NaN deadline; treat
// it as a tiny positive weight so the entry is merely scheduled last.
const MIN_WEIGHT = 1e-9;
function safeWeight(weight: number): number {
  return weight > MIN_WEIGHT && Number.isFinite(weight) ? weight : MIN_WEIGHT;
}
