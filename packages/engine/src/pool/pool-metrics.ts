import { Counter, Gauge, type Registry } from 'prom-client';
import { CIRCUIT_STATES, METRICS, OUTCOMES } from '../metrics.js';

/** Request-duration buckets (seconds): sub-millisecond hops up to slow upstreams. */
export const DURATION_BUCKETS: readonly number[] = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/** The index in {@link OUTCOMES} of a request outcome. */
export function outcomeIndex(outcome: number | string): number {
  if (typeof outcome === 'number') return outcome >= 500 ? 2 : outcome >= 400 ? 1 : 0;
  return outcome === 'connect-failure' ? 3 : outcome === 'timeout' ? 4 : 5;
}

/** The index of the (non-cumulative) bucket of a duration in seconds; the last is +Inf. */
export function durationBucket(seconds: number): number {
  const buckets = DURATION_BUCKETS;
  let i = 0;
  while (i < buckets.length && seconds > (buckets[i] as number)) i++;
  return i;
}

/**
 * What a pool tells the metrics about one backend at scrape time. The request path only bumps
 * counts in typed arrays (a few ns); label sets are built here, once per scrape.
 */
export interface BackendMetricsSource {
  readonly id: string;
  readonly up: boolean;
  readonly activeRequests: number;
  /** `closed`, `open`, `half-open`, or undefined without a breaker. */
  readonly circuit: string | undefined;
  /** Ended requests per outcome, aligned with {@link OUTCOMES}. */
  readonly outcomes: ArrayLike<number>;
  /** Request durations per bucket (non-cumulative), aligned with {@link DURATION_BUCKETS} + +Inf. */
  readonly durationCounts: ArrayLike<number>;
  /** Sum of request durations, seconds. */
  readonly durationSum: number;
}

/** A pool as the metrics see it. */
export interface MetricsSource {
  readonly name: string;
  backendsForMetrics(): Iterable<BackendMetricsSource>;
}

/** The engine's event counters on one registry, and the pools reported at scrape time. */
export interface EngineMetrics {
  readonly ejections: Counter<string>;
  readonly retries: Counter<string>;
  readonly healthcheckFailures: Counter<string>;
  /** Pools whose backends the scrape-time metrics report. */
  readonly sources: Set<MetricsSource>;
}

// Kept on the registry under a global symbol, so two copies of the package in one process
// (nested installs) report their pools through the same metrics instead of clashing.
const KEY = Symbol.for('@srekit/engine.metrics');

/**
 * The engine metrics (DESIGN.md names) on `registry`, created on first use and shared by every
 * pool given the same registry. Requests, durations, up, active requests and circuit state are
 * computed at scrape time from the pools' records; ejections, retries and health-check failures
 * are counted as they happen (they are rare).
 */
export function engineMetrics(registry: Registry): EngineMetrics {
  const holder = registry as unknown as Record<symbol, EngineMetrics | undefined>;
  const known = holder[KEY];
  if (known !== undefined) return known;
  const sources = new Set<MetricsSource>();
  type Descriptor = (typeof METRICS)[keyof typeof METRICS];
  const gauge = (d: Descriptor, fill: (g: Gauge<string>) => void): void => {
    new Gauge({
      name: d.name,
      help: d.help,
      labelNames: [...d.labels],
      registers: [registry],
      collect() {
        this.reset();
        fill(this);
      },
    });
  };
  gauge(METRICS.backendUp, (g) => {
    for (const pool of sources) {
      for (const b of pool.backendsForMetrics()) {
        g.set({ pool: pool.name, backend: b.id }, b.up ? 1 : 0);
      }
    }
  });
  gauge(METRICS.backendActiveRequests, (g) => {
    for (const pool of sources) {
      for (const b of pool.backendsForMetrics()) {
        g.set({ pool: pool.name, backend: b.id }, b.activeRequests);
      }
    }
  });
  gauge(METRICS.circuitState, (g) => {
    for (const pool of sources) {
      for (const b of pool.backendsForMetrics()) {
        if (b.circuit === undefined) continue;
        for (const state of CIRCUIT_STATES) {
          g.set({ pool: pool.name, backend: b.id, state }, b.circuit === state ? 1 : 0);
        }
      }
    }
  });
  new Counter({
    name: METRICS.requests.name,
    help: METRICS.requests.help,
    labelNames: [...METRICS.requests.labels],
    registers: [registry],
    collect() {
      this.reset();
      for (const pool of sources) {
        for (const b of pool.backendsForMetrics()) {
          OUTCOMES.forEach((outcome, i) => {
            const count = b.outcomes[i] as number;
            if (count > 0) this.inc({ pool: pool.name, backend: b.id, outcome }, count);
          });
        }
      }
    },
  });
  registry.registerMetric(durationHistogram(sources) as never);
  const counter = (d: Descriptor): Counter<string> =>
    new Counter({ name: d.name, help: d.help, labelNames: [...d.labels], registers: [registry] });
  const metrics: EngineMetrics = {
    ejections: counter(METRICS.ejections),
    retries: counter(METRICS.retries),
    healthcheckFailures: counter(METRICS.healthcheckFailures),
    sources,
  };
  holder[KEY] = metrics;
  return metrics;
}

interface MetricValue {
  readonly value: number;
  readonly labels: Record<string, string | number>;
  readonly metricName: string;
}

/**
 * `loadbalancer_request_duration_seconds` as a prom-client-compatible metric object whose
 * buckets are read from the pools' per-backend counts at scrape time.
 */
function durationHistogram(sources: ReadonlySet<MetricsSource>) {
  const d = METRICS.requestDuration;
  const get = () => {
    const values: MetricValue[] = [];
    for (const pool of sources) {
      for (const b of pool.backendsForMetrics()) {
        const labels = { pool: pool.name, backend: b.id };
        let cumulative = 0;
        DURATION_BUCKETS.forEach((le, i) => {
          cumulative += b.durationCounts[i] as number;
          values.push({
            value: cumulative,
            labels: { le, ...labels },
            metricName: `${d.name}_bucket`,
          });
        });
        cumulative += b.durationCounts[DURATION_BUCKETS.length] as number;
        values.push({
          value: cumulative,
          labels: { le: '+Inf', ...labels },
          metricName: `${d.name}_bucket`,
        });
        values.push({ value: b.durationSum, labels, metricName: `${d.name}_sum` });
        values.push({ value: cumulative, labels, metricName: `${d.name}_count` });
      }
    }
    return { name: d.name, help: d.help, type: 'histogram', values, aggregator: 'sum' };
  };
  return {
    name: d.name,
    help: d.help,
    type: 'histogram',
    labelNames: [...d.labels],
    aggregator: 'sum',
    get,
    reset() {},
  };
}
