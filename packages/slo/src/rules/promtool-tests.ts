import { stringify } from 'yaml';
import { formatNumber } from '../decimal.js';
import { formatDuration } from '../duration.js';
import { RULE_LABELS, RULES } from '../metrics.js';
import type { AlertTier, CalendarWindow, SloSpec } from '../types.js';
import { calendarPlan, zoneOffsetSeconds } from './calendar.js';
import { RULES_DEFAULTS, SREKIT_RULES } from './defaults.js';
import { resolveRulesOptions } from './generate.js';
import { labelFilter, mergeLabels, renderLabelTemplate, renderWindow } from './promql.js';
import { queryShape, type SeriesSelector } from './query-shape.js';
import { labelSet, synthesizePair } from './series-synthesis.js';
import { eventQueries } from './sli-queries.js';
import { slothGroups, slothSliWindows } from './sloth-rules.js';
import {
  forecastAlertName,
  srekitAlertRuleLabels,
  srekitGroups,
  srekitPlan,
  srekitSeriesLabels,
  tierFactor,
} from './srekit-rules.js';
import { checkRuleSupport, slothTiers } from './support.js';
import type { AlertingRule, GenerateRulesOptions, PromtoolTestFile, RuleGroup } from './types.js';

/** Options of {@link generatePromtoolTests}. */
export interface PromtoolTestOptions
  extends Pick<
    GenerateRulesOptions,
    | 'compat'
    | 'periodSli'
    | 'runbookBaseUrl'
    | 'dashboardUrl'
    | 'exhaustionForecastSeconds'
    | 'slothVersion'
  > {
  /** Path of the rule file as the test file should reference it (relative to the test file). */
  readonly ruleFile: string;
}

/** Input sample spacing: at least two samples in every 5m window, whatever the range semantics. */
const INPUT_INTERVAL = 150;
const COUNTER_FUNCTIONS = new Set(['rate', 'increase', 'irate']);
/** Events per second of synthetic traffic, raised when a traffic guard asks for more. */
const BASE_EVENTS_PER_SECOND = 10;

type Strategy =
  | { kind: 'pair'; marked: 'errors' | 'good'; series: ReturnType<typeof synthesizePair> & object }
  | { kind: 'histogram'; count: Record<string, string>; bucket: Record<string, string> }
  | { kind: 'direct' };

interface Context {
  readonly spec: SloSpec;
  readonly compat: 'srekit' | 'sloth';
  readonly strategy: Strategy;
  readonly evalInterval: number;
  /** Events per input sample. */
  readonly eventsPerSample: number;
  /** Windows (s) of the SLI ratio rules, fed directly by the direct strategy. */
  readonly sliWindows: readonly number[];
  /** Windows (s) of srekit's error/total rate rules (events SLIs). */
  readonly rateWindows: readonly number[];
  readonly alertRules: readonly AlertingRule[];
  readonly periodRule: string;
}

function selectorOf(query: string): SeriesSelector | undefined {
  const shape = queryShape(renderWindow(query, '5m'));
  const selector = shape?.selectors.length === 1 ? shape.selectors[0] : undefined;
  if (!selector) return undefined;
  return selector.rangeFunction && COUNTER_FUNCTIONS.has(selector.rangeFunction)
    ? selector
    : undefined;
}

function chooseStrategy(spec: SloSpec, compat: 'srekit' | 'sloth'): Strategy {
  const sli = spec.sli;
  if (sli.kind === 'latency') {
    const shape = queryShape(`${sli.metric}_count{${sli.selector}}`);
    const base = shape?.selectors[0] ? labelSet(shape.selectors[0].matchers) : undefined;
    if (base) {
      return {
        kind: 'histogram',
        count: base,
        bucket: { ...base, __name__: `${sli.metric}_bucket`, le: sli.le },
      };
    }
    return { kind: 'direct' };
  }
  if (sli.kind !== 'events' && sli.kind !== 'good-events') return { kind: 'direct' };
  const markedQuery = sli.kind === 'events' ? sli.errorQuery : sli.goodQuery;
  const marked = selectorOf(markedQuery);
  const total = selectorOf(sli.totalQuery);
  if (!marked || !total) return { kind: 'direct' };
  if (compat === 'sloth') {
    // Sloth divides the two queries as they are: their result must carry no labels for the
    // recorded series (and so the alerts) to have predictable labels.
    const labelless = [markedQuery, sli.totalQuery].every(
      (query) => queryShape(renderWindow(query, '5m'))?.labelless,
    );
    if (!labelless) return { kind: 'direct' };
  }
  const series = synthesizePair(marked, total);
  if (!series) return { kind: 'direct' };
  return { kind: 'pair', marked: sli.kind === 'events' ? 'errors' : 'good', series };
}

