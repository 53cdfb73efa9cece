/**
 * @srekit/cli — the `srekit` command (validate, generate, gate, report, budget) and the mixins it
 * generates from: each package's Prometheus alerts with their promtool tests, and its Grafana
 * dashboards, built from the packages' `METRICS` constants.
 *
 * @packageDocumentation
 */
export {
  ALERT_THRESHOLDS,
  DEFAULT_GRAFANA_URL,
  DEFAULT_RUNBOOK_BASE_URL,
} from './alerts/defaults.js';
export { INVALID_SELECTOR, type LabelMatcher, parseSelector } from './alerts/selector.js';
export { type SerializeAlertTestsOptions, serializeAlertTests } from './alerts/serialize-tests.js';
export { CLI_DEFAULTS, GENERATED_DASHBOARD_TAG, MIXIN_GENERATED_HEADER } from './cli/defaults.js';
export {
  CLI_ERROR_CODES,
  type CliErrorCode,
  CliUsageError,
  EXIT_CODES,
  isCliUsageError,
} from './cli/errors.js';
export type { CliDependencies, CliIo, CliWritable } from './cli/io.js';
export { DASHBOARD_DEFAULTS } from './dashboards/defaults.js';
export { prometheusExemplarJsonData } from './dashboards/exemplars.js';
export { type SloDashboardOptions, sloDashboardUid } from './dashboards/slo.js';
export {
  DASHBOARD_LINT_RULES,
  type DashboardLintProblem,
  type DashboardLintRule,
  lintDashboard,
} from './lint/dashboard-lint.js';
export { cliVersion, run } from './main.js';
export { DASHBOARD_UIDS, type DashboardUid } from './mixins/dashboard-uids.js';
export { allMixins, coreMixin, engineMixin, securityMixin, sloMixin } from './mixins/index.js';
export type {
  AlertSeverity,
  DashboardJson,
  Mixin,
  MixinAlert,
  MixinAlertTest,
  MixinOptions,
  MixinRuleGroup,
} from './mixins/types.js';
export { PROMETHEUS_SERIES } from './prometheus-series.js';
