/**
 * What `SloTracker.status()` reports. Fields that need traffic are `undefined` when a window saw
 * no events: zero traffic is "no data", never NaN or Infinity. (Such fields are present with the
 * value `undefined`, so every status object has one shape; `JSON.stringify` leaves them out.)
 */

/** Events and burn rate over one tracked window. */
export interface WindowStatus {
  /** The window in Prometheus notation (`5m`, `1h`, `30d`), or a calendar period's text. */
  readonly window: string;
  /**
   * Length of the window in seconds. For a calendar period, the elapsed part of the current
   * period (the part the counts cover).
   */
  readonly seconds: number;
  /** Good events in the window (the oldest bucket counted in proportion, so may be fractional). */
  readonly good: number;
  /** Bad events in the window. */
  readonly bad: number;
  /** good + bad. */
  readonly total: number;
  /** good ÷ total; undefined without traffic. */
  readonly sli?: number;
  /** bad ÷ total; undefined without traffic. */
  readonly errorRatio?: number;
  /** errorRatio ÷ allowed error ratio; undefined without traffic. */
  readonly burnRate?: number;
}

/** The SLO period (the objective's window) and its error budget. */
export interface PeriodStatus extends WindowStatus {
  /** `rolling` (the last 30 days) or `calendar` (this month so far). */
  readonly kind: 'rolling' | 'calendar';
  /**
   * Length of the whole period in seconds: the rolling window, or the length of the current
   * calendar period (a 31-day month is longer than a 30-day one).
   */
  readonly periodSeconds: number;
  /** Calendar periods: start of the current period (epoch ms). */
  readonly startsAt?: number;
  /** Calendar periods: end of the current period (epoch ms, exclusive). */
  readonly endsAt?: number;
  /** Bad events the period's traffic allows: allowed error ratio × total. */
  readonly budgetEvents?: number;
  /** Share of the budget spent (burn rate over the period; may exceed 1). */
  readonly consumed?: number;
  /** 1 − consumed: 1 untouched, ≤ 0 exhausted. */
  readonly budgetRemaining?: number;
}

/** One multi-window burn-rate alert tier, evaluated on the tracker's counts. */
export interface TierStatus {
  /** Tier id, e.g. `page-fast`. */
  readonly id: string;
  readonly severity: 'page' | 'ticket';
  /** Burn-rate threshold both windows must reach (14.4 for 2 % of 30 days in 1 h). */
  readonly burnFactor: number;
  /** Long window in Prometheus notation, e.g. `1h`. */
  readonly longWindow: string;
  /** Short window in Prometheus notation, e.g. `5m`. */
  readonly shortWindow: string;
  /** Burn rate over the long window; undefined without traffic. */
  readonly longBurn?: number;
  /** Burn rate over the short window; undefined without traffic. */
  readonly shortBurn?: number;
  /**
   * Whether the long window carried at least the spec's `minTrafficPerSecond` (always true when
   * the guard is off).
   */
  readonly trafficGuardMet: boolean;
  /** Both burn rates ≥ burnFactor and the traffic guard met. */
  readonly firing: boolean;
}

/** The live state of one SLO. */
export interface SloStatus {
  readonly sloId: string;
  /** Objective in percent, e.g. 99.9. */
  readonly objective: number;
  /** 1 − objective as a ratio, exact (99.9 → 0.001). */
  readonly allowedErrorRatio: number;
  /** The instant the status was computed for (epoch ms, the tracker's clock). */
  readonly at: number;
  /** Every tracked window, shortest first; the period is one of them. */
  readonly windows: readonly WindowStatus[];
  /** The period and its budget. */
  readonly period: PeriodStatus;
  /**
   * Window whose burn rate the exhaustion forecast uses (the shortest long window of the enabled
   * tiers, `1h` for the defaults; the period when there are no tiers).
   */
  readonly forecastWindow: string;
  /**
   * Seconds until the period's budget is gone if the forecast window's burn rate holds:
   * remaining × period ÷ burn rate. 0 once the budget is gone; undefined without data or when the
   * budget is not being spent. A rolling period also regains budget as old errors leave it, so
   * this is a forecast of the trend, not a promise.
   */
  readonly timeToExhaustionSeconds?: number;
  /** `at` + timeToExhaustionSeconds (epoch ms), when that is defined and the budget is not gone. */
  readonly projectedExhaustionAt?: number;
  /** The SLO's enabled alert tiers. */
  readonly tiers: readonly TierStatus[];
  /** True when any tier fires. */
  readonly firing: boolean;
  /** True when the period's budget remaining is ≤ 0. */
  readonly budgetExhausted: boolean;
}

/** Passed to `onTierFiring` listeners when a tier starts firing. */
export interface TierFiringEvent {
  readonly sloId: string;
  /** The tier that started firing. */
  readonly tier: TierStatus;
  /** The SLO's status at that evaluation. */
  readonly status: SloStatus;
}

/** Passed to `onBudgetExhausted` listeners when the period's budget reaches zero. */
export interface BudgetExhaustedEvent {
  readonly sloId: string;
  /** Budget remaining at that evaluation (≤ 0). */
  readonly budgetRemaining: number;
  /** The SLO's status at that evaluation. */
  readonly status: SloStatus;
}

/** What `onX(listener)` returns: call `dispose()` to stop listening (core's type). */
export type { Disposable } from '@srekit/core';