function strategyText(strategy: Strategy): string {
  switch (strategy.kind) {
    case 'pair':
      return "counters synthesised for the SLI's own series selectors (one series the error query counts, one only the total query counts)";
    case 'histogram':
      return 'histogram counters synthesised for the latency SLI (`_count` and the `_bucket` at the threshold)';
    case 'direct':
      return 'the SLI recording-rule series are fed directly (the SLI queries cannot be driven by synthetic series); the SLI rules select nothing, so the fed series stand';
  }
}

function seriesText(labels: Readonly<Record<string, string>>): string {
  const { __name__: name, ...rest } = labels;
  return Object.keys(rest).length === 0 ? (name ?? '') : `${name}${labelFilter(rest)}`;
}

function num(value: number): string {
  return formatNumber(Number(value.toPrecision(12)));
}

/** Expanding notation for a counter growing `perSample` per sample over `samples` samples per phase. */
function counterValues(segments: ReadonlyArray<{ perSample: number; samples: number }>): string {
  const parts: string[] = [];
  let value = 0;
  let first = true;
  for (const { perSample, samples } of segments) {
    if (samples <= 0) continue;
    const start = first ? 0 : value + perSample;
    parts.push(`${num(start)}+${num(perSample)}x${samples - 1}`);
    value = start + perSample * (samples - 1);
    first = false;
  }
  return parts.join(' ');
}

function constantValues(segments: ReadonlyArray<{ value: number; samples: number }>): string {
  return segments
    .filter((segment) => segment.samples > 0)
    .map((segment) => `${num(segment.value)}+0x${segment.samples - 1}`)
    .join(' ');
}

interface Phase {
  /** Error ratio during the phase. */
  readonly ratio: number;
  /** Samples (one a minute) in the phase. */
  readonly samples: number;
  /** Events per input sample (0 for no traffic). */
  readonly events: number;
}

/** Input series producing the given phases of traffic. */
function inputSeries(
  ctx: Context,
  phases: readonly Phase[],
): Array<{ series: string; values: string }> {
  const { strategy, spec, compat } = ctx;
  const bad = phases.map((p) => ({ perSample: p.events * p.ratio, samples: p.samples }));
  const good = phases.map((p) => ({ perSample: p.events * (1 - p.ratio), samples: p.samples }));
  const all = phases.map((p) => ({ perSample: p.events, samples: p.samples }));
  switch (strategy.kind) {
    case 'histogram':
      return [
        { series: seriesText(strategy.count), values: counterValues(all) },
        { series: seriesText(strategy.bucket), values: counterValues(good) },
      ];
    case 'pair': {
      const { marked, rest, markedInTotal } = strategy.series;
      const markedRate = strategy.marked === 'errors' ? bad : good;
      const otherRate = strategy.marked === 'errors' ? good : bad;
      return [
        { series: seriesText(marked), values: counterValues(markedRate) },
        { series: seriesText(rest), values: counterValues(markedInTotal ? otherRate : all) },
      ];
    }
    case 'direct': {
      const out: Array<{ series: string; values: string }> = [];
      const withTraffic = phases.map((p) => ({
        value: p.ratio,
        samples: p.samples,
        events: p.events,
      }));
      // A ratio series only exists while there is traffic (that is what the srekit rules record).
      if (withTraffic.every((p) => p.events > 0)) {
        for (const seconds of ctx.sliWindows) {
          const window = formatDuration(seconds);
          const labels =
            compat === 'sloth'
              ? mergeLabels(slothIds(spec), { sloth_window: window }, spec.labels)
              : srekitSeriesLabels(spec, window);
          out.push({
            series: seriesText({ ...labels, __name__: RULES.sliError(window) }),
            values: constantValues(withTraffic),
          });
        }
      }
      if (compat === 'srekit' && eventQueries(spec.sli)) {
        for (const seconds of ctx.rateWindows) {
          const window = formatDuration(seconds);
          const labels = srekitSeriesLabels(spec, window);
          out.push(
            {
              series: seriesText({ ...labels, __name__: SREKIT_RULES.errorsRate(window) }),
              values: constantValues(
                phases.map((p) => ({
                  value: (p.events * p.ratio) / INPUT_INTERVAL,
                  samples: p.samples,
                })),
              ),
            },
            {
              series: seriesText({ ...labels, __name__: SREKIT_RULES.totalRate(window) }),
              values: constantValues(
                phases.map((p) => ({ value: p.events / INPUT_INTERVAL, samples: p.samples })),
              ),
            },
          );
        }
      }
      if (out.length === 0) {
        out.push({
          series: 'srekit_test_idle',
          values: constantValues(phases.map((p) => ({ value: 0, samples: p.samples }))),
        });
      }
      return out;
    }
  }
}

