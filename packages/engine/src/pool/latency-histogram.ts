import type { LatencySummary } from './types.js';

// Log-spaced buckets, ×1.25 from 0.1 ms: 60 buckets reach ~60 s; quantiles come out within 25 %.
const BASE_MS = 0.1;
const GROWTH = 1.25;
const BUCKETS = 60;
const LOG_GROWTH = Math.log(GROWTH);

/**
 * A per-backend latency histogram for `pool.stats()`: fixed log-spaced buckets in one typed array,
 * O(1) and allocation-free to record; quantiles are the upper bound of their bucket (capped at the
 * largest value seen).
 */
export class LatencyHistogram {
  readonly #counts = new Uint32Array(BUCKETS + 1);
  #count = 0;
  #sumMs = 0;
  #maxMs = 0;

  record(ms: number): void {
    if (!(ms >= 0)) return;
    const index =
      ms <= BASE_MS ? 0 : Math.min(BUCKETS, Math.ceil(Math.log(ms / BASE_MS) / LOG_GROWTH));
    this.#counts[index] = (this.#counts[index] as number) + 1;
    this.#count++;
    this.#sumMs += ms;
    if (ms > this.#maxMs) this.#maxMs = ms;
  }

  summary(): LatencySummary {
    const count = this.#count;
    if (count === 0) {
      return { count, meanMs: undefined, p50Ms: undefined, p90Ms: undefined, p99Ms: undefined };
    }
    return {
      count,
      meanMs: this.#sumMs / count,
      p50Ms: this.#quantile(0.5),
      p90Ms: this.#quantile(0.9),
      p99Ms: this.#quantile(0.99),
    };
  }

  #quantile(q: number): number {
    const rank = Math.ceil(q * this.#count);
    let seen = 0;
    for (let i = 0; i <= BUCKETS; i++) {
      seen += this.#counts[i] as number;
      if (seen >= rank) {
        const upper = i === BUCKETS ? Number.POSITIVE_INFINITY : BASE_MS * GROWTH ** i;
        return Math.min(upper, this.#maxMs);
      }
    }
    return this.#maxMs;
  }
}
