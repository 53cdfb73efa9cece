import { Listeners } from '@srekit/core';
import { objectiveRatio } from '../decimal.js';
import { TRACKER_DEFAULTS } from '../defaults.js';
import { invalidArgument, SLO_ERROR_CODES } from '../errors.js';
import type { SloSpec } from '../types.js';
import {
  type ResolvedTrackerOptions,
  resolveTrackerOptions,
  type SloTrackerOptions,
  type TrackerLogger,
} from './options.js';
import type { BudgetExhaustedEvent, Disposable, SloStatus, TierFiringEvent } from './status.js';
import { TrackedSlo } from './tracked-slo.js';
import { registerTrackerMetrics } from './tracker-metrics.js';

/**
 * Live SLO tracking inside the service: counts good and bad events per SLO over every alert
 * tier's long and short window and over the SLO period, and reports burn rates, the error budget
 * left, a forecast of its exhaustion and which burn-rate tiers fire — the same numbers the
 * generated Prometheus rules compute, available in-process for a status page or a gate.
 *
 * Storage is a ring of {@link TRACKER_DEFAULTS.bucketsPerWindow} buckets per window (the oldest
 * counted fractionally, so burn rates stay within a fraction of a percent of an exact sliding
 * window), rotated lazily: the tracker runs no timers and an idle one does no work. A calendar
 * period (this month in Europe/Berlin) counts the elapsed part of the current period.
 *
 * The tracker budgets by occurrences (bad events ÷ events), whatever a spec's `budgetingMethod`
 * says; for a timeslices SLO its numbers are the event-based view. Which events are good is the
 * caller's call (`record(id, good)`, or `sloMiddleware` for HTTP requests).
 *
 * Runtime problems (an unknown SLO id, invalid counts or timestamps, a listener that throws) are
 * reported to `options.logger` once and never thrown: recording telemetry must not break a request.
 * Construction throws `ERR_SREKIT_SLO_INVALID_ARGUMENT` for invalid options or specs.
 *
 * **When tiers and the budget are evaluated.** There are no timers, so `onTierFiring` and
 * `onBudgetExhausted` listeners are called from inside `status()`, `statuses()`, a scrape of the
 * registry, or a `record()`/`recordMany()` that comes at least `evaluationIntervalMs` (default
 * 1 s) after the SLO's previous evaluation. A tier that starts firing during a quiet spell is
 * therefore reported with the next event or read.
 *
 * @example
 * ```ts
 * const tracker = new SloTracker(parseSloSpecs(yamlText), { registry: telemetry.registry });
 * app.use(sloMiddleware(tracker, { sloId: 'checkout-availability' }));
 * tracker.onTierFiring(({ sloId, tier }) => logger.warn({ sloId, tier: tier.id }, 'burning'));
 * tracker.status('checkout-availability')?.period.budgetRemaining; // 0.93
 * ```
 */
export class SloTracker {
  readonly #slos = new Map<string, TrackedSlo>();
  readonly #options: ResolvedTrackerOptions;
  readonly #now: () => number;
  readonly #interval: number;
  readonly #tierFiring: Listeners<TierFiringEvent>;
  readonly #budgetExhausted: Listeners<BudgetExhaustedEvent>;
  readonly #unknownIds = new Set<string>();
  readonly #warnings = new Set<string>();
  #unregister: (() => void) | undefined;
  #lastId: string | undefined;
  #lastSlo: TrackedSlo | undefined;

