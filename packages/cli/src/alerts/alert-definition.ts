import type {
  AlertSeverity,
  MixinAlert,
  MixinAlertTest,
  MixinOptions,
  MixinRuleGroup,
} from '../mixins/types.js';
import { type DashboardUid, DEFAULT_GRAFANA_URL, DEFAULT_RUNBOOK_BASE_URL } from './defaults.js';
import { type LabelMatcher, parseSelector, selectorExampleLabels } from './selector.js';

/** How an alert's description shows `$value` (a Prometheus template function). */
export type ValueFormat = 'humanize' | 'humanizePercentage' | 'humanizeDuration';

/** One promtool test case of an alert: input series, times it must stay quiet, when it fires. */
export interface AlertCase {
  /** What the case shows, e.g. `fires when the ratio passes 5 %`. */
  readonly name: string;
  /** Input series; each gets the test's base labels (job, instance, the selector's) first. */
  readonly series: readonly {
    readonly metric: string;
    readonly labels?: Readonly<Record<string, string>>;
    /** promtool's expanding notation, e.g. `0+60x10 600x30`. */
    readonly values: string;
    /** Leave out the base labels (e.g. for recording-rule series). */
    readonly bare?: boolean;
  }[];
  /**
   * Evaluation times at which the alert must not fire; later than its `for`, so that an
   * expression true all along would already fire there.
   */
  readonly quietAt: readonly string[];
  /** Evaluation time at which it fires once (absent: the case only shows it staying quiet). */
  readonly firingAt?: string;
  /**
   * Label names the firing alert carries besides `severity`, with values from the first series;
   * `series` for all labels of the first series (alerts that do not aggregate); `selector` for
   * the equality matchers of the selector only (what `absent()` returns).
   */
  readonly alertLabels?: readonly string[] | 'series' | 'selector';
  /** With `alertLabels: 'series'`: labels the expression aggregates away. */
  readonly droppedLabels?: readonly string[];
  /** `$value` as the description shows it when the alert fires, e.g. `10%`. */
  readonly value?: string;
}

/** A mixin alert, its annotations and its promtool test cases. */
export interface AlertDefinition {
  /** CamelCase name with the `Srekit` prefix. */
  readonly alert: string;
  readonly expr: string;
  readonly for?: string;
  readonly severity: AlertSeverity;
  /** The dashboard a responder opens first. */
  readonly dashboard: DashboardUid;
  /** One sentence, ending with a period. */
  readonly summary: string;
  /**
   * The description, given a function that writes a label's value and the text of `$value`:
   * templates in the rule, the expected values in the tests.
   */
  readonly description: (label: (name: string) => string, value: string) => string;
  readonly valueFormat?: ValueFormat;
  readonly cases: readonly AlertCase[];
}

/** `MixinOptions` with defaults applied and the selector parsed. */
export interface ResolvedAlertOptions {
  readonly runbookBaseUrl: string;
  readonly grafanaUrl: string;
  readonly selector: readonly LabelMatcher[];
}

/** Applies the defaults of the options the alerts read. */
export function resolveAlertOptions(options: MixinOptions): ResolvedAlertOptions {
  return {
    runbookBaseUrl: options.runbookBaseUrl ?? DEFAULT_RUNBOOK_BASE_URL,
    grafanaUrl: options.grafanaUrl ?? DEFAULT_GRAFANA_URL,
    selector: parseSelector(options.selector),
  };
}

/**
 * A vector selector for `metric` with `matchers` and the options' selector ANDed in, e.g.
 * `up{job=~"orders.*"}`.
 */
export function vectorSelector(
  resolved: ResolvedAlertOptions,
  metric: string,
  ...matchers: string[]
): string {
  const all = [...matchers, ...resolved.selector.map((m) => m.text)];
  return all.length === 0 ? metric : `${metric}{${all.join(',')}}`;
}

/** `runbook_url` of an alert: the base and the alert name in lower case as the anchor. */
export function runbookUrl(resolved: ResolvedAlertOptions, alert: string): string {
  return `${resolved.runbookBaseUrl}#${alert.toLowerCase()}`;
}

