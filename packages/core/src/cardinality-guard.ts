import { ERROR_CODES, SrekitError } from './errors.js';
import { OVERFLOW_LABEL_VALUE } from './metrics.js';

/** Options of {@link CardinalityGuard}. */
export interface CardinalityGuardOptions {
  /** Series cap per metric. */
  maxSeriesPerMetric: number;
  /** Called for every observation folded into the overflow series. */
  onOverflow?: (metric: string) => void;
}

/**
 * Caps the number of label sets (series) per metric. Once a metric holds `maxSeriesPerMetric`
 * series, observations with a new label set are folded into one overflow series whose labels
 * all read `__overflow__`, so a route or label that explodes cannot exhaust memory or the
 * scrape. Known series keep working.
 *
 * @example
 * ```ts
 * const labels = guard.fold('orders_total', { customer: id });
 * counter.inc(labels);
 * ```
 */
export class CardinalityGuard {
  readonly #max: number;
  readonly #onOverflow: ((metric: string) => void) | undefined;
  readonly #seen = new Map<string, Set<string>>();

  constructor(options: CardinalityGuardOptions) {
    if (!Number.isInteger(options.maxSeriesPerMetric) || options.maxSeriesPerMetric < 1) {
      throw new SrekitError(
        ERROR_CODES.INVALID_OPTION,
        `Invalid option \`metrics.maxSeriesPerMetric\`: expected a positive integer, got ${String(options.maxSeriesPerMetric)}. Use a value such as 2000`,
      );
    }
    this.#max = options.maxSeriesPerMetric;
    this.#onOverflow = options.onOverflow;
  }

  /**
   * Admits the series identified by `key` for `metric`. Returns `true` when the series is known
   * or fits under the cap, `false` when the observation must go to the overflow series (the
   * overflow is counted).
   */
  admit(metric: string, key: string): boolean {
    let seen = this.#seen.get(metric);
    if (seen === undefined) {
      seen = new Set();
      this.#seen.set(metric, seen);
    }
    if (seen.has(key)) return true;
    if (seen.size < this.#max) {
      seen.add(key);
      return true;
    }
    this.#onOverflow?.(metric);
    return false;
  }

  /**
   * Returns `labels` when the series is admitted, or a copy with every value replaced by
   * `__overflow__` when it is not.
   */
  fold<T extends Record<string, string | number>>(metric: string, labels: T): T {
    let key = '';
    for (const name in labels) key += `${name}\u0000${String(labels[name])}\u0001`;
    if (this.admit(metric, key)) return labels;
    const folded: Record<string, string> = {};
    for (const name in labels) folded[name] = OVERFLOW_LABEL_VALUE;
    return folded as T;
  }

  /** Number of distinct series admitted for `metric`. */
  seriesCount(metric: string): number {
    return this.#seen.get(metric)?.size ?? 0;
  }

  /** Forgets every series of `metric` (or of all metrics), e.g. after `registry.resetMetrics()`. */
  reset(metric?: string): void {
    if (metric === undefined) this.#seen.clear();
    else this.#seen.delete(metric);
  }
}
