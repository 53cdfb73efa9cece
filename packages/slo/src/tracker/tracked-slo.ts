import { burnFactor, timeToExhaustion } from '../burn-rate.js';
import { allowedErrorRatio } from '../decimal.js';
import { formatDuration } from '../duration.js';
import { invalidArgument } from '../errors.js';
import type { SloSpec } from '../types.js';
import { CalendarCounter } from './calendar-counter.js';
import { calendarPeriod } from './calendar-period.js';
import type { PeriodStatus, SloStatus, TierStatus, WindowStatus } from './status.js';
import { WindowCounter } from './window-counter.js';

interface TrackedTier {
  readonly id: string;
  readonly severity: 'page' | 'ticket';
  readonly burnFactor: number;
  /** Index of the long window in `counters`. */
  readonly long: number;
  /** Index of the short window in `counters`. */
  readonly short: number;
  /** Events needed over the long window for the tier to fire (0 = no guard). */
  readonly minEvents: number;
}

// Status objects are built as single literals of one shape (fields without data are present and
// undefined): a status is read often, and objects that grow after creation cost allocations.
function windowStatus(
  window: string,
  seconds: number,
  good: number,
  bad: number,
  allowed: number,
): WindowStatus {
  const total = good + bad;
  const errorRatio = total > 0 ? bad / total : undefined;
  return {
    window,
    seconds,
    good,
    bad,
    total,
    sli: total > 0 ? good / total : undefined,
    errorRatio,
    burnRate: errorRatio === undefined ? undefined : errorRatio / allowed,
  };
}

function periodStatus(
  w: WindowStatus,
  window: string,
  kind: 'rolling' | 'calendar',
  periodSeconds: number,
  startsAt: number | undefined,
  endsAt: number | undefined,
  allowed: number,
): PeriodStatus {
  const consumed = w.burnRate;
  return {
    window,
    seconds: w.seconds,
    good: w.good,
    bad: w.bad,
    total: w.total,
    sli: w.sli,
    errorRatio: w.errorRatio,
    burnRate: w.burnRate,
    kind,
    periodSeconds,
    startsAt,
    endsAt,
    budgetEvents: w.total > 0 ? allowed * w.total : undefined,
    consumed,
    budgetRemaining: consumed === undefined ? undefined : 1 - consumed,
  };
}

/**
 * One SLO inside an `SloTracker`: a ring of buckets per tracked window (each window once, shared
 * by the tiers that use it), a counter of the current calendar period when the SLO has one, and
 * the state of the last evaluation.
 */
export class TrackedSlo {
  readonly spec: SloSpec;
  readonly allowedErrorRatio: number;
  /** Rolling windows, shortest first. */
  readonly counters: readonly WindowCounter[];
  readonly calendar: CalendarCounter | undefined;
  readonly tiers: readonly TrackedTier[];
  /** Events ever recorded (for `slo_events_total`). */
  goodTotal = 0;
  badTotal = 0;
  /** Record-triggered evaluations wait until the clock reaches this. */
  nextEvaluationAt = Number.NEGATIVE_INFINITY;
  /** Firing state of each tier at the last evaluation. */
  readonly firing: boolean[];
  /** Whether the budget was exhausted at the last evaluation. */
  exhausted = false;

  // The pending bucket: [start, end) in ms; NaN until the first event.
  readonly #pendingWidth: number;
  #pendingStart = Number.NaN;
  #pendingEnd = Number.NaN;
  #pendingGood = 0;
  #pendingBad = 0;
  /** Index of the rolling period in `counters`; -1 for a calendar period. */
  readonly #period: number;
  /** Index of the forecast window in `counters`; -1 for the period. */
  readonly #forecast: number;
  readonly #texts: readonly string[];

  readonly #clock: () => number;
  readonly #maxSkewMs: number;

