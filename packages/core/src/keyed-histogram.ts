import type { Registry } from 'prom-client';

/** One exemplar as prom-client and the exposition serialiser read it. */
interface ExemplarValue {
  labelSet: Record<string, string>;
  value: number;
  timestamp: number;
}

interface Series {
  readonly labels: Readonly<Record<string, string | number>>;
  /** Observations per bucket (not cumulative); the last slot is `+Inf`. */
  readonly counts: number[];
  sum: number;
  count: number;
  /** Latest exemplar per bucket, mutated in place; copied at scrape time. */
  readonly exemplars: (ExemplarValue | undefined)[];
}

/** A sample as prom-client's `metric.get()` returns it. */
interface SampleValue {
  value: number;
  labels: Record<string, string | number>;
  metricName: string;
  exemplar?: ExemplarValue | null;
}

/**
 * A histogram whose series are addressed by a key the caller has already computed (for the HTTP
 * middleware: method, route and status joined), so the hot path is one map lookup and a short
 * bucket scan, with no label validation, sorting or hashing per observation. It plugs into a
 * prom-client registry like any prom-client metric (`get()`, `reset()`) and exports in the same
 * shape, exemplars included.
 */
export class KeyedHistogram {
  readonly name: string;
  readonly help: string;
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly labelNames: readonly string[];
  readonly upperBounds: readonly number[];
  readonly #series = new Map<string, Series>();

  constructor(options: {
    name: string;
    help: string;
    labelNames: readonly string[];
    buckets: readonly number[];
    registers?: readonly Registry[];
  }) {
    this.name = options.name;
    this.help = options.help;
    this.labelNames = [...options.labelNames];
    this.upperBounds = [...options.buckets];
    for (const registry of options.registers ?? []) {
      registry.registerMetric(this as never);
    }
  }

  /**
   * Records `value` in the series `key`; `labels` are used when the series is new. With a
   * `traceId`, the observation becomes its bucket's exemplar.
   */
  observe(
    key: string,
    labels: Readonly<Record<string, string | number>>,
    value: number,
    traceId?: string,
  ): void {
    let series = this.#series.get(key);
    if (series === undefined) {
      const slots = this.upperBounds.length + 1;
      series = {
        labels,
        counts: new Array<number>(slots).fill(0),
        sum: 0,
        count: 0,
        exemplars: new Array<ExemplarValue | undefined>(slots).fill(undefined),
      };
      this.#series.set(key, series);
    }
    const bounds = this.upperBounds;
    let i = 0;
    while (i < bounds.length && value > (bounds[i] as number)) i++;
    (series.counts as number[])[i] = (series.counts[i] as number) + 1;
    series.sum += value;
    series.count += 1;
    if (traceId !== undefined) {
      const current = series.exemplars[i];
      if (current === undefined) {
        series.exemplars[i] = {
          labelSet: { trace_id: traceId },
          value,
          timestamp: Date.now() / 1000,
        };
      } else {
        current.labelSet.trace_id = traceId;
        current.value = value;
        current.timestamp = Date.now() / 1000;
      }
    }
  }

  /** Number of series. */
  get seriesCount(): number {
    return this.#series.size;
  }

  /** The metric in prom-client's `get()` shape (cumulative buckets, `_sum`, `_count`). */
  async get(): Promise<{
    name: string;
    help: string;
    type: string;
    values: SampleValue[];
    aggregator: string;
  }> {
    const values: SampleValue[] = [];
    const bucketName = `${this.name}_bucket`;
    for (const series of this.#series.values()) {
      let cumulative = 0;
      for (let i = 0; i <= this.upperBounds.length; i++) {
        cumulative += series.counts[i] as number;
        const exemplar = series.exemplars[i];
        values.push({
          value: cumulative,
          labels: {
            le: i < this.upperBounds.length ? (this.upperBounds[i] as number) : '+Inf',
            ...series.labels,
          },
          metricName: bucketName,
          exemplar:
            exemplar === undefined
              ? null
              : {
                  labelSet: { ...exemplar.labelSet },
                  value: exemplar.value,
                  timestamp: exemplar.timestamp,
                },
        });
      }
      values.push({
        value: series.sum,
        labels: { ...series.labels },
        metricName: `${this.name}_sum`,
      });
      values.push({
        value: series.count,
        labels: { ...series.labels },
        metricName: `${this.name}_count`,
      });
    }
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      values,
      aggregator: this.aggregator,
    };
  }

  /** Forgets every series. */
  reset(): void {
    this.#series.clear();
  }
}