function slothIds(spec: SloSpec): Record<string, string> {
  const L = RULE_LABELS.sloth;
  return { [L.id]: spec.id, [L.service]: spec.service, [L.slo]: spec.name };
}

interface TestTier {
  readonly tier: AlertTier;
  readonly threshold: number;
}

function testTiers(ctx: Context): TestTier[] {
  const { spec } = ctx;
  const budget = Number(srekitPlan(spec, 'average').budgetText);
  const tiers =
    ctx.compat === 'sloth'
      ? Object.values(slothTiers(spec) ?? {}).filter(
          (tier) => (tier.severity === 'page' ? spec.alerting.page : spec.alerting.ticket).enabled,
        )
      : srekitPlan(spec, 'average').tiers;
  return tiers.map((tier) => ({ tier, threshold: tierFactor(spec, tier) * budget }));
}

/** The alerts Prometheus fires at `evalTime` after a constant error ratio `ratio` since 0. */
function expectedAlerts(
  ctx: Context,
  ratio: number,
  evalTime: number,
): Array<Record<string, unknown>> {
  const { spec } = ctx;
  const tiers = testTiers(ctx);
  const out: Array<{ labels: Record<string, string>; annotations: Record<string, string> }> = [];
  const activeFor = evalTime - ctx.evalInterval;
  if (ctx.compat === 'sloth') {
    for (const severity of ['page', 'ticket'] as const) {
      const rule = ctx.alertRules.find((r) => r.labels?.sloth_severity === severity);
      if (!rule) continue;
      const fires = tiers.some((t) => t.tier.severity === severity && ratio > t.threshold);
      if (!fires) continue;
      const labels = mergeLabels(slothIds(spec), spec.labels, rule.labels);
      out.push({ labels, annotations: renderAnnotations(rule, labels) });
    }
  } else {
    for (const { tier, threshold } of tiers) {
      if (!(ratio > threshold) || activeFor < tier.forSeconds) continue;
      const rule = ctx.alertRules.find((r) => r.labels?.[RULE_LABELS.srekit.tier] === tier.id);
      if (!rule) continue;
      const labels = mergeLabels(
        srekitSeriesLabels(spec),
        srekitAlertRuleLabels(spec, tier.severity, tier.id),
      );
      out.push({ labels, annotations: renderAnnotations(rule, labels) });
    }
  }
  return out
    .sort((a, b) => JSON.stringify(a.labels).localeCompare(JSON.stringify(b.labels)))
    .map((alert) => ({ exp_labels: alert.labels, exp_annotations: alert.annotations }));
}

function renderAnnotations(
  rule: AlertingRule,
  labels: Record<string, string>,
  known: { readonly value?: string } = {},
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, raw] of Object.entries(rule.annotations ?? {})) {
    // The one value template srekit writes (the forecast's), when the test knows its rendering.
    const template =
      known.value === undefined
        ? raw
        : raw.replaceAll('{{ $value | humanizeDuration }}', known.value);
    const rendered = renderLabelTemplate(template, labels);
    if (rendered === undefined) {
      throw new Error(`annotation ${key} of ${rule.alert} uses more than $labels`);
    }
    out[key] = rendered;
  }
  return mergeLabels(out);
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** Rounds up to a time that is both an evaluation step and an input sample. */
function roundUp(seconds: number, step: number): number {
  const grid = (step * INPUT_INTERVAL) / gcd(step, INPUT_INTERVAL);
  return Math.ceil(seconds / grid) * grid;
}

function alertTest(ctx: Context, ratio: number, evalTime: number): Record<string, unknown> {
  return {
    eval_time: formatDuration(evalTime),
    alertname: ctx.spec.alerting.name,
    exp_alerts: expectedAlerts(ctx, ratio, evalTime),
  };
}