  constructor(
    spec: SloSpec,
    options: {
      readonly extraWindowSeconds: readonly number[];
      readonly bucketsPerWindow: number;
      readonly now: () => number;
      readonly maxClockSkewMs: number;
    },
  ) {
    this.spec = spec;
    this.#clock = options.now;
    this.#maxSkewMs = options.maxClockSkewMs;
    const extraWindowSeconds = options.extraWindowSeconds;
    const buckets = options.bucketsPerWindow;
    if (spec.window.kind === 'calendar') {
      try {
        calendarPeriod(spec.window, 0);
      } catch (error) {
        invalidArgument(
          `specs[${spec.id}].window.timeZone`,
          `"${spec.window.timeZone}" is not a time zone this runtime knows (${String(error)})`,
          'Use an IANA time zone such as "Europe/Berlin" or "UTC".',
        );
      }
    }
    const allowed = allowedErrorRatio(spec.objectiveText);
    if (allowed === undefined) {
      invalidArgument(
        `specs[${spec.id}].objectiveText`,
        `"${spec.objectiveText}" is not an objective strictly between 0 and 100`,
        'Pass specs from parseSloSpecs() or loadSloSpecs().',
      );
    }
    this.allowedErrorRatio = allowed;

    const enabled = spec.alerting.tiers.filter((tier) => tier.enabled);
    const seconds = new Set<number>(extraWindowSeconds);
    for (const tier of enabled) {
      for (const [name, value] of [
        ['longWindowSeconds', tier.longWindowSeconds],
        ['shortWindowSeconds', tier.shortWindowSeconds],
      ] as const) {
        if (!Number.isFinite(value) || value < 1) {
          invalidArgument(
            `specs[${spec.id}].alerting.tiers[${tier.id}].${name}`,
            `${value} is not a window of 1 second or more`,
            'Pass specs from parseSloSpecs() or loadSloSpecs().',
          );
        }
        seconds.add(value);
      }
    }
    if (spec.window.kind === 'rolling') seconds.add(spec.window.seconds);
    const sorted = [...seconds].sort((a, b) => a - b);
    const counters = sorted.map((s) => new WindowCounter(s, buckets));
    const counter = (s: number): number => sorted.indexOf(s);
    this.counters = counters;
    // The shortest window's bucket width; a calendar-only SLO without tiers uses one second.
    this.#pendingWidth = counters[0]?.widthMs ?? 1000;
    this.#texts = counters.map((c) => formatDuration(c.seconds));
    this.calendar = spec.window.kind === 'calendar' ? new CalendarCounter(spec.window) : undefined;
    this.#period = spec.window.kind === 'rolling' ? counter(spec.window.seconds) : -1;

    const minTraffic = spec.alerting.minTrafficPerSecond;
    this.tiers = enabled.map((tier) => ({
      id: tier.id,
      severity: tier.severity,
      burnFactor: burnFactor(tier.budgetFraction, spec.window, tier.longWindowSeconds),
      long: counter(tier.longWindowSeconds),
      short: counter(tier.shortWindowSeconds),
      minEvents: minTraffic > 0 ? minTraffic * tier.longWindowSeconds : 0,
    }));
    this.firing = this.tiers.map(() => false);
    const shortestLong = enabled.reduce<number | undefined>(
      (min, tier) =>
        min === undefined || tier.longWindowSeconds < min ? tier.longWindowSeconds : min,
      undefined,
    );
    this.#forecast = shortestLong === undefined ? this.#period : counter(shortestLong);
  }

