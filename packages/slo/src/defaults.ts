import type { AlertTier } from './types.js';

/**
 * The SRE Workbook's multi-window, multi-burn-rate tiers (chapter 5, table 5-8), as Sloth
 * generates them: page on 2 % of the budget in 1 h or 5 % in 6 h, ticket on 10 % in 1 d or 3 d.
 * Short windows are the long window ÷ 12. For a 30-day period the burn factors are 14.4, 6, 3
 * and 1.
 */
export const DEFAULT_ALERT_TIERS: readonly AlertTier[] = [
  {
    id: 'page-fast',
    severity: 'page',
    budgetFraction: 0.02,
    longWindowSeconds: 3_600,
    shortWindowSeconds: 300,
    enabled: true,
    forSeconds: 0,
  },
  {
    id: 'page-slow',
    severity: 'page',
    budgetFraction: 0.05,
    longWindowSeconds: 21_600,
    shortWindowSeconds: 1_800,
    enabled: true,
    forSeconds: 0,
  },
  {
    id: 'ticket-fast',
    severity: 'ticket',
    budgetFraction: 0.1,
    longWindowSeconds: 86_400,
    shortWindowSeconds: 7_200,
    enabled: true,
    forSeconds: 0,
  },
  {
    id: 'ticket-slow',
    severity: 'ticket',
    budgetFraction: 0.1,
    longWindowSeconds: 259_200,
    shortWindowSeconds: 21_600,
    enabled: true,
    forSeconds: 0,
  },
];

/** Defaults of every option of `@srekit/slo`, in one place; docs and tests import them. */
export const SLO_DEFAULTS = {
  /** SLO period when a spec gives none (Sloth's only period). */
  window: '30d',
  /** Rule evaluation step; windows must be multiples of it. */
  evaluationIntervalSeconds: 30,
  /** srekit's low-traffic guard: minimum events/s over a tier's long window (0 = off). */
  minTrafficPerSecond: 0,
  /** Severity label values of the two alerts in srekit mode. */
  pageSeverity: 'critical',
  ticketSeverity: 'warning',
  /** Objectives at or below this (percent) get a warning: the fast page tier cannot fire. */
  lowObjectiveWarning: 90,
  /** Objectives at or above this (percent) get a warning: a full outage exhausts the budget in seconds. */
  highObjectiveWarning: 99.999,
} as const;

/** Defaults of `SloTracker`'s options. */
export const TRACKER_DEFAULTS = {
  /**
   * Buckets per tracked window. The oldest bucket is counted fractionally, so a burn rate is
   * off by at most a share of one bucket's events (1/720 of the window at steady traffic);
   * memory is 16 bytes per bucket and window (about 92 KiB per SLO for the default tiers and a
   * 30-day period).
   */
  bucketsPerWindow: 720,
  /**
   * Tier firing and budget exhaustion are evaluated by `status()`, `statuses()` and a scrape,
   * and by the first `record()` at least this many milliseconds after the previous evaluation.
   */
  evaluationIntervalMs: 1_000,
  /** Distinct unknown SLO ids warned about (once each); more are ignored without a warning. */
  maxUnknownIdWarnings: 100,
  /** Events timestamped more than this many ms ahead of the tracker's clock are ignored. */
  maxClockSkewMs: 60_000,
} as const;

/** Defaults of the release gate (`evaluateGate()`, `srekit gate`). */
export const GATE_DEFAULTS = {
  /**
   * Minimum share of the period's error budget that must remain. 0 = the SLO is met over the
   * period (nothing overspent); a release gate often asks for more, e.g. 0.25.
   */
  minBudgetRemaining: 0,
  /**
   * Whether an SLO without data (no traffic, rules not loaded, absent from a results file) fails
   * the gate. True: a gate that cannot see must not wave a release through.
   */
  requireData: true,
  /** Label scheme of the rules queried in Prometheus. */
  compat: 'srekit',
  /** Timeout of each Prometheus HTTP API request. */
  timeoutMs: 10_000,
} as const;
