import { Counter, Gauge, type Registry } from 'prom-client';
import { CardinalityGuard } from './cardinality-guard.js';
import { ERROR_CODES, SrekitError } from './errors.js';
import { KeyedHistogram } from './keyed-histogram.js';
import { LABELS, METRICS, OVERFLOW_LABEL_VALUE } from './metrics.js';

const OVERFLOW_KEY = '\u0000overflow';
const OVERFLOW_LABELS = {
  [LABELS.method]: OVERFLOW_LABEL_VALUE,
  [LABELS.route]: OVERFLOW_LABEL_VALUE,
  [LABELS.statusCode]: OVERFLOW_LABEL_VALUE,
};

/**
 * Core's HTTP server metrics: the duration histogram (with the series cap and exemplars) and the
 * in-flight gauge. Per request the middleware calls `requestStarted` and `requestFinished`; the
 * gauge is read from plain counters at scrape time, so requests pay no label hashing for it.
 */
export class HttpServerMetrics {
  readonly guard: CardinalityGuard;
  readonly duration: KeyedHistogram;
  readonly #active = new Map<string, number>();

  constructor(
    registry: Registry,
    options: { bucketsSeconds: readonly number[]; maxSeriesPerMetric: number },
  ) {
    const dropped = getOrCreate(
      registry,
      METRICS.droppedSeries.name,
      'counter',
      () =>
        new Counter({
          name: METRICS.droppedSeries.name,
          help: METRICS.droppedSeries.help,
          labelNames: [...METRICS.droppedSeries.labels],
          registers: [registry],
        }),
      { labelNames: METRICS.droppedSeries.labels },
    );
    this.guard = new CardinalityGuard({
      maxSeriesPerMetric: options.maxSeriesPerMetric,
      onOverflow: (metric) => dropped.inc({ metric }),
    });
    this.duration = getOrCreate(
      registry,
      METRICS.httpServerRequestDuration.name,
      'histogram',
      () =>
        new KeyedHistogram({
          name: METRICS.httpServerRequestDuration.name,
          help: METRICS.httpServerRequestDuration.help,
          labelNames: METRICS.httpServerRequestDuration.labels,
          buckets: options.bucketsSeconds,
          registers: [registry],
        }),
      { labelNames: METRICS.httpServerRequestDuration.labels, buckets: options.bucketsSeconds },
    );
    if (!(this.duration instanceof KeyedHistogram)) {
      throw new SrekitError(
        ERROR_CODES.METRIC_CONFLICT,
        `The registry already holds a histogram named ${METRICS.httpServerRequestDuration.name} that another library created. Give core its own registry`,
      );
    }
    const active = this.#active;
    getOrCreate(
      registry,
      METRICS.httpServerActiveRequests.name,
      'gauge',
      () =>
        new Gauge({
          name: METRICS.httpServerActiveRequests.name,
          help: METRICS.httpServerActiveRequests.help,
          labelNames: [...METRICS.httpServerActiveRequests.labels],
          registers: [registry],
          collect() {
            for (const [method, count] of active) this.set({ [LABELS.method]: method }, count);
          },
        }),
      { labelNames: METRICS.httpServerActiveRequests.labels },
    );
  }

  /** A request with this (normalised) method has started. */
  requestStarted(method: string): void {
    this.#active.set(method, (this.#active.get(method) ?? 0) + 1);
  }

  /** A request has ended; records its duration unless `seconds` is undefined. */
  requestFinished(
    method: string,
    route: string,
    status: number,
    seconds: number,
    traceId: string | undefined,
  ): void {
    this.#active.set(method, (this.#active.get(method) ?? 1) - 1);
    const key = `${method}\u0001${route}\u0001${status}`;
    if (this.guard.admit(METRICS.httpServerRequestDuration.name, key)) {
      this.duration.observe(
        key,
        { [LABELS.method]: method, [LABELS.route]: route, [LABELS.statusCode]: status },
        seconds,
        traceId,
      );
    } else {
      this.duration.observe(OVERFLOW_KEY, OVERFLOW_LABELS, seconds, traceId);
    }
  }
}

/** @internal The metric `name` on `registry` when it has the shape core needs, else a new one. */
export function getOrCreate<T>(
  registry: Registry,
  name: string,
  type: string,
  create: () => T,
  shape: { labelNames: readonly string[]; buckets?: readonly number[] },
): T {
  const existing = registry.getSingleMetric(name) as unknown as
    | { type?: string; labelNames?: readonly string[]; upperBounds?: readonly number[] }
    | undefined;
  if (existing === undefined) return create();
  const conflict = (problem: string): never => {
    throw new SrekitError(
      ERROR_CODES.METRIC_CONFLICT,
      `The registry already holds a metric named ${name} ${problem}. Give core its own registry or remove the other metric`,
    );
  };
  if (existing.type !== type) conflict(`of type ${String(existing.type)}; core needs a ${type}`);
  const labels = [...(existing.labelNames ?? [])].sort().join(',');
  if (labels !== [...shape.labelNames].sort().join(',')) {
    conflict(`with labels [${labels}]; core needs [${shape.labelNames.join(', ')}]`);
  }
  if (shape.buckets !== undefined && existing.upperBounds?.join(',') !== shape.buckets.join(',')) {
    conflict(
      `with buckets [${existing.upperBounds?.join(', ') ?? ''}]; core was configured with [${shape.buckets.join(', ')}]`,
    );
  }
  return existing as T;
}