  /**
   * Adds events at `at`. Events of the current bucket of the shortest window only go into a
   * pending pair of counts, flushed into every window when a later bucket starts or a status is
   * read: one addition per event instead of one per window. Flushed counts are placed at the
   * middle of that bucket; for longer windows, whose buckets are wider, the shift is a fraction of
   * one of their buckets.
   */
  add(at: number, good: number, bad: number): boolean {
    if (at >= this.#pendingStart && at < this.#pendingEnd) {
      this.goodTotal += good;
      this.badTotal += bad;
      // Calendar periods get the exact time: a period boundary may fall inside a pending bucket.
      this.calendar?.add(at, good, bad);
      this.#pendingGood += good;
      this.#pendingBad += bad;
      return true;
    }
    const newer = at >= this.#pendingEnd || Number.isNaN(this.#pendingEnd);
    // One timestamp far ahead would rotate every window past all real events, which would then
    // be dropped as too old: refuse it. Checked once per new bucket, so the clock is rarely read.
    if (newer && at > this.#clock() + this.#maxSkewMs) return false;
    this.goodTotal += good;
    this.badTotal += bad;
    this.calendar?.add(at, good, bad);
    this.flush();
    if (newer) {
      const index = Math.floor(at / this.#pendingWidth);
      this.#pendingStart = index * this.#pendingWidth;
      this.#pendingEnd = this.#pendingStart + this.#pendingWidth;
      this.#pendingGood = good;
      this.#pendingBad = bad;
      return true;
    }
    // Older than the pending bucket: straight into the windows.
    this.#addToWindows(at, good, bad);
    return true;
  }

  /** Moves the pending counts into every window. */
  flush(): void {
    if (this.#pendingGood === 0 && this.#pendingBad === 0) return;
    this.#addToWindows(
      (this.#pendingStart + this.#pendingEnd) / 2,
      this.#pendingGood,
      this.#pendingBad,
    );
    this.#pendingGood = 0;
    this.#pendingBad = 0;
  }

  #addToWindows(at: number, good: number, bad: number): void {
    const counters = this.counters;
    for (let i = 0; i < counters.length; i++) counters[i]?.add(at, good, bad);
  }

  /** Bytes held by the window rings. */
  get byteLength(): number {
    return this.counters.reduce((sum, c) => sum + c.byteLength, 0);
  }

  /** The status as of `now`; rotates the windows to `now`. */
  status(now: number): SloStatus {
    this.flush();
    const allowed = this.allowedErrorRatio;
    const counters = this.counters;
    const windows: WindowStatus[] = [];
    for (let i = 0; i < counters.length; i++) {
      const counter = counters[i] as WindowCounter;
      counter.read(now);
      windows.push(
        windowStatus(this.#texts[i] as string, counter.seconds, counter.good, counter.bad, allowed),
      );
    }
    const rolling = windows.slice();

    const window = this.spec.window;
    let period: PeriodStatus;
    if (this.calendar !== undefined) {
      const calendar = this.calendar;
      calendar.read(now);
      const startsAt = calendar.startMs ?? now;
      const endsAt = calendar.endMs ?? now;
      const counts = windowStatus(
        window.text,
        Math.max(0, (now - startsAt) / 1000),
        calendar.good,
        calendar.bad,
        allowed,
      );
      windows.push(counts);
      const length = (endsAt - startsAt) / 1000;
      period = periodStatus(counts, window.text, 'calendar', length, startsAt, endsAt, allowed);
    } else {
      const counts = rolling[this.#period] as WindowStatus;
      period = periodStatus(
        counts,
        window.text,
        'rolling',
        window.seconds,
        undefined,
        undefined,
        allowed,
      );
    }

    const tiers: TierStatus[] = [];
    let firing = false;
    for (const tier of this.tiers) {
      const long = rolling[tier.long] as WindowStatus;
      const short = rolling[tier.short] as WindowStatus;
      const trafficGuardMet = tier.minEvents === 0 || long.total >= tier.minEvents;
      const tierFiring =
        trafficGuardMet &&
        long.burnRate !== undefined &&
        short.burnRate !== undefined &&
        long.burnRate >= tier.burnFactor &&
        short.burnRate >= tier.burnFactor;
      firing ||= tierFiring;
      tiers.push({
        id: tier.id,
        severity: tier.severity,
        burnFactor: tier.burnFactor,
        longWindow: long.window,
        shortWindow: short.window,
        longBurn: long.burnRate,
        shortBurn: short.burnRate,
        trafficGuardMet,
        firing: tierFiring,
      });
    }

    const forecast = this.#forecast === -1 ? period : (rolling[this.#forecast] as WindowStatus);
    const remaining = period.budgetRemaining;
    const exhausted = remaining !== undefined && remaining <= 0;
    const timeLeft = exhausted
      ? 0
      : timeToExhaustion({
          burnRate: forecast.burnRate,
          window: period.periodSeconds > 0 ? period.periodSeconds : window.seconds,
          budgetRemaining: remaining ?? 1,
        });
    return {
      sloId: this.spec.id,
      objective: this.spec.objective,
      allowedErrorRatio: allowed,
      at: now,
      windows,
      period,
      forecastWindow: forecast.window,
      timeToExhaustionSeconds: timeLeft,
      projectedExhaustionAt:
        timeLeft === undefined || exhausted ? undefined : now + timeLeft * 1000,
      tiers,
      firing,
      budgetExhausted: exhausted,
    };
  }
}
