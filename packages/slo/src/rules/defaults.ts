/** Defaults of rule generation, in one place; docs and tests import them. */
export const RULES_DEFAULTS = {
  compat: 'srekit',
  periodSli: 'ratio-of-increases',
  /** Where `runbook_url` annotations point unless a spec annotation says otherwise. */
  runbookBaseUrl: 'https://github.com/srekit/srekit/blob/main/docs/runbooks.md',
  /** The forecast alert fires when the budget lasts less than 3 days at the current burn rate. */
  exhaustionForecastSeconds: 3 * 86_400,
  /** `for:` of the forecast alert, so one bad hour does not open a ticket. */
  exhaustionForecastForSeconds: 3_600,
  /**
   * `sloth_version` on `sloth_slo_info` in sloth mode: the Sloth release whose output is
   * reproduced, with SemVer build metadata saying who wrote it (it sorts equal to v0.16.0).
   */
  slothVersion: 'v0.16.0+srekit',
  /** `sloth_mode` as Sloth's CLI `generate` sets it. */
  slothMode: 'cli-gen-prom',
  /** The short window whose SLI feeds `slo:current_burn_rate:ratio` and the period average. */
  shortWindowSeconds: 300,
  /**
   * Rule evaluation step of the generated promtool tests (seconds), coarser than production's
   * 30s so a 3-day window test takes about a second. The tests fix the group order
   * (`group_eval_order`), so alerts read the recordings of the same step.
   */
  testEvaluationIntervalSeconds: 1_800,
} as const;

/** Extra recording rules srekit mode writes (not in Sloth's scheme). */
export const SREKIT_RULES = {
  /** Bad events per second over a window, e.g. `slo:sli_errors:rate5m`. */
  errorsRate: (window: string): string => `slo:sli_errors:rate${window}`,
  /** All events per second over a window, e.g. `slo:sli_total:rate5m`. */
  totalRate: (window: string): string => `slo:sli_total:rate${window}`,
} as const;
