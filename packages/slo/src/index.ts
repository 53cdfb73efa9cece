/**
 * @srekit/slo — SLO specs (Sloth `prometheus/v1`, OpenSLO `openslo/v1`, srekit `srekit/v1`), exact
 * error-budget math, a live in-process burn-rate tracker, Prometheus rule generation, a release gate
 * and SLO reports.
 *
 * @packageDocumentation
 */
export type { AlertTierRow, TimeToExhaustionInput } from './burn-rate.js';
export {
  alertTierTable,
  burnFactor,
  burnRate,
  burnRateFromEvents,
  detectionTime,
  timeToExhaustion,
} from './burn-rate.js';
export {
  allowedErrorRatio,
  errorRatioText,
  formatNumber,
  objectiveRatio,
  objectiveText,
} from './decimal.js';
export { DEFAULT_ALERT_TIERS, GATE_DEFAULTS, SLO_DEFAULTS, TRACKER_DEFAULTS } from './defaults.js';
export { DAY_SECONDS, formatDuration, humanDuration, parseDuration } from './duration.js';
export type { ErrorBudget, ErrorBudgetInput } from './error-budget.js';
export { errorBudget } from './error-budget.js';
export type { SloErrorCode } from './errors.js';
export { formatProblem, SLO_ERROR_CODES, SloSpecError } from './errors.js';
export type { CollectOptions } from './gate/collect.js';
export { collectSloData, defaultBurnRateWindow, sloSeriesQuery } from './gate/collect.js';
export type {
  GateCheck,
  GateResult,
  GateThresholds,
  ResolvedGateThresholds,
  SloGateResult,
} from './gate/gate.js';
export {
  evaluateGate,
  formatGateResult,
  gateFromData,
  resolveGateThresholds,
} from './gate/gate.js';
export type { FetchLike, InstantQueryOptions, InstantSample } from './gate/prometheus-api.js';
export { prometheusQueryUrl, queryInstant } from './gate/prometheus-api.js';
export type {
  EventCounts,
  ResultsFile,
  ResultsFileProblem,
  ResultsFileSlo,
  ResultsFileValidation,
} from './gate/results-file.js';
export {
  parseResultsFile,
  RESULTS_FILE_VERSION,
  readResultsFile,
  validateResultsFile,
} from './gate/results-file.js';
export type {
  DataStatus,
  PrometheusSource,
  ResultsSource,
  SloData,
  SloDataSet,
  SloSource,
  TierStatus as SloDataTierStatus,
  WindowData,
} from './gate/slo-data.js';
export { LABELS, METRICS, RESULTS, RULE_LABELS, RULES } from './metrics.js';
export type {
  SloMiddlewareOptions,
  SloOutcome,
  SloRequest,
  SloResponse,
} from './middleware.js';
export { sloMiddleware } from './middleware.js';
export type { Recommendation, RecommendationLevel } from './report/recommendations.js';
export { RECOMMENDATION_THRESHOLDS, recommend } from './report/recommendations.js';
export type {
  Forecast,
  ReportOptions,
  SliDescription,
  SloReport,
  SloReportEntry,
} from './report/report.js';
export { buildReport, describeSli } from './report/report.js';
export { renderReportHtml } from './report/report-html.js';
export { RULES_DEFAULTS, SREKIT_RULES } from './rules/defaults.js';
export { formatRuleProblem, RULES_ERROR_CODES, SloRulesError } from './rules/errors.js';
export { generatePrometheusRules } from './rules/generate.js';
export { generateInhibitRules } from './rules/inhibit.js';
export type { PromtoolTestOptions } from './rules/promtool-tests.js';
export { generatePromtoolTests } from './rules/promtool-tests.js';
export { GENERATED_HEADER, serializeInhibitRules, serializeRules } from './rules/serialize.js';
export { checkRuleSupport } from './rules/support.js';
export type {
  AlertingRule,
  GenerateRulesOptions,
  InhibitRule,
  PeriodSliMethod,
  PrometheusRuleFile,
  PromtoolTestFile,
  RecordingRule,
  Rule,
  RuleGroup,
  RuleProblem,
  RulesCompat,
} from './rules/types.js';
export type { DidYouMeanOptions } from './spec/did-you-mean.js';
export { didYouMean, editDistance } from './spec/did-you-mean.js';
export type { LoadSloSpecsOptions } from './spec/load-specs.js';
export { checkSloSpecFiles, loadSloSpecs } from './spec/load-specs.js';
export { OPENSLO_VERSION } from './spec/openslo-schema.js';
export type { ParseSloSpecsOptions, SpecSource } from './spec/parse-specs.js';
export { checkSloSpecs, checkSpecSources, parseSloSpecs } from './spec/parse-specs.js';
export { SLOTH_VERSION, SREKIT_VERSION } from './spec/sloth-format.js';
export type { CalendarPeriodBounds } from './tracker/calendar-period.js';
export { calendarPeriod } from './tracker/calendar-period.js';
export type { SloTrackerOptions, TrackerLogger } from './tracker/options.js';
export { SloTracker } from './tracker/slo-tracker.js';
export type {
  BudgetExhaustedEvent,
  Disposable,
  PeriodStatus,
  SloStatus,
  TierFiringEvent,
  TierStatus,
  WindowStatus,
} from './tracker/status.js';
export type {
  AlertingSpec,
  AlertSpec,
  AlertTier,
  BudgetingMethod,
  CalendarUnit,
  CalendarWindow,
  ParseResult,
  ProblemSeverity,
  RollingWindow,
  Sli,
  SloSpec,
  SloWindow,
  SourceLocation,
  SpecFormat,
  SpecProblem,
} from './types.js';
export { rollingWindow, windowDays, windowSeconds } from './window.js';
