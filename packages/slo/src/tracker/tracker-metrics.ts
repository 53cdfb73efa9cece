import { ERROR_CODES, SrekitError } from '@srekit/core';
import { Counter, Gauge, type Registry } from 'prom-client';
import { invalidArgument } from '../errors.js';
import { LABELS, METRICS, RESULTS } from '../metrics.js';
import type { SloStatus } from './status.js';

/** What a tracker offers its registry at scrape time. */
export interface MetricsSource {
  /** The SLO ids it tracks. */
  readonly sloIds: readonly string[];
  /** Objective ratio and event totals per SLO (no clock needed). */
  totals(): Iterable<{ sloId: string; objectiveRatio: number; good: number; bad: number }>;
  /** Statuses of every SLO as of now (runs the lazy evaluation too). */
  statuses(): readonly SloStatus[];
}

/** The tracker metrics of one registry, shared by every tracker registered on it. */
class RegistryMetrics {
  readonly sources = new Set<MetricsSource>();

  constructor(registry: Registry) {
    const sources = this.sources;
    const registers = [registry];
    new Counter({
      name: METRICS.events.name,
      help: METRICS.events.help,
      labelNames: [...METRICS.events.labels],
      registers,
      collect() {
        this.reset();
        for (const source of sources) {
          for (const { sloId, good, bad } of source.totals()) {
            this.inc({ [LABELS.sloId]: sloId, [LABELS.result]: RESULTS.good }, good);
            this.inc({ [LABELS.sloId]: sloId, [LABELS.result]: RESULTS.bad }, bad);
          }
        }
      },
    });
    new Gauge({
      name: METRICS.objective.name,
      help: METRICS.objective.help,
      labelNames: [...METRICS.objective.labels],
      registers,
      collect() {
        this.reset();
        for (const source of sources) {
          for (const { sloId, objectiveRatio } of source.totals()) {
            this.set({ [LABELS.sloId]: sloId }, objectiveRatio);
          }
        }
      },
    });
    // Each gauge reads statuses itself: a scrape may read metrics one by one with the event loop
    // running in between (core's streamed exposition), so a status shared between them could be
    // stale or missing. A status costs microseconds.
    const statuses = (): SloStatus[] => [...sources].flatMap((source) => source.statuses());
    new Gauge({
      name: METRICS.budgetRemaining.name,
      help: METRICS.budgetRemaining.help,
      labelNames: [...METRICS.budgetRemaining.labels],
      registers,
      collect() {
        this.reset();
        for (const status of statuses()) {
          const remaining = status.period.budgetRemaining;
          if (remaining !== undefined) this.set({ [LABELS.sloId]: status.sloId }, remaining);
        }
      },
    });
    new Gauge({
      name: METRICS.burnRate.name,
      help: METRICS.burnRate.help,
      labelNames: [...METRICS.burnRate.labels],
      registers,
      collect() {
        this.reset();
        for (const status of statuses()) {
          for (const window of status.windows) {
            if (window.burnRate !== undefined) {
              this.set(
                { [LABELS.sloId]: status.sloId, [LABELS.window]: window.window },
                window.burnRate,
              );
            }
          }
        }
      },
    });
  }
}

const byRegistry = new WeakMap<Registry, RegistryMetrics>();

/**
 * Registers a tracker's metrics on `registry`. Several trackers may share a registry as long as
 * their SLO ids differ; the metrics are created once and read every tracker. Returns a function
 * that removes the tracker again.
 *
 * Throws `ERR_SREKIT_METRIC_CONFLICT` when the registry already holds a metric of the same name
 * that no tracker created, and `ERR_SREKIT_SLO_INVALID_ARGUMENT` when an SLO id is already
 * exported by another tracker on the registry.
 */
export function registerTrackerMetrics(registry: Registry, source: MetricsSource): () => void {
  let metrics = byRegistry.get(registry);
  if (metrics === undefined) {
    for (const descriptor of Object.values(METRICS)) {
      if (registry.getSingleMetric(descriptor.name) !== undefined) {
        throw new SrekitError(
          ERROR_CODES.METRIC_CONFLICT,
          `The registry already holds a metric named ${descriptor.name} that no SloTracker created. Give the tracker another registry or remove the other metric`,
        );
      }
    }
    metrics = new RegistryMetrics(registry);
    byRegistry.set(registry, metrics);
  }
  for (const other of metrics.sources) {
    const clash = source.sloIds.find((id) => other.sloIds.includes(id));
    if (clash !== undefined) {
      invalidArgument(
        'registry',
        `another SloTracker on this registry already exports SLO "${clash}"`,
        'Track each SLO in one tracker, or close() the other tracker first.',
      );
    }
  }
  metrics.sources.add(source);
  const registered = metrics;
  return () => void registered.sources.delete(source);
}
