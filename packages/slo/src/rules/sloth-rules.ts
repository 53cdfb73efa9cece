import { errorRatioText, formatNumber, objectiveRatio, objectiveText } from '../decimal.js';
import { DAY_SECONDS, formatDuration } from '../duration.js';
import { RULE_LABELS, RULES } from '../metrics.js';
import type { AlertSpec, AlertTier, SloSpec, SpecFormat } from '../types.js';
import { RULES_DEFAULTS } from './defaults.js';
import { labelFilter, mergeLabels, renderWindow, uniqueSorted } from './promql.js';
import { eventQueries } from './sli-queries.js';
import { slothTiers } from './support.js';
import type { AlertingRule, RecordingRule, RuleGroup } from './types.js';

/*
 * Reproduces Sloth v0.16's output (its core plugins sli_rules/v1, metadata_rules/v1 and
 * alert_rules/v1, and the standard Prometheus writer). Each expression follows the template of
 * the corresponding Sloth plugin; floats are written as the shortest exact literal (Sloth prints
 * Go floats, e.g. 0.0009999999999999432 where this writes 0.001).
 */

const L = RULE_LABELS.sloth;

/** `sloth_spec` values Sloth sets, by input format. */
const SPEC_NAMES: Readonly<Record<SpecFormat, string>> = {
  sloth: 'prometheus/v1',
  openslo: 'openslo/v1alpha',
  srekit: 'prometheus/v1',
};

export interface SlothOptions {
  readonly interval?: string;
  readonly slothVersion: string;
}

/** Sloth's burn factor: (budget % × period hours ÷ 100) ÷ long-window hours, in Go float order. */
function slothBurnFactor(tier: AlertTier, periodSeconds: number): number {
  const percent = Math.round(tier.budgetFraction * 100 * 1e9) / 1e9;
  return (percent * (periodSeconds / 3600)) / 100 / (tier.longWindowSeconds / 3600);
}

function idLabels(spec: SloSpec): Record<string, string> {
  return { [L.id]: spec.id, [L.service]: spec.service, [L.slo]: spec.name };
}

function group(name: string, rules: RuleGroup['rules'], interval?: string): RuleGroup {
  return interval ? { name, interval, rules } : { name, rules };
}

function sliRules(spec: SloSpec, windows: readonly number[], shortWindow: number): RecordingRule[] {
  const ids = idLabels(spec);
  const filter = labelFilter(ids);
  const queries = eventQueries(spec.sli);
  const rules: RecordingRule[] = windows.map((seconds) => {
    const window = formatDuration(seconds);
    const expr = queries
      ? `(${renderWindow(queries.errorQuery, window)})\n/\n(${renderWindow(queries.totalQuery, window)})\n`
      : `(${renderWindow(spec.sli.kind === 'raw' ? spec.sli.errorRatioQuery : '', window)})`;
    return {
      record: RULES.sliError(window),
      expr,
      labels: mergeLabels(ids, { [L.window]: window }, spec.labels),
    };
  });
  const period = formatDuration(spec.window.seconds);
  const short = RULES.sliError(formatDuration(shortWindow));
  rules.push({
    record: RULES.sliError(period),
    expr: `sum_over_time(${short}${filter}[${period}])\n/ ignoring (${L.window})\ncount_over_time(${short}${filter}[${period}])\n`,
    labels: mergeLabels(ids, { [L.window]: period }, spec.labels),
  });
  return rules;
}

