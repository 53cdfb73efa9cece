import { burnFactor } from '../burn-rate.js';
import { errorRatioText, formatNumber, objectiveRatio } from '../decimal.js';
import { SLO_DEFAULTS } from '../defaults.js';
import { DAY_SECONDS, formatDuration, humanDuration } from '../duration.js';
import { RULE_LABELS, RULES } from '../metrics.js';
import type { AlertSpec, AlertTier, SloSpec } from '../types.js';
import {
  calendarPeriodDaysExpr,
  calendarPlan,
  calendarSuffix,
  inCurrentPeriod,
} from './calendar.js';
import { RULES_DEFAULTS, SREKIT_RULES } from './defaults.js';
import { labelFilter, mergeLabels, renderWindow, uniqueSorted } from './promql.js';
import { queryShape } from './query-shape.js';
import { type EventQueries, eventQueries } from './sli-queries.js';
import type { AlertingRule, PeriodSliMethod, RecordingRule, Rule, RuleGroup } from './types.js';

const L = RULE_LABELS.srekit;

export interface SrekitOptions {
  readonly interval?: string;
  readonly periodSli: PeriodSliMethod;
  readonly runbookBaseUrl: string;
  readonly dashboardUrl?: (spec: SloSpec) => string | undefined;
  readonly exhaustionForecastSeconds: number;
}

/** What the srekit generator decides for one SLO; the promtool test generator reads it too. */
export interface SrekitPlan {
  readonly spec: SloSpec;
  /** Event queries, or `undefined` for raw SLIs. */
  readonly queries: EventQueries | undefined;
  /** Windows (seconds) that get an SLI ratio rule, sorted. */
  readonly sliWindows: readonly number[];
  /** Windows (seconds) that get error/total rate rules (events SLIs only). */
  readonly rateWindows: readonly number[];
  /** `ratio-of-increases` or `average` as actually used. */
  readonly periodSli: PeriodSliMethod;
  /** Name suffix of the period rules (`30d`, `4w`, `_month`). */
  readonly periodSuffix: string;
  /** Window (seconds) of the burn rate the exhaustion forecast uses. */
  readonly forecastWindowSeconds: number;
  /** Allowed error ratio as exact decimal text (`0.001`). */
  readonly budgetText: string;
  /** Enabled tiers whose alert (page or ticket) is enabled. */
  readonly tiers: readonly AlertTier[];
}

const SHORT = RULES_DEFAULTS.shortWindowSeconds;

/** The generation plan of one SLO in srekit mode. */
export function srekitPlan(spec: SloSpec, periodSli: PeriodSliMethod): SrekitPlan {
  const queries = eventQueries(spec.sli);
  const tiers = spec.alerting.tiers.filter(
    (tier) =>
      tier.enabled &&
      (tier.severity === 'page' ? spec.alerting.page : spec.alerting.ticket).enabled,
  );
  const pageLongs = tiers.filter((t) => t.severity === 'page').map((t) => t.longWindowSeconds);
  const forecastWindowSeconds = pageLongs.length > 0 ? Math.min(...pageLongs) : 3_600;
  const step = spec.window.kind === 'calendar' ? calendarPlan(spec.window).stepSeconds : SHORT;
  const sliWindows = uniqueSorted([
    SHORT,
    forecastWindowSeconds,
    ...tiers.flatMap((tier) => [tier.shortWindowSeconds, tier.longWindowSeconds]),
    ...(queries ? [] : [step]),
  ]);
  return {
    spec,
    queries,
    sliWindows,
    rateWindows: queries ? uniqueSorted([SHORT, step]) : [],
    periodSli: queries ? periodSli : 'average',
    periodSuffix:
      spec.window.kind === 'calendar'
        ? calendarSuffix(spec.window)
        : formatDuration(spec.window.seconds),
    forecastWindowSeconds,
    budgetText: errorRatioText(spec.objectiveText) ?? formatNumber((100 - spec.objective) / 100),
    tiers,
  };
}

function idLabels(spec: SloSpec): Record<string, string> {
  return { [L.id]: spec.id, [L.service]: spec.service, [L.slo]: spec.name };
}

/** Labels of every srekit series of the SLO: spec labels, then the id labels (which win). */
export function srekitSeriesLabels(spec: SloSpec, window?: string): Record<string, string> {
  return mergeLabels(
    spec.labels,
    idLabels(spec),
    window === undefined ? {} : { [L.window]: window },
  );
}