/** `dashboard_url`: Grafana's base and `/d/<uid>`. */
export function dashboardUrl(resolved: ResolvedAlertOptions, uid: DashboardUid): string {
  return `${resolved.grafanaUrl.replace(/\/+$/, '')}/d/${uid}`;
}

/** Labels every test series carries: a job and an instance, adjusted to match the selector. */
const TEST_BASE_LABELS: Readonly<Record<string, string>> = {
  job: 'checkout',
  instance: '10.0.0.1:8080',
};

function seriesText(metric: string, labels: Readonly<Record<string, string>>): string {
  const inner = Object.entries(labels)
    .map(([name, value]) => `${name}=${JSON.stringify(value)}`)
    .join(',');
  return `${metric}{${inner}}`;
}

/** Evaluation step of the alert tests; the cases' series are written in this step. */
export const TEST_INTERVAL = '1m';

/**
 * Turns alert definitions into one rule group and their promtool tests: rules carry the
 * severity label and the four annotations; each case becomes one promtool test.
 */
export function buildAlerts(
  groupName: string,
  definitions: readonly AlertDefinition[],
  resolved: ResolvedAlertOptions,
): { groups: MixinRuleGroup[]; tests: MixinAlertTest[] } {
  const base = selectorExampleLabels(resolved.selector, TEST_BASE_LABELS);
  const selectorEqualities = Object.fromEntries(
    resolved.selector.filter((m) => m.op === '=' && m.value !== '').map((m) => [m.name, m.value]),
  );
  const rules: MixinAlert[] = [];
  const tests: MixinAlertTest[] = [];
  for (const def of definitions) {
    const annotations = (label: (name: string) => string, value: string) => ({
      summary: def.summary,
      description: def.description(label, value),
      runbook_url: runbookUrl(resolved, def.alert),
      dashboard_url: dashboardUrl(resolved, def.dashboard),
    });
    rules.push({
      alert: def.alert,
      expr: def.expr,
      ...(def.for === undefined ? {} : { for: def.for }),
      labels: { severity: def.severity },
      annotations: annotations(
        (name) => `{{ $labels.${name} }}`,
        def.valueFormat === undefined ? '{{ $value }}' : `{{ $value | ${def.valueFormat} }}`,
      ),
    });
    for (const testCase of def.cases) {
      const series = testCase.series.map((s) => ({
        labels: s.bare ? { ...s.labels } : { ...base, ...s.labels },
        metric: s.metric,
        values: s.values,
      }));
      const first = series[0]?.labels ?? {};
      const alertLabels: Record<string, string> =
        testCase.alertLabels === 'selector'
          ? { ...selectorEqualities }
          : testCase.alertLabels === 'series'
            ? Object.fromEntries(
                Object.entries(first).filter(([name]) => !testCase.droppedLabels?.includes(name)),
              )
            : Object.fromEntries(
                (testCase.alertLabels ?? []).map((name) => [name, first[name] ?? '']),
              );
      const fire = testCase.firingAt;
      tests.push({
        name: `${def.alert}: ${testCase.name}`,
        interval: TEST_INTERVAL,
        input_series: series.map((s) => ({
          series: seriesText(s.metric, s.labels),
          values: s.values,
        })),
        alert_rule_test: [
          ...testCase.quietAt.map((at) => ({
            eval_time: at,
            alertname: def.alert,
            exp_alerts: [],
          })),
          ...(fire === undefined
            ? []
            : [
                {
                  eval_time: fire,
                  alertname: def.alert,
                  exp_alerts: [
                    {
                      exp_labels: { ...alertLabels, severity: def.severity },
                      exp_annotations: annotations(
                        (name) => alertLabels[name] ?? '',
                        testCase.value ?? '',
                      ),
                    },
                  ],
                },
              ]),
        ],
      });
    }
  }
  return { groups: [{ name: groupName, rules }], tests };
}