function tierGroups(ctx: Context): Array<Record<string, unknown>> {
  const groups: Array<Record<string, unknown>> = [];
  for (const { tier, threshold } of testTiers(ctx)) {
    const evalTime = roundUp(
      Math.max(tier.longWindowSeconds, tier.forSeconds) + 1_800,
      ctx.evalInterval,
    );
    const samples = evalTime / INPUT_INTERVAL + 1;
    for (const [label, factor] of [
      ['fires at 1.05', 1.05],
      ['stays quiet at 0.95', 0.95],
    ] as const) {
      const ratio = threshold * factor;
      if (ratio > 1) continue;
      groups.push({
        name: `${ctx.spec.id}: tier ${tier.id} ${label} × its threshold (error ratio ${num(ratio)})`,
        interval: formatDuration(INPUT_INTERVAL),
        input_series: inputSeries(ctx, [{ ratio, samples, events: ctx.eventsPerSample }]),
        alert_rule_test: [alertTest(ctx, ratio, evalTime)],
      });
    }
  }
  return groups;
}

/**
 * The budget-exhaustion forecast alert (srekit mode): an error ratio of twice the budget spends
 * more than the whole budget, so the forecast is 0 s and the alert fires once its `for:` has
 * passed; half the budget leaves half of it at half the burn, a forecast of a whole period, and
 * the alert stays quiet.
 */
function forecastGroups(ctx: Context, forecast: AlertingRule): Array<Record<string, unknown>> {
  const { spec } = ctx;
  const budget = Number(srekitPlan(spec, 'average').budgetText);
  const evalTime = roundUp(
    RULES_DEFAULTS.exhaustionForecastForSeconds + 3_600 + 1_800,
    ctx.evalInterval,
  );
  const samples = evalTime / INPUT_INTERVAL + 1;
  const labels = mergeLabels(srekitSeriesLabels(spec), forecast.labels ?? {});
  const groups: Array<Record<string, unknown>> = [];
  for (const [label, factor, fires] of [
    ['fires at 2', 2, true],
    ['stays quiet at 0.5', 0.5, false],
  ] as const) {
    const ratio = Math.min(1, budget * factor);
    const annotations = fires ? renderAnnotations(forecast, labels, { value: '0s' }) : undefined;
    groups.push({
      name: `${spec.id}: forecast alert ${label} × the error budget (error ratio ${num(ratio)})`,
      interval: formatDuration(INPUT_INTERVAL),
      input_series: inputSeries(ctx, [{ ratio, samples, events: ctx.eventsPerSample }]),
      alert_rule_test: [
        {
          eval_time: formatDuration(evalTime),
          alertname: forecast.alert,
          exp_alerts: fires ? [{ exp_labels: labels, exp_annotations: annotations }] : [],
        },
      ],
    });
  }
  return groups;
}

function zeroTrafficGroup(ctx: Context): Record<string, unknown> {
  const { spec } = ctx;
  const evalTime = roundUp(3_600 + ctx.evalInterval, ctx.evalInterval);
  const samples = evalTime / INPUT_INTERVAL + 1;
  const at = formatDuration(evalTime);
  const exprTests: Array<Record<string, unknown>> = [];
  if (ctx.compat === 'srekit') {
    const filter = labelFilter({ [RULE_LABELS.srekit.id]: spec.id });
    const names = [
      ...ctx.sliWindows.map((w) => RULES.sliError(formatDuration(w))),
      ctx.periodRule,
      RULES.currentBurnRate,
      RULES.periodBurnRate,
      RULES.periodBudgetRemaining,
      RULES.timeToExhaustion,
    ];
    for (const name of names)
      exprTests.push({ expr: `${name}${filter}`, eval_time: at, exp_samples: [] });
  } else {
    const filter = labelFilter({ [RULE_LABELS.sloth.id]: spec.id });
    const sli = `${RULES.sliError('5m')}${filter}`;
    exprTests.push(
      ctx.strategy.kind === 'direct'
        ? { expr: sli, eval_time: at, exp_samples: [] }
        : // Sloth records 0 ÷ 0 = NaN at zero traffic (sloth#133); NaN is the one value unequal to itself.
          {
            expr: `count(${sli} != ${sli})`,
            eval_time: at,
            exp_samples: [{ labels: '{}', value: 1 }],
          },
    );
  }
  return {
    name: `${spec.id}: no traffic gives no alert and ${ctx.compat === 'srekit' ? 'no SLI series (no NaN)' : 'the NaN Sloth records'}`,
    interval: formatDuration(INPUT_INTERVAL),
    input_series: inputSeries(ctx, [{ ratio: 0, samples, events: 0 }]),
    alert_rule_test: [{ eval_time: at, alertname: spec.alerting.name, exp_alerts: [] }],
    promql_expr_test: exprTests,
  };
}

