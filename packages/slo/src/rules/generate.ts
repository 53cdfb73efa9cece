import { parseDuration } from '../duration.js';
import type { SloSpec } from '../types.js';
import { RULES_DEFAULTS } from './defaults.js';
import { invalidRulesOption, SloRulesError } from './errors.js';
import { slothGroups } from './sloth-rules.js';
import { srekitGroups } from './srekit-rules.js';
import { checkRuleSupport } from './support.js';
import type {
  GenerateRulesOptions,
  PrometheusRuleFile,
  RuleGroup,
  RuleProblem,
  RulesCompat,
} from './types.js';

/** Options with defaults applied. */
export interface ResolvedRulesOptions {
  readonly compat: RulesCompat;
  readonly periodSli: NonNullable<GenerateRulesOptions['periodSli']>;
  readonly interval?: string;
  readonly runbookBaseUrl: string;
  readonly dashboardUrl?: (spec: SloSpec) => string | undefined;
  readonly exhaustionForecastSeconds: number;
  readonly slothVersion: string;
  readonly onProblem?: (problem: RuleProblem) => void;
}

/** Applies defaults and checks options; throws `ERR_SREKIT_SLO_RULES_INVALID_OPTION`. */
export function resolveRulesOptions(options: GenerateRulesOptions = {}): ResolvedRulesOptions {
  const compat = options.compat ?? RULES_DEFAULTS.compat;
  if (compat !== 'srekit' && compat !== 'sloth') {
    invalidRulesOption('compat', `"${String(compat)}" is not a mode`, "Use 'srekit' or 'sloth'.");
  }
  const periodSli = options.periodSli ?? RULES_DEFAULTS.periodSli;
  if (periodSli !== 'ratio-of-increases' && periodSli !== 'average') {
    invalidRulesOption(
      'periodSli',
      `"${String(periodSli)}" is not a method`,
      "Use 'ratio-of-increases' or 'average'.",
    );
  }
  if (options.interval !== undefined && parseDuration(options.interval) === undefined) {
    invalidRulesOption('interval', `"${options.interval}" is not a duration`, "Write e.g. '30s'.");
  }
  const forecast = options.exhaustionForecastSeconds ?? RULES_DEFAULTS.exhaustionForecastSeconds;
  if (!Number.isFinite(forecast) || forecast < 0) {
    invalidRulesOption(
      'exhaustionForecastSeconds',
      `${forecast} is not a number of seconds ≥ 0`,
      'Use e.g. 259200 (3 days), or 0 to leave the forecast alert out.',
    );
  }
  return {
    compat,
    periodSli,
    ...(options.interval === undefined ? {} : { interval: options.interval }),
    runbookBaseUrl: options.runbookBaseUrl ?? RULES_DEFAULTS.runbookBaseUrl,
    ...(options.dashboardUrl === undefined ? {} : { dashboardUrl: options.dashboardUrl }),
    exhaustionForecastSeconds: forecast,
    slothVersion: options.slothVersion ?? RULES_DEFAULTS.slothVersion,
    ...(options.onProblem ? { onProblem: options.onProblem } : {}),
  };
}

/** The rule groups of one SLO (no support check). */
export function groupsForSlo(spec: SloSpec, options: ResolvedRulesOptions): RuleGroup[] {
  return options.compat === 'sloth'
    ? slothGroups(spec, {
        slothVersion: options.slothVersion,
        ...(options.interval ? { interval: options.interval } : {}),
      })
    : srekitGroups(spec, {
        periodSli: options.periodSli,
        runbookBaseUrl: options.runbookBaseUrl,
        ...(options.dashboardUrl === undefined ? {} : { dashboardUrl: options.dashboardUrl }),
        exhaustionForecastSeconds: options.exhaustionForecastSeconds,
        ...(options.interval ? { interval: options.interval } : {}),
      });
}

/**
 * Turns SLO specs into Prometheus recording and alerting rules: per SLO, a group of SLI
 * recording rules (error ratio over every alert window and the SLO period), a group of metadata
 * rules (objective, budget, burn rates, budget remaining) and a group of multi-window,
 * multi-burn-rate alerts.
 *
 * `compat: 'sloth'` writes what Sloth v0.16 writes (`sloth_*` labels, Sloth's group names and
 * expressions), so existing Sloth dashboards keep working. `compat: 'srekit'` (default) keeps
 * Sloth's rule names with `slo_*` labels and fixes NaN at zero traffic, the averaged period SLI,
 * label-change breakage, per-tier tuning, a low-traffic guard, calendar windows and adds a
 * budget-exhaustion forecast. The output is deterministic.
 *
 * SLOs that cannot be expressed are reported through `options.onProblem` and left out; without
 * it the call throws `SloRulesError` listing every problem.
 *
 * @example
 * const file = generatePrometheusRules(specs, { compat: 'srekit' });
 * writeFileSync('slo-rules.yaml', serializeRules(file));
 */
export function generatePrometheusRules(
  specs: readonly SloSpec[],
  options: GenerateRulesOptions = {},
): PrometheusRuleFile {
  const resolved = resolveRulesOptions(options);
  const groups: RuleGroup[] = [];
  const problems: RuleProblem[] = [];
  for (const spec of specs) {
    const found = checkRuleSupport(spec, resolved.compat);
    for (const problem of found) {
      problems.push(problem);
      resolved.onProblem?.(problem);
    }
    if (found.some((problem) => problem.severity === 'error')) continue;
    groups.push(...groupsForSlo(spec, resolved));
  }
  if (!resolved.onProblem && problems.some((problem) => problem.severity === 'error')) {
    throw new SloRulesError(problems);
  }
  return { groups };
}