function idFilter(spec: SloSpec): string {
  return labelFilter({ [L.id]: spec.id });
}

/**
 * One series per SLO: a query template whose result may carry labels gets summed. The shape
 * does not depend on the window, so it is read once per template.
 */
function summer(template: string): (query: string) => string {
  const labelless = queryShape(renderWindow(template, '5m'))?.labelless ?? false;
  return labelless ? (query) => query : (query) => `sum(${query})`;
}

function sliRules(plan: SrekitPlan): RecordingRule[] {
  const { spec, queries } = plan;
  const rules: RecordingRule[] = [];
  const sumErrors = queries ? summer(queries.errorQuery) : (query: string) => query;
  const sumTotal = queries ? summer(queries.totalQuery) : (query: string) => query;
  if (queries) {
    for (const seconds of plan.rateWindows) {
      const window = formatDuration(seconds);
      const errors = renderWindow(queries.errorQuery, window);
      const total = renderWindow(queries.totalQuery, window);
      rules.push(
        {
          record: SREKIT_RULES.errorsRate(window),
          expr: `${sumErrors(errors)} or 0 * ${sumTotal(total)}`,
          labels: srekitSeriesLabels(spec, window),
        },
        {
          record: SREKIT_RULES.totalRate(window),
          expr: sumTotal(total),
          labels: srekitSeriesLabels(spec, window),
        },
      );
    }
  }
  for (const seconds of plan.sliWindows) {
    const window = formatDuration(seconds);
    let expr: string;
    if (queries) {
      const errors = renderWindow(queries.errorQuery, window);
      const total = renderWindow(queries.totalQuery, window);
      // A window without errors yields no error series; `or 0 * total` makes it 0, and the
      // guard on the denominator leaves no series (not NaN) when there is no traffic at all.
      expr = `(${sumErrors(errors)} or 0 * ${sumTotal(total)})\n/\n(${sumTotal(total)} > 0)\n`;
    } else {
      const raw = spec.sli.kind === 'raw' ? spec.sli.errorRatioQuery : '';
      // NaN compares false, so a raw query dividing 0 by 0 records nothing.
      expr = `(${renderWindow(raw, window)}) >= 0`;
    }
    rules.push({ record: RULES.sliError(window), expr, labels: srekitSeriesLabels(spec, window) });
  }
  rules.push(periodRule(plan));
  return rules;
}

function periodRule(plan: SrekitPlan): RecordingRule {
  const { spec } = plan;
  const filter = idFilter(spec);
  const by = `sum by (${L.id})`;
  const labels = srekitSeriesLabels(spec, plan.periodSuffix.replace(/^_/, ''));
  const record = RULES.sliError(plan.periodSuffix);
  if (spec.window.kind === 'calendar') {
    const { rangeSeconds, stepSeconds } = calendarPlan(spec.window);
    const step = formatDuration(stepSeconds);
    const range = `[${formatDuration(rangeSeconds)}:${step}]`;
    if (plan.periodSli === 'ratio-of-increases') {
      const errors = `${SREKIT_RULES.errorsRate(step)}${filter}`;
      const total = `${SREKIT_RULES.totalRate(step)}${filter}`;
      const anchor = total;
      return {
        record,
        expr: `${by} (sum_over_time((${inCurrentPeriod(errors, anchor, spec.window, stepSeconds)})${range}))\n/ on(${L.id})\n(${by} (sum_over_time((${inCurrentPeriod(total, anchor, spec.window, stepSeconds)})${range})) > 0)\n`,
        labels,
      };
    }
    const ratio = `${RULES.sliError(step)}${filter}`;
    const filtered = `(${inCurrentPeriod(ratio, ratio, spec.window, stepSeconds)})${range}`;
    return {
      record,
      expr: `${by} (sum_over_time(${filtered}))\n/ on(${L.id})\n${by} (count_over_time(${filtered}))\n`,
      labels,
    };
  }
  const period = formatDuration(spec.window.seconds);
  const short = formatDuration(SHORT);
  if (plan.periodSli === 'ratio-of-increases') {
    return {
      record,
      expr: `${by} (sum_over_time(${SREKIT_RULES.errorsRate(short)}${filter}[${period}]))\n/ on(${L.id})\n(${by} (sum_over_time(${SREKIT_RULES.totalRate(short)}${filter}[${period}])) > 0)\n`,
      labels,
    };
  }
  const ratio = `${RULES.sliError(short)}${filter}`;
  return {
    record,
    expr: `${by} (sum_over_time(${ratio}[${period}]))\n/ on(${L.id})\n${by} (count_over_time(${ratio}[${period}]))\n`,
    labels,
  };
}

