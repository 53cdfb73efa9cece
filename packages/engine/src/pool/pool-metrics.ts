import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { METRICS } from '../metrics.js';

/** What a pool tells the scrape-time gauges about one backend. */
export interface BackendGaugeSource {
  readonly id: string;
  readonly up: boolean;
  readonly activeRequests: number;
  /** `closed`, `open`, `half-open`, or undefined without a breaker. */
  readonly circuit: string | undefined;
}

/** A pool as the gauges see it. */
export interface GaugeSource {
  readonly name: string;
  backendsForMetrics(): Iterable<BackendGaugeSource>;
}

/** The engine's metric objects on one registry, shared by every pool given that registry. */
export interface EngineMetrics {
  readonly requests: Counter<string>;
  readonly requestDuration: Histogram<string>;
  readonly ejections: Counter<string>;
  readonly retries: Counter<string>;
  readonly healthcheckFailures: Counter<string>;
  /** Pools whose backends the scrape-time gauges report. */
  readonly sources: Set<GaugeSource>;
}

const CIRCUIT_STATES = ['closed', 'open', 'half-open'] as const;

/** Request-duration buckets (seconds): sub-millisecond hops up to slow upstreams. */
const DURATION_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

const byRegistry = new WeakMap<Registry, EngineMetrics>();

function existing<T>(
  registry: Registry,
  name: string,
  kind: new (...args: never[]) => T,
): T | undefined {
  const metric = registry.getSingleMetric(name);
  return metric instanceof kind ? metric : undefined;
}

/**
 * The engine metrics (DESIGN.md names) on `registry`, created on first use and shared by every
 * pool given the same registry. Gauges are computed at scrape time from the registered pools, so
 * the request path only increments counters and observes the histogram.
 */
export function engineMetrics(registry: Registry): EngineMetrics {
  const known = byRegistry.get(registry);
  if (known !== undefined) return known;
  const sources = new Set<GaugeSource>();
  const counter = (d: (typeof METRICS)[keyof typeof METRICS]): Counter<string> =>
    existing(registry, d.name, Counter<string>) ??
    new Counter({ name: d.name, help: d.help, labelNames: [...d.labels], registers: [registry] });
  const gauge = (
    d: (typeof METRICS)[keyof typeof METRICS],
    fill: (g: Gauge<string>) => void,
  ): void => {
    if (existing(registry, d.name, Gauge<string>) !== undefined) return;
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
      for (const b of pool.backendsForMetrics())
        g.set({ pool: pool.name, backend: b.id }, b.up ? 1 : 0);
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
  const metrics: EngineMetrics = {
    requests: counter(METRICS.requests),
    requestDuration:
      existing(registry, METRICS.requestDuration.name, Histogram<string>) ??
      new Histogram({
        name: METRICS.requestDuration.name,
        help: METRICS.requestDuration.help,
        labelNames: [...METRICS.requestDuration.labels],
        buckets: DURATION_BUCKETS,
        registers: [registry],
      }),
    ejections: counter(METRICS.ejections),
    retries: counter(METRICS.retries),
    healthcheckFailures: counter(METRICS.healthcheckFailures),
    sources,
  };
  byRegistry.set(registry, metrics);
  return metrics;
}

/** The `outcome` label of `loadbalancer_requests_total` for a request outcome. */
export function outcomeLabel(outcome: number | string): string {
  if (typeof outcome !== 'number') return outcome.replaceAll('-', '_');
  if (outcome >= 500) return 'server_error';
  if (outcome >= 400) return 'client_error';
  return 'success';
}

/** Every value `outcomeLabel` can return, to remove a backend's series when it leaves. */
export const OUTCOME_LABELS = [
  'success',
  'client_error',
  'server_error',
  'connect_failure',
  'timeout',
  'reset',
] as const;
