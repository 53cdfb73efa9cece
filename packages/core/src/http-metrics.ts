import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { CardinalityGuard } from './cardinality-guard.js';
import { ERROR_CODES, SrekitError } from './errors.js';
import { METRICS } from './metrics.js';

/** The metric objects the middleware records into. */
export interface HttpMetrics {
  readonly duration: Histogram<string>;
  readonly active: Gauge<string>;
  readonly dropped: Counter<string>;
  readonly guard: CardinalityGuard;
  readonly exemplars: boolean;
}

/** Registers core's metrics on `registry` (or reuses identical ones already there). */
export function registerHttpMetrics(
  registry: Registry,
  options: { bucketsSeconds: readonly number[]; maxSeriesPerMetric: number; exemplars: boolean },
): HttpMetrics {
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
  const guard = new CardinalityGuard({
    maxSeriesPerMetric: options.maxSeriesPerMetric,
    onOverflow: (metric) => dropped.inc({ metric }),
  });
  const duration = getOrCreate(
    registry,
    METRICS.httpServerRequestDuration.name,
    'histogram',
    () =>
      new Histogram({
        name: METRICS.httpServerRequestDuration.name,
        help: METRICS.httpServerRequestDuration.help,
        labelNames: [...METRICS.httpServerRequestDuration.labels],
        buckets: [...options.bucketsSeconds],
        enableExemplars: options.exemplars,
        registers: [registry],
      }),
    { labelNames: METRICS.httpServerRequestDuration.labels, buckets: options.bucketsSeconds },
  );
  const active = getOrCreate(
    registry,
    METRICS.httpServerActiveRequests.name,
    'gauge',
    () =>
      new Gauge({
        name: METRICS.httpServerActiveRequests.name,
        help: METRICS.httpServerActiveRequests.help,
        labelNames: [...METRICS.httpServerActiveRequests.labels],
        registers: [registry],
      }),
    { labelNames: METRICS.httpServerActiveRequests.labels },
  );
  return {
    duration,
    active,
    dropped,
    guard,
    exemplars:
      options.exemplars &&
      (duration as unknown as { enableExemplars?: boolean }).enableExemplars === true,
  };
}

function getOrCreate<T>(
  registry: Registry,
  name: string,
  type: string,
  create: () => T,
  shape: { labelNames: readonly string[]; buckets?: readonly number[] },
): T {
  const existing = registry.getSingleMetric(name) as unknown as
    | { type?: string; labelNames?: string[]; upperBounds?: number[] }
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