  /**
   * @param specs - SLOs to track (from `parseSloSpecs()`/`loadSloSpecs()`); ids must be unique.
   * @param options - See {@link SloTrackerOptions}; all optional.
   */
  constructor(specs: readonly SloSpec[], options: SloTrackerOptions = {}) {
    this.#options = resolveTrackerOptions(options);
    this.#now = this.#options.now;
    this.#interval = this.#options.evaluationIntervalMs;
    if (!Array.isArray(specs)) {
      invalidArgument('specs', 'it is not an array', 'Pass the `slos` of parseSloSpecs().');
    }
    for (const spec of specs) {
      if (this.#slos.has(spec.id)) {
        invalidArgument('specs', `SLO id "${spec.id}" appears twice`, 'Give every SLO its own id.');
      }
      this.#slos.set(
        spec.id,
        new TrackedSlo(spec, {
          extraWindowSeconds: this.#options.extraWindowSeconds,
          bucketsPerWindow: this.#options.bucketsPerWindow,
          now: this.#options.now,
          maxClockSkewMs: this.#options.maxClockSkewMs,
        }),
      );
    }
    const logger = this.#options.logger;
    const onListenerError = (error: unknown): void =>
      logger.error({ err: error }, 'An SloTracker listener threw; the tracker carries on.');
    this.#tierFiring = new Listeners(onListenerError);
    this.#budgetExhausted = new Listeners(onListenerError);
    if (this.#options.registry !== undefined) {
      const slos = this.#slos;
      const sloIds = [...slos.keys()];
      this.#unregister = registerTrackerMetrics(this.#options.registry, {
        sloIds,
        *totals() {
          for (const slo of slos.values()) {
            yield {
              sloId: slo.spec.id,
              objectiveRatio: objectiveRatio(slo.spec.objectiveText) ?? slo.spec.objective / 100,
              good: slo.goodTotal,
              bad: slo.badTotal,
            };
          }
        },
        statuses: () => this.statuses(),
      });
    }
  }

  /** Ids of the tracked SLOs, in spec order. */
  get sloIds(): readonly string[] {
    return [...this.#slos.keys()];
  }

  /** Where runtime problems are reported (`options.logger`, or `process.emitWarning`). */
  get logger(): TrackerLogger {
    return this.#options.logger;
  }

  /** The spec of a tracked SLO, or undefined for an unknown id. */
  spec(sloId: string): SloSpec | undefined {
    return this.#slos.get(sloId)?.spec;
  }

  /**
   * Records one event. Allocation-free; an unknown `sloId` is reported once to the logger and
   * ignored.
   *
   * @param good - Whether the event met the SLO.
   * @param at - When it happened (epoch ms); default the tracker's clock. Passing a timestamp
   *   you already have saves the clock read. Events older than a window are dropped from it.
   */
  record(sloId: string, good: boolean, at?: number): void {
    const slo = this.#find(sloId);
    if (slo === undefined) {
      this.#unknown(sloId);
      return;
    }
    const t = at === undefined ? this.#now() : at;
    if (!Number.isFinite(t)) {
      this.#warnOnce('at', `record(): timestamp ${String(at)} is not a finite number of ms`);
      return;
    }
    if (!(good ? slo.add(t, 1, 0) : slo.add(t, 0, 1))) {
      this.#future(t);
      return;
    }
    if (t >= slo.nextEvaluationAt) this.#evaluate(slo, t);
  }

  /**
   * Records `good` good and `bad` bad events at once (e.g. from a batch or a sampled stream).
   * Counts must be finite and ≥ 0; invalid counts are reported once and ignored.
   *
   * @param at - When they happened (epoch ms); default the tracker's clock.
   */
  recordMany(sloId: string, good: number, bad: number, at?: number): void {
    const slo = this.#find(sloId);
    if (slo === undefined) {
      this.#unknown(sloId);
      return;
    }
    if (!(Number.isFinite(good) && good >= 0 && Number.isFinite(bad) && bad >= 0)) {
      this.#warnOnce(
        'counts',
        `recordMany(): counts good=${String(good)}, bad=${String(bad)} are not finite numbers ≥ 0`,
      );
      return;
    }
    const t = at === undefined ? this.#now() : at;
    if (!Number.isFinite(t)) {
      this.#warnOnce('at', `recordMany(): timestamp ${String(at)} is not a finite number of ms`);
      return;
    }
    if (good === 0 && bad === 0) return;
    if (!slo.add(t, good, bad)) {
      this.#future(t);
      return;
    }
    if (t >= slo.nextEvaluationAt) this.#evaluate(slo, t);
  }

  /**
   * The live status of one SLO as of the tracker's clock: per-window counts and burn rates, the
   * period's budget, the exhaustion forecast and each tier's state. Also evaluates tiers and
   * budget (listeners may be called). Undefined, with a warning once, for an unknown id.
   */
  status(sloId: string): SloStatus | undefined {
    const slo = this.#slos.get(sloId);
    if (slo === undefined) {
      this.#unknown(sloId);
      return undefined;
    }
    return this.#evaluate(slo, this.#now());
  }

  /** {@link status} of every tracked SLO, in spec order. */
  statuses(): SloStatus[] {
    const now = this.#now();
    return [...this.#slos.values()].map((slo) => this.#evaluate(slo, now));
  }

  /**
   * Calls `listener` each time a tier of an SLO starts firing (both of its windows burn at or
   * above its factor and the traffic guard is met), once per transition: it is called again only
   * after the tier has stopped firing at an evaluation in between. See the class documentation
   * for when evaluations happen.
   */
  onTierFiring(listener: (event: TierFiringEvent) => void): Disposable {
    return this.#tierFiring.add(listener);
  }

  /**
   * Calls `listener` when an SLO's period budget reaches zero or less, once per transition (again
   * only after the budget was above zero at an evaluation in between, e.g. a new calendar
   * period).
   */
  onBudgetExhausted(listener: (event: BudgetExhaustedEvent) => void): Disposable {
    return this.#budgetExhausted.add(listener);
  }

  /**
   * Removes the tracker's metrics from the registry and every listener. Recording and status
   * keep working.
   */
  close(): void {
    this.#unregister?.();
    this.#unregister = undefined;
    this.#tierFiring.clear();
    this.#budgetExhausted.clear();
  }

  #find(sloId: string): TrackedSlo | undefined {
    // Most callers record one SLO over and over (a middleware per SLO): comparing with the last
    // id is a pointer comparison for the same string and saves the hash lookup.
    if (sloId === this.#lastId) return this.#lastSlo;
    const slo = this.#slos.get(sloId);
    if (slo !== undefined) {
      this.#lastId = sloId;
      this.#lastSlo = slo;
    }
    return slo;
  }

  #evaluate(slo: TrackedSlo, now: number): SloStatus {
    slo.nextEvaluationAt = now + this.#interval;
    const status = slo.status(now);
    const started: TierFiringEvent[] = [];
    status.tiers.forEach((tier, i) => {
      if (tier.firing && !slo.firing[i]) started.push({ sloId: slo.spec.id, tier, status });
      slo.firing[i] = tier.firing;
    });
    const exhausted = status.budgetExhausted && !slo.exhausted;
    slo.exhausted = status.budgetExhausted;
    // State is updated before listeners run, so a listener that reads the status again does not
    // see the same transition twice.
    for (const event of started) this.#tierFiring.emit(event);
    if (exhausted) {
      this.#budgetExhausted.emit({
        sloId: slo.spec.id,
        budgetRemaining: status.period.budgetRemaining ?? 0,
        status,
      });
    }
    return status;
  }

  #unknown(sloId: string): void {
    if (this.#unknownIds.has(sloId)) return;
    if (this.#unknownIds.size >= TRACKER_DEFAULTS.maxUnknownIdWarnings) return;
    this.#unknownIds.add(sloId);
    const known = [...this.#slos.keys()];
    this.#options.logger.warn(
      { code: SLO_ERROR_CODES.UNKNOWN_SLO, sloId },
      `SloTracker: unknown SLO id "${sloId}"; its events are ignored. Known ids: ${known.length > 0 ? known.join(', ') : '(none)'}`,
    );
  }

  #future(at: number): void {
    this.#warnOnce(
      'future',
      `event timestamp ${new Date(at).toISOString()} is more than ${this.#options.maxClockSkewMs} ms ahead of the tracker's clock`,
    );
  }

  #warnOnce(kind: string, message: string): void {
    if (this.#warnings.has(kind)) return;
    this.#warnings.add(kind);
    this.#options.logger.warn(
      { code: SLO_ERROR_CODES.INVALID_ARGUMENT },
      `SloTracker: ${message}; such events are ignored (reported once)`,
    );
  }
}