function metaRules(spec: SloSpec, shortWindow: number, version: string): RecordingRule[] {
  const ids = idLabels(spec);
  const filter = labelFilter(ids);
  const labels = mergeLabels(ids, spec.labels);
  const objective = objectiveText(spec.objectiveText) ?? String(spec.objective);
  const ratio = formatNumber(objectiveRatio(spec.objectiveText) ?? spec.objective / 100);
  const burnRate = (sli: string): string =>
    `${sli}${filter}\n/ on(${L.id}, ${L.slo}, ${L.service}) group_left\n${RULES.errorBudget}${filter}\n`;
  return [
    { record: RULES.objective, expr: `vector(${ratio})`, labels },
    { record: RULES.errorBudget, expr: `vector(1-${ratio})`, labels },
    {
      record: RULES.timePeriodDays,
      expr: `vector(${formatNumber(spec.window.seconds / DAY_SECONDS)})`,
      labels,
    },
    {
      record: RULES.currentBurnRate,
      expr: burnRate(RULES.sliError(formatDuration(shortWindow))),
      labels,
    },
    {
      record: RULES.periodBurnRate,
      expr: burnRate(RULES.sliError(formatDuration(spec.window.seconds))),
      labels,
    },
    {
      record: RULES.periodBudgetRemaining,
      expr: `1 - ${RULES.periodBurnRate}${filter}`,
      labels,
    },
    {
      record: RULES.sloInfo,
      expr: 'vector(1)',
      labels: mergeLabels(labels, {
        sloth_version: version,
        sloth_mode: RULES_DEFAULTS.slothMode,
        sloth_spec: SPEC_NAMES[spec.source.format],
        sloth_objective: objective,
      }),
    },
  ];
}

function alertRule(
  spec: SloSpec,
  alert: AlertSpec,
  severity: 'page' | 'ticket',
  quick: AlertTier,
  slow: AlertTier,
): AlertingRule {
  const filter = labelFilter(idLabels(spec));
  const budget = errorRatioText(spec.objectiveText) ?? formatNumber((100 - spec.objective) / 100);
  const condition = (window: number, tier: AlertTier): string => {
    const factor = formatNumber(slothBurnFactor(tier, spec.window.seconds));
    return `max(${RULES.sliError(formatDuration(window))}${filter} > (${factor} * ${budget})) without (${L.window})`;
  };
  const expr = `(\n    ${condition(quick.shortWindowSeconds, quick)}\n    and\n    ${condition(quick.longWindowSeconds, quick)}\n)\nor\n(\n    ${condition(slow.shortWindowSeconds, slow)}\n    and\n    ${condition(slow.longWindowSeconds, slow)}\n)\n`;
  return {
    alert: spec.alerting.name,
    expr,
    labels: mergeLabels({ [L.severity]: severity }, spec.alerting.labels, alert.labels),
    annotations: mergeLabels(
      {
        title: `(${severity}) {{$labels.${L.service}}} {{$labels.${L.slo}}} SLO error budget burn rate is too fast.`,
        summary: `{{$labels.${L.service}}} {{$labels.${L.slo}}} SLO error budget burn rate is over expected.`,
      },
      spec.alerting.annotations,
      alert.annotations,
    ),
  };
}

/** The SLI windows Sloth records: every tier window, sorted and unique. */
export function slothSliWindows(spec: SloSpec): number[] {
  return uniqueSorted(
    spec.alerting.tiers.flatMap((tier) => [tier.shortWindowSeconds, tier.longWindowSeconds]),
  );
}

/** Sloth's three rule groups for one SLO (the alert group only when an alert is enabled). */
export function slothGroups(spec: SloSpec, options: SlothOptions): RuleGroup[] {
  const tiers = slothTiers(spec);
  if (!tiers) return [];
  const shortWindow = tiers['page-fast'].shortWindowSeconds;
  const groups: RuleGroup[] = [
    group(
      `sloth-slo-sli-recordings-${spec.id}`,
      sliRules(spec, slothSliWindows(spec), shortWindow),
      options.interval,
    ),
    group(
      `sloth-slo-meta-recordings-${spec.id}`,
      metaRules(spec, shortWindow, options.slothVersion),
      options.interval,
    ),
  ];
  const alerts: AlertingRule[] = [];
  if (spec.alerting.page.enabled) {
    alerts.push(
      alertRule(spec, spec.alerting.page, 'page', tiers['page-fast'], tiers['page-slow']),
    );
  }
  if (spec.alerting.ticket.enabled) {
    alerts.push(
      alertRule(spec, spec.alerting.ticket, 'ticket', tiers['ticket-fast'], tiers['ticket-slow']),
    );
  }
  if (alerts.length > 0) {
    groups.push(group(`sloth-slo-alerts-${spec.id}`, alerts, options.interval));
  }
  return groups;
}
