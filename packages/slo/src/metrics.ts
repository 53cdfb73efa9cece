import type { MetricDescriptor } from '@srekit/core';

/**
 * Names of every metric, recording rule and label `@srekit/slo` owns. The tracker, the rule
 * generator, the gate, the CLI's dashboards and the docs import these constants.
 */

/** Label names of the in-process tracker's metrics and of srekit-mode rules. */
export const LABELS = {
  sloId: 'slo_id',
  result: 'result',
  window: 'window',
} as const;

/** Metrics the in-process `SloTracker` exports on a registry. */
export const METRICS = {
  /** Events recorded by the tracker, by SLO and `result` (`good` | `bad`). */
  events: {
    name: 'slo_events_total',
    help: 'Events recorded by the in-process SLO tracker, by result (good or bad).',
    type: 'counter',
    labels: [LABELS.sloId, LABELS.result],
  },
  /** The SLO's objective as a ratio (99.9 % → 0.999). */
  objective: {
    name: 'slo_objective_ratio',
    help: 'Objective of the SLO as a ratio.',
    type: 'gauge',
    labels: [LABELS.sloId],
  },
  /** Share of the period's error budget left (1 = untouched, ≤ 0 = exhausted). */
  budgetRemaining: {
    name: 'slo_error_budget_remaining_ratio',
    help: "Share of the SLO period's error budget that remains (1 untouched, 0 or less exhausted).",
    type: 'gauge',
    labels: [LABELS.sloId],
  },
  /** Burn rate over each tracked window (error ratio ÷ allowed error ratio). */
  burnRate: {
    name: 'slo_burn_rate',
    help: 'Error-budget burn rate of the SLO over a window (1 spends the budget exactly over the period).',
    type: 'gauge',
    labels: [LABELS.sloId, LABELS.window],
  },
} as const satisfies Record<string, MetricDescriptor>;

/** Result label values of `slo_events_total`. */
export const RESULTS = { good: 'good', bad: 'bad' } as const;

/**
 * Recording-rule names of generated Prometheus rules (Sloth's scheme plus srekit's additions).
 * `sliError(window)` gives `slo:sli_error:ratio_rate5m` and friends.
 */
export const RULES = {
  sliErrorPrefix: 'slo:sli_error:ratio_rate',
  sliError: (window: string): string => `slo:sli_error:ratio_rate${window}`,
  objective: 'slo:objective:ratio',
  errorBudget: 'slo:error_budget:ratio',
  timePeriodDays: 'slo:time_period:days',
  currentBurnRate: 'slo:current_burn_rate:ratio',
  periodBurnRate: 'slo:period_burn_rate:ratio',
  periodBudgetRemaining: 'slo:period_error_budget_remaining:ratio',
  /** srekit only: seconds until the budget is gone at the current burn rate. */
  timeToExhaustion: 'slo:time_to_exhaustion:seconds',
  /** Sloth's info metric (both modes). */
  sloInfo: 'sloth_slo_info',
} as const;

/** Label names on generated rules, per compatibility mode. */
export const RULE_LABELS = {
  srekit: {
    id: 'slo_id',
    service: 'slo_service',
    slo: 'slo_name',
    window: 'slo_window',
    severity: 'slo_severity',
    tier: 'burnrate_tier',
  },
  sloth: {
    id: 'sloth_id',
    service: 'sloth_service',
    slo: 'sloth_slo',
    window: 'sloth_window',
    severity: 'sloth_severity',
  },
} as const;