function metaRules(plan: SrekitPlan): RecordingRule[] {
  const { spec, budgetText } = plan;
  const filter = idFilter(spec);
  const labels = srekitSeriesLabels(spec);
  const withoutWindow = (series: string): string =>
    `max without (${L.window}) (${series}${filter})`;
  const periodDays =
    spec.window.kind === 'calendar'
      ? calendarPeriodDaysExpr(spec.window)
      : `vector(${formatNumber(spec.window.seconds / DAY_SECONDS)})`;
  const budgetSeconds = formatNumber(
    Number((spec.window.seconds * Number(budgetText)).toPrecision(12)),
  );
  const forecast = RULES.sliError(formatDuration(plan.forecastWindowSeconds));
  return [
    {
      record: RULES.objective,
      expr: `vector(${formatNumber(objectiveRatio(spec.objectiveText) ?? spec.objective / 100)})`,
      labels,
    },
    { record: RULES.errorBudget, expr: `vector(${budgetText})`, labels },
    { record: RULES.timePeriodDays, expr: periodDays, labels },
    {
      record: RULES.currentBurnRate,
      expr: `${withoutWindow(RULES.sliError(formatDuration(SHORT)))} / ${budgetText}`,
      labels,
    },
    {
      record: RULES.periodBurnRate,
      expr: `${withoutWindow(RULES.sliError(plan.periodSuffix))} / ${budgetText}`,
      labels,
    },
    {
      record: RULES.periodBudgetRemaining,
      expr: `1 - ${RULES.periodBurnRate}${filter}`,
      labels,
    },
    {
      // Remaining budget × period ÷ burn rate, with the burn rate read over the fastest page
      // tier's long window: steadier than 5m, still quick to react. No series when nothing burns.
      record: RULES.timeToExhaustion,
      expr: `clamp_min(${RULES.periodBudgetRemaining}${filter}, 0)\n* on(${L.id})\n(${budgetSeconds} / (max by (${L.id}) (${forecast}${filter}) > 0))\n`,
      labels,
    },
    {
      record: RULES.sloInfo,
      expr: 'vector(1)',
      labels: mergeLabels(labels, {
        slo_objective: spec.objectiveText,
        slo_period: spec.window.text,
        slo_sli_kind: spec.sli.kind,
        slo_spec: spec.source.format,
      }),
    },
  ];
}

function alertSpecFor(spec: SloSpec, severity: 'page' | 'ticket'): AlertSpec {
  return severity === 'page' ? spec.alerting.page : spec.alerting.ticket;
}

function severityLabel(spec: SloSpec, severity: 'page' | 'ticket'): string {
  return (
    alertSpecFor(spec, severity).severityLabel ??
    (severity === 'page' ? SLO_DEFAULTS.pageSeverity : SLO_DEFAULTS.ticketSeverity)
  );
}

/** The labels an srekit alert rule adds (spec alert labels, then srekit's own, which win). */
export function srekitAlertRuleLabels(
  spec: SloSpec,
  severity: 'page' | 'ticket',
  tierId: string | undefined,
): Record<string, string> {
  return mergeLabels(
    { severity: severityLabel(spec, severity) },
    spec.alerting.labels,
    alertSpecFor(spec, severity).labels,
    { [L.id]: spec.id, [L.severity]: severity },
    tierId === undefined ? {} : { [L.tier]: tierId },
  );
}

function annotations(
  spec: SloSpec,
  severity: 'page' | 'ticket',
  own: Record<string, string>,
  dashboardUrl: SrekitOptions['dashboardUrl'],
): Record<string, string> {
  const url = dashboardUrl?.(spec);
  return mergeLabels(
    url === undefined ? own : { ...own, dashboard_url: url },
    spec.alerting.annotations,
    alertSpecFor(spec, severity).annotations,
  );
}

/** Burn factor of a tier for the SLO's period. */
export function tierFactor(spec: SloSpec, tier: AlertTier): number {
  return burnFactor(tier.budgetFraction, spec.window.seconds, tier.longWindowSeconds);
}

