import type { SloSpec } from '../types.js';

/**
 * Plain-object model of a Prometheus rule file as `generatePrometheusRules()` returns it. The
 * shapes follow Prometheus' own rule file format (`groups[].rules[]`), so a caller can inspect,
 * filter or extend the result before `serializeRules()` writes it.
 */

/** A recording rule: `record` stores the result of `expr` under a new series name. */
export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
  readonly labels?: Readonly<Record<string, string>>;
}

/** An alerting rule. `for` is a Prometheus duration (`5m`); absent means fire at once. */
export interface AlertingRule {
  readonly alert: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** Either kind of rule. */
export type Rule = RecordingRule | AlertingRule;

/** A rule group. Rules in a group are evaluated in order, every `interval`. */
export interface RuleGroup {
  readonly name: string;
  /** Evaluation interval (`30s`); absent means Prometheus' global `evaluation_interval`. */
  readonly interval?: string;
  readonly rules: readonly Rule[];
}

/** A Prometheus rule file. */
export interface PrometheusRuleFile {
  readonly groups: readonly RuleGroup[];
}

/**
 * Output flavour. `srekit` (default) fixes Sloth's known problems and labels with `slo_*`;
 * `sloth` writes what Sloth v0.16 writes for the same spec, `sloth_*` labels included.
 */
export type RulesCompat = 'srekit' | 'sloth';

/**
 * How the SLI over the whole SLO period is computed (srekit mode).
 * - `ratio-of-increases` (default): errors ÷ events over the period, from 5-minute rates
 *   recorded as their own series. Exact under varying traffic.
 * - `average`: the mean of the 5-minute error ratios (Sloth's form). Every 5-minute slice counts
 *   the same, however much traffic it had. The only choice for raw SLIs.
 */
export type PeriodSliMethod = 'ratio-of-increases' | 'average';

/** Options of `generatePrometheusRules()`. */
export interface GenerateRulesOptions {
  /** Output flavour. Default `'srekit'`. */
  readonly compat?: RulesCompat;
  /** How the period SLI is computed in srekit mode. Default `'ratio-of-increases'`. */
  readonly periodSli?: PeriodSliMethod;
  /**
   * Rule group `interval` (e.g. `'30s'`). Default: none, so Prometheus' global
   * `evaluation_interval` applies (Sloth writes none either).
   */
  readonly interval?: string;
  /**
   * srekit mode: base of every alert's `runbook_url` annotation (a spec annotation of the same
   * name wins). Default {@link RULES_DEFAULTS.runbookBaseUrl}.
   */
  readonly runbookBaseUrl?: string;
  /**
   * srekit mode: the `dashboard_url` annotation of an SLO's alerts (the dashboard a responder
   * opens first, e.g. the SLO's Grafana dashboard), or `undefined` for none. A spec annotation of
   * the same name wins. Default: none.
   */
  readonly dashboardUrl?: (spec: SloSpec) => string | undefined;
  /**
   * srekit mode: the budget-exhaustion forecast alert fires when the remaining budget lasts less
   * than this many seconds at the current burn rate; 0 leaves the alert out.
   * Default {@link RULES_DEFAULTS.exhaustionForecastSeconds} (3 days).
   */
  readonly exhaustionForecastSeconds?: number;
  /**
   * sloth mode: value of the `sloth_version` label on `sloth_slo_info`.
   * Default {@link RULES_DEFAULTS.slothVersion}.
   */
  readonly slothVersion?: string;
  /**
   * Called for each problem found (SLOs with an error are left out, warnings keep the SLO).
   * Without it, any error throws `SloRulesError` (`ERR_SREKIT_SLO_RULES_UNSUPPORTED`) after all
   * SLOs were looked at, so every problem is reported at once.
   */
  readonly onProblem?: (problem: RuleProblem) => void;
}

/** Something rule generation cannot do (or does differently) for one SLO. */
export interface RuleProblem {
  /** `error`: the SLO gets no rules. `warning`: rules are generated, the setting is ignored. */
  readonly severity: 'error' | 'warning';
  /** Stable code, e.g. `ERR_SREKIT_SLO_RULES_UNSUPPORTED`. */
  readonly code: string;
  readonly sloId: string;
  /** Dotted field of the SLO the problem is about, e.g. `sli.kind`. */
  readonly field: string;
  readonly message: string;
  readonly fix: string;
}

/** One Alertmanager inhibit rule (Alertmanager 0.22+ `*_matchers` form). */
export interface InhibitRule {
  readonly source_matchers: readonly string[];
  readonly target_matchers: readonly string[];
  readonly equal: readonly string[];
}

/** One generated promtool unit-test file. */
export interface PromtoolTestFile {
  readonly sloId: string;
  /** Suggested file name, `<slo id>.test.yaml`. */
  readonly fileName: string;
  /** The file content, ready for `promtool test rules`. */
  readonly yaml: string;
}