/** JS twin of `periodIdExpr`, to place the test's period boundary. */
function periodId(window: CalendarWindow, t: number): number {
  const local = t + zoneOffsetSeconds(window.timeZone);
  const date = new Date(local * 1000);
  switch (window.unit) {
    case 'day':
      return Math.floor(local / 86_400);
    case 'week':
      return Math.floor((local / 86_400 + 3) / 7);
    case 'month':
      return date.getUTCFullYear() * 12 + date.getUTCMonth() + 1;
    case 'quarter':
      return date.getUTCFullYear() * 4 + Math.floor(date.getUTCMonth() / 3);
    case 'year':
      return date.getUTCFullYear();
  }
}

function calendarGroup(ctx: Context): Record<string, unknown> | undefined {
  const { spec } = ctx;
  if (spec.window.kind !== 'calendar' || !['day', 'week', 'month'].includes(spec.window.unit)) {
    return undefined;
  }
  const window = spec.window;
  let boundary = 6 * 3_600;
  while (periodId(window, boundary) === periodId(window, boundary - INPUT_INTERVAL)) {
    boundary += INPUT_INTERVAL;
  }
  // Rule results exist at evaluation steps only: query right on one.
  const before = Math.floor((boundary - 12 * 3_600) / ctx.evalInterval) * ctx.evalInterval;
  const after = Math.floor((boundary + 12 * 3_600) / ctx.evalInterval) * ctx.evalInterval;
  const ratio = 0.01;
  const phases: Phase[] = [
    { ratio, samples: boundary / INPUT_INTERVAL + 1, events: ctx.eventsPerSample },
    {
      ratio: 0,
      samples: Math.ceil((after - boundary) / INPUT_INTERVAL) + 1,
      events: ctx.eventsPerSample,
    },
  ];
  const labels = srekitSeriesLabels(spec, window.unit);
  const expr = `round(${ctx.periodRule}${labelFilter({ [RULE_LABELS.srekit.id]: spec.id })} * 10000)`;
  const sample = (value: number) => [{ labels: labelFilter(labels), value }];
  const when = (t: number) => new Date(t * 1000).toISOString().replace('.000Z', 'Z');
  return {
    name: `${spec.id}: the ${window.unit} SLI covers only the current ${window.unit} (boundary ${when(boundary)} UTC)`,
    interval: formatDuration(INPUT_INTERVAL),
    input_series: inputSeries(ctx, phases),
    promql_expr_test: [
      // 1 % errors all through the earlier period: 10000 × 0.01.
      { expr, eval_time: formatDuration(before), exp_samples: sample(100) },
      // The new period has had no errors; a rolling window would still show the old ones.
      { expr, eval_time: formatDuration(after), exp_samples: sample(0) },
    ],
  };
}