function tierAlert(plan: SrekitPlan, tier: AlertTier, options: SrekitOptions): AlertingRule {
  const { runbookBaseUrl } = options;
  const { spec, budgetText } = plan;
  const filter = idFilter(spec);
  const factor = tierFactor(spec, tier);
  const threshold = `(${formatNumber(factor)} * ${budgetText})`;
  const window = (seconds: number): string =>
    `max without (${L.window}) (${RULES.sliError(formatDuration(seconds))}${filter}) > ${threshold}`;
  const parts = [window(tier.longWindowSeconds), window(tier.shortWindowSeconds)];
  const guard = spec.alerting.minTrafficPerSecond;
  if (guard > 0 && plan.queries) {
    parts.push(
      `sum by (${L.id}) (avg_over_time(${SREKIT_RULES.totalRate(formatDuration(SHORT))}${filter}[${formatDuration(tier.longWindowSeconds)}])) >= ${formatNumber(guard)}`,
    );
  }
  const expr = `${parts.map((part) => `(\n  ${part}\n)`).join(`\nand on(${L.id})\n`)}\n`;
  const long = formatDuration(tier.longWindowSeconds);
  const short = formatDuration(tier.shortWindowSeconds);
  const percent = formatNumber(Number((tier.budgetFraction * 100).toPrecision(12)));
  const rule: AlertingRule = {
    alert: spec.alerting.name,
    expr,
    labels: srekitAlertRuleLabels(spec, tier.severity, tier.id),
    annotations: annotations(
      spec,
      tier.severity,
      {
        summary: `{{$labels.${L.service}}} {{$labels.${L.slo}}} is burning its error budget at ${formatNumber(factor)}× the sustainable rate.`,
        description: `The error ratio over the last ${long} and ${short} is above ${formatNumber(factor)} × the allowed ${budgetText} (objective ${spec.objectiveText}% over ${spec.window.text}). At this rate ${percent}% of the budget is gone within ${long} and all of it within ${humanDuration(spec.window.seconds / factor)}.`,
        runbook_url: `${runbookBaseUrl}#slo-error-budget-burn`,
      },
      options.dashboardUrl,
    ),
  };
  return tier.forSeconds > 0 ? { ...rule, for: formatDuration(tier.forSeconds) } : rule;
}

/** Name of the budget-exhaustion forecast alert of an SLO. */
export function forecastAlertName(spec: SloSpec): string {
  return `${spec.alerting.name}BudgetExhaustion`;
}

function forecastAlert(plan: SrekitPlan, options: SrekitOptions): AlertingRule {
  const { spec } = plan;
  const horizon = humanDuration(options.exhaustionForecastSeconds);
  return {
    alert: forecastAlertName(spec),
    expr: `${RULES.timeToExhaustion}${idFilter(spec)} < ${formatNumber(options.exhaustionForecastSeconds)}\n`,
    for: formatDuration(RULES_DEFAULTS.exhaustionForecastForSeconds),
    labels: srekitAlertRuleLabels(spec, 'ticket', undefined),
    annotations: annotations(
      spec,
      'ticket',
      {
        summary: `{{$labels.${L.service}}} {{$labels.${L.slo}}} will run out of error budget within ${horizon} at the current burn rate.`,
        description: `At the burn rate of the last ${formatDuration(plan.forecastWindowSeconds)}, the error budget left for the ${spec.window.text} period (objective ${spec.objectiveText}%) is spent in less than ${horizon}. The forecast is {{ $value | humanizeDuration }}.`,
        runbook_url: `${options.runbookBaseUrl}#slo-error-budget-exhaustion`,
      },
      options.dashboardUrl,
    ),
  };
}

function group(name: string, rules: readonly Rule[], interval?: string): RuleGroup {
  return interval ? { name, interval, rules } : { name, rules };
}

/** srekit's rule groups for one SLO. */
export function srekitGroups(spec: SloSpec, options: SrekitOptions): RuleGroup[] {
  const plan = srekitPlan(spec, options.periodSli);
  const groups = [
    group(`srekit-slo-sli-recordings-${spec.id}`, sliRules(plan), options.interval),
    group(`srekit-slo-meta-recordings-${spec.id}`, metaRules(plan), options.interval),
  ];
  const alerts: AlertingRule[] = plan.tiers.map((tier) => tierAlert(plan, tier, options));
  if (spec.alerting.ticket.enabled && options.exhaustionForecastSeconds > 0) {
    alerts.push(forecastAlert(plan, options));
  }
  if (alerts.length > 0) {
    groups.push(group(`srekit-slo-alerts-${spec.id}`, alerts, options.interval));
  }
  return groups;
}
