import type { AlertingRule, RecordingRule, RulesCompat, SloSpec } from '@srekit/slo';

/** Severities of the mixins' alerts (DESIGN.md): page on `critical`, ticket on `warning`. */
export type AlertSeverity = 'critical' | 'warning' | 'info';

/** A mixin alert: a Prometheus alerting rule with the labels and annotations srekit requires. */
export interface MixinAlert extends AlertingRule {
  readonly labels: Readonly<Record<string, string>> & { readonly severity: AlertSeverity };
  readonly annotations: Readonly<Record<string, string>> & {
    /** One sentence, ending with a period. */
    readonly summary: string;
    readonly description: string;
    /** `<runbookBaseUrl>#<alert name in lower case>`. */
    readonly runbook_url: string;
    /** The dashboard to open first. */
    readonly dashboard_url: string;
  };
}

/** A group of mixin rules (recording rules and alerts). */
export interface MixinRuleGroup {
  readonly name: string;
  readonly interval?: string;
  readonly rules: readonly (MixinAlert | RecordingRule)[];
}

/**
 * One promtool unit test of a mixin alert (the `tests[]` entry of a promtool test file): input
 * series and, at each `eval_time`, the alerts expected (an empty list: must not fire).
 */
export interface MixinAlertTest {
  readonly name: string;
  readonly interval: string;
  readonly input_series: readonly { readonly series: string; readonly values: string }[];
  readonly alert_rule_test: readonly {
    readonly eval_time: string;
    readonly alertname: string;
    readonly exp_alerts: readonly {
      readonly exp_labels?: Readonly<Record<string, string>>;
      readonly exp_annotations?: Readonly<Record<string, string>>;
    }[];
  }[];
}

/** A Grafana dashboard as JSON (the foundation SDK's `build()` output). */
export type DashboardJson = Readonly<Record<string, unknown>> & {
  readonly uid: string;
  readonly title: string;
};

/**
 * What every mixin returns, in the shape of Prometheus monitoring mixins: alert rules, recording
 * rules, dashboards (file name → JSON), and the promtool unit tests of its alerts.
 */
export interface Mixin {
  /** `core`, `slo`, `security` or `engine`: also the stem of the generated file names. */
  readonly name: string;
  readonly prometheusAlerts: { readonly groups: readonly MixinRuleGroup[] };
  readonly prometheusRules: { readonly groups: readonly MixinRuleGroup[] };
  /** File name (e.g. `srekit-service-overview.json`) → dashboard. */
  readonly grafanaDashboards: Readonly<Record<string, DashboardJson>>;
  /** Every alert of `prometheusAlerts` has at least one test that fires it and one that does not. */
  readonly alertTests: readonly MixinAlertTest[];
}

/** Options every mixin takes. */
export interface MixinOptions {
  /** Base of `runbook_url`; default the repository's `docs/runbooks.md`. */
  readonly runbookBaseUrl?: string;
  /** Base URL of Grafana for `dashboard_url` (e.g. `https://grafana.example.com`); default `/`. */
  readonly grafanaUrl?: string;
  /** Label matcher selecting the service's series, e.g. `job=~"orders.*"`; default none. */
  readonly selector?: string;
  /** Uid of the trace datasource exemplars link to (Tempo, Jaeger); default `jaeger`. */
  readonly traceDatasourceUid?: string;
  /** The SLO specs (the slo mixin's per-SLO dashboards and alerts). */
  readonly specs?: readonly SloSpec[];
  /** Which SLO rules the dashboards read, as `generatePrometheusRules` wrote them. Default `srekit`. */
  readonly compat?: RulesCompat;
}
