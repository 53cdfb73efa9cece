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

function getOrCreate<T>(registry: Registry, name: string, type: string, create: () => T): T {
  const existing = registry.getSingleMetric(name) as unknown as { type?: string } | undefined;
  if (existing === undefined) return create();
  if (existing.type !== type) {
    throw new SrekitError(
      ERROR_CODES.METRIC_CONFLICT,
      `The registry already holds a ${String(existing.type)} named ${name}; core needs a ${type}. Give core its own registry or remove the other metric`,
    );
  }
  return existing as T;
}