function testFiles(spec: SloSpec, options: PromtoolTestOptions): PromtoolTestFile[] {
  const resolved = resolveRulesOptions(options);
  const compat = resolved.compat;
  const strategy = chooseStrategy(spec, compat);
  let groups: RuleGroup[];
  let sliWindows: readonly number[];
  let rateWindows: readonly number[] = [];
  let periodRule: string;
  if (compat === 'sloth') {
    groups = slothGroups(spec, { slothVersion: resolved.slothVersion });
    sliWindows = slothSliWindows(spec);
    periodRule = RULES.sliError(formatDuration(spec.window.seconds));
  } else {
    groups = srekitGroups(spec, {
      periodSli: resolved.periodSli,
      runbookBaseUrl: resolved.runbookBaseUrl,
      ...(resolved.dashboardUrl === undefined ? {} : { dashboardUrl: resolved.dashboardUrl }),
      exhaustionForecastSeconds: resolved.exhaustionForecastSeconds,
    });
    const plan = srekitPlan(spec, resolved.periodSli);
    sliWindows = plan.sliWindows;
    rateWindows = plan.rateWindows;
    periodRule = RULES.sliError(plan.periodSuffix);
  }
  const alertRules = groups
    .flatMap((group) => group.rules)
    .filter((rule): rule is AlertingRule => 'alert' in rule && rule.alert === spec.alerting.name);
  const forecast =
    compat === 'srekit'
      ? groups
          .flatMap((group) => group.rules)
          .find(
            (rule): rule is AlertingRule =>
              'alert' in rule && rule.alert === forecastAlertName(spec),
          )
      : undefined;
  const guard = compat === 'srekit' ? spec.alerting.minTrafficPerSecond : 0;
  const groupOrder = groups.map((group) => group.name);
  const ctx: Context = {
    spec,
    compat,
    strategy,
    evalInterval: RULES_DEFAULTS.testEvaluationIntervalSeconds,
    eventsPerSample: Math.max(BASE_EVENTS_PER_SECOND, Math.ceil(guard * 2)) * INPUT_INTERVAL,
    sliWindows,
    rateWindows,
    alertRules,
    periodRule,
  };
  const files: PromtoolTestFile[] = [
    render(
      spec,
      options.ruleFile,
      groupOrder,
      ctx.evalInterval,
      [
        tierGroups(ctx),
        forecast === undefined ? [] : forecastGroups(ctx, forecast),
        zeroTrafficGroup(ctx),
      ].flat(),
      [
        `# Code generated by @srekit/slo: promtool unit tests of the ${compat}-mode rules of SLO ${spec.id}. DO NOT EDIT.`,
        `# Input: ${strategyText(strategy)}.`,
        '# Each enabled tier fires at 1.05 × and stays quiet at 0.95 × its error-ratio threshold once its',
        '# long window has filled; at zero traffic nothing fires.',
        ...(forecast === undefined
          ? []
          : ['# The exhaustion forecast fires at 2 × and stays quiet at 0.5 × the error budget.']),
      ],
    ),
  ];
  if (compat === 'srekit' && spec.window.kind === 'calendar') {
    // Evaluating a month of rules every hour takes half a minute; every 3 hours the recorded
    // hourly rates exist on every third subquery step, which still tiles both periods evenly.
    const step = calendarPlan(spec.window).stepSeconds;
    const evalInterval = spec.window.unit === 'month' ? 3 * step : step;
    const calendar = calendarGroup({ ...ctx, evalInterval });
    if (calendar) {
      files.push(
        render(
          spec,
          options.ruleFile,
          groupOrder,
          evalInterval,
          [calendar],
          [
            `# Code generated by @srekit/slo: promtool test of the calendar period of SLO ${spec.id}. DO NOT EDIT.`,
            `# Input: ${strategyText(strategy)}.`,
            '# 1 % errors until a period boundary, none after: the period SLI shows the current period only.',
          ],
          '.calendar',
        ),
      );
    }
  }
  return files;
}

function render(
  spec: SloSpec,
  ruleFile: string,
  groupOrder: readonly string[],
  evalInterval: number,
  tests: ReadonlyArray<Record<string, unknown>>,
  header: readonly string[],
  suffix = '',
): PromtoolTestFile {
  const body = stringify(
    {
      rule_files: [ruleFile],
      evaluation_interval: formatDuration(evalInterval),
      // Recordings before the rules that read them, at every step.
      group_eval_order: groupOrder,
      tests,
    },
    { lineWidth: 0, minContentWidth: 0 },
  );
  return {
    sloId: spec.id,
    fileName: `${spec.id}${suffix}.test.yaml`,
    yaml: `${header.join('\n')}\n${body}`,
  };
}

/**
 * promtool unit tests for the rules `generatePrometheusRules()` writes: one file per SLO that
 * shows each enabled alert tier firing at 1.05 × its threshold error ratio and staying quiet at
 * 0.95 × (after its long window has filled), and no alert and no NaN series at zero traffic
 * (in sloth mode, the NaN Sloth records instead). Calendar SLOs (day, week, month) get a second
 * file, `<id>.calendar.test.yaml`, with a test across a period boundary.
 *
 * Input series are synthesised for the SLI's own selectors when the queries allow it (one
 * counter the error query counts, one only the total query counts; latency SLIs get histogram
 * counters); otherwise the SLI recording-rule series are fed directly. The header of each file
 * says which. Run them with `promtool test rules <file>`.
 *
 * @example
 * for (const t of generatePromtoolTests(specs, { ruleFile: '../slo-rules.yaml' })) {
 *   writeFileSync(join('tests', t.fileName), t.yaml);
 * }
 */
export function generatePromtoolTests(
  specs: readonly SloSpec[],
  options: PromtoolTestOptions,
): PromtoolTestFile[] {
  const compat = options.compat ?? RULES_DEFAULTS.compat;
  return specs
    .filter((spec) => !checkRuleSupport(spec, compat).some((p) => p.severity === 'error'))
    .flatMap((spec) => testFiles(spec, options));
}
