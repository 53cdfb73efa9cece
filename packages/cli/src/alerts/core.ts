import { LABELS, METRICS, RUNTIME_METRICS as P } from '@srekit/core';
import type { MixinAlertTest, MixinOptions, MixinRuleGroup } from '../mixins/types.js';
import { PROMETHEUS_SERIES } from '../prometheus-series.js';
import {
  type AlertDefinition,
  buildAlerts,
  resolveAlertOptions,
  vectorSelector as vs,
} from './alert-definition.js';
import { DASHBOARD_UIDS, ALERT_THRESHOLDS as T } from './defaults.js';

/** Name of the core alerts' rule group. */
export const CORE_ALERT_GROUP = 'srekit-core-alerts';

const percent = (ratio: number): string => `${Math.round(ratio * 10_000) / 100}%`;

/**
 * The @srekit/core alerts: target down, metrics missing, 5xx ratio, p99 latency, event-loop lag,
 * heap, restarts and capped metric series; with their promtool tests.
 *
 * @example
 * const { groups, tests } = coreAlerts({ selector: 'job="checkout"' });
 */
export function coreAlerts(options: MixinOptions): {
  groups: MixinRuleGroup[];
  tests: MixinAlertTest[];
} {
  const r = resolveAlertOptions(options);
  const sel = (metric: string, ...matchers: string[]) => vs(r, metric, ...matchers);
  const count = `${METRICS.httpServerRequestDuration.name}_count`;
  const bucket = `${METRICS.httpServerRequestDuration.name}_bucket`;
  const dashboard = DASHBOARD_UIDS.serviceOverview;
  const ok = { [LABELS.method]: 'GET', [LABELS.route]: '/orders', [LABELS.statusCode]: '200' };
  const failed = { ...ok, [LABELS.statusCode]: '503' };

  const definitions: AlertDefinition[] = [
    {
      alert: 'SrekitTargetDown',
      expr: `${sel(PROMETHEUS_SERIES.up)} == 0`,
      for: T.targetDown.for,
      severity: 'warning',
      dashboard,
      summary: 'A scrape target of the service is down.',
      description: (l) =>
        `Prometheus has failed to scrape ${l('instance')} of job ${l('job')} for ${T.targetDown.for}: the process is down, or its /metrics endpoint does not answer.`,
      cases: [
        {
          name: 'fires when scrapes fail',
          series: [{ metric: PROMETHEUS_SERIES.up, values: '1x10 0x20' }],
          quietAt: ['8m'],
          firingAt: '20m',
          alertLabels: 'series',
        },
      ],
    },
    {
      alert: 'SrekitScrapeMissing',
      expr: `absent(${sel(P.processStartTime)})`,
      for: T.scrapeMissing.for,
      severity: 'warning',
      dashboard,
      summary: 'Prometheus receives no metrics from the service.',
      description: () =>
        `No ${P.processStartTime} series has matched for ${T.scrapeMissing.for}: no target of the service is discovered, every scrape fails, or the service no longer registers the default Node.js metrics.`,
      cases: [
        {
          name: 'fires when the series disappear',
          series: [{ metric: P.processStartTime, values: '1700000000x20' }],
          quietAt: ['15m'],
          firingAt: '40m',
          alertLabels: 'selector',
        },
      ],
    },
    {
      alert: 'SrekitHigh5xxRatio',
      expr: `sum by (job) (rate(${sel(count, `${LABELS.statusCode}=~"5.."`)}[${T.high5xxRatio.window}]))
/
sum by (job) (rate(${sel(count)}[${T.high5xxRatio.window}]))
> ${T.high5xxRatio.ratio}`,
      for: T.high5xxRatio.for,
      severity: 'critical',
      dashboard,
      summary: 'The service answers too many requests with a 5xx status.',
      description: (l, v) =>
        `${v} of the requests to ${l('job')} failed with a 5xx status over the last ${T.high5xxRatio.window} (threshold ${percent(T.high5xxRatio.ratio)}).`,
      valueFormat: 'humanizePercentage',
      cases: [
        {
          name: 'fires when 10 % of requests fail',
          series: [
            { metric: count, labels: ok, values: '0+90x40' },
            { metric: count, labels: failed, values: '0x10 10+10x29' },
          ],
          quietAt: ['9m'],
          firingAt: '30m',
          alertLabels: ['job'],
          value: '10%',
        },
      ],
    },
    {
      alert: 'SrekitHighP99Latency',
      expr: `histogram_quantile(${T.highP99Latency.quantile}, sum by (job, le) (rate(${sel(bucket)}[${T.highP99Latency.window}])))
> ${T.highP99Latency.seconds}`,
      for: T.highP99Latency.for,
      severity: 'warning',
      dashboard,
      summary: 'The 99th percentile of request durations is too high.',
      description: (l, v) =>
        `The p99 request duration of ${l('job')} is ${v} over the last ${T.highP99Latency.window} (threshold ${T.highP99Latency.seconds}s).`,
      valueFormat: 'humanizeDuration',
      cases: [
        {
          name: 'fires when requests take 1 to 2.5 s',
          series: [
            ...['0.1', '0.5', '1'].map((le) => ({
              metric: bucket,
              labels: { ...ok, le },
              values: '0+60x15 900x30',
            })),
            ...['2.5', '+Inf'].map((le) => ({
              metric: bucket,
              labels: { ...ok, le },
              values: '0+60x45',
            })),
          ],
          quietAt: ['14m'],
          firingAt: '40m',
          alertLabels: ['job'],
          value: '2.485s',
        },
      ],
    },
    {
      alert: 'SrekitEventLoopLag',
      expr: `${sel(P.eventLoopLagP99)} > ${T.eventLoopLag.seconds}`,
      for: T.eventLoopLag.for,
      severity: 'warning',
      dashboard,
      summary: 'The Node.js event loop of an instance is blocked for too long.',
      description: (l, v) =>
        `The p99 event-loop delay of ${l('instance')} (job ${l('job')}) is ${v} (threshold ${T.eventLoopLag.seconds * 1000}ms): synchronous work delays every request the process handles.`,
      valueFormat: 'humanizeDuration',
      cases: [
        {
          name: 'fires when the loop lags 500 ms',
          series: [{ metric: P.eventLoopLagP99, values: '0.01x15 0.5x30' }],
          quietAt: ['12m'],
          firingAt: '30m',
          alertLabels: 'series',
          value: '500ms',
        },
      ],
    },
    {
      alert: 'SrekitHeapNearLimit',
      expr: `${sel(P.heapUsed)} / ${sel(P.heapTotal)} > ${T.heapNearLimit.ratio}`,
      for: T.heapNearLimit.for,
      severity: 'warning',
      dashboard,
      summary: 'The V8 heap of an instance stays nearly full.',
      description: (l, v) =>
        `${l('instance')} (job ${l('job')}) uses ${v} of its committed V8 heap (threshold ${percent(T.heapNearLimit.ratio)} for ${T.heapNearLimit.for}): garbage collection no longer frees memory and the process may run out of heap.`,
      valueFormat: 'humanizePercentage',
      cases: [
        {
          name: 'fires when 96 % of the heap is used',
          series: [
            { metric: P.heapUsed, values: '50000000x20 96000000x30' },
            { metric: P.heapTotal, values: '100000000x50' },
          ],
          quietAt: ['18m'],
          firingAt: '45m',
          alertLabels: 'series',
          value: '96%',
        },
      ],
    },
    {
      alert: 'SrekitProcessRestarts',
      expr: `changes(${sel(P.processStartTime)}[${T.restarts.window}]) >= ${T.restarts.count}`,
      severity: 'warning',
      dashboard,
      summary: 'An instance of the service restarts repeatedly.',
      description: (l, v) =>
        `${l('instance')} (job ${l('job')}) restarted ${v} times in the last ${T.restarts.window} (threshold ${T.restarts.count}).`,
      valueFormat: 'humanize',
      cases: [
        {
          name: 'fires after three restarts',
          series: [
            {
              metric: P.processStartTime,
              values: '1700000000x10 1700000660x4 1700000960x4 1700001260x20',
            },
          ],
          quietAt: ['10m', '12m'],
          firingAt: '25m',
          alertLabels: 'series',
          value: '3',
        },
      ],
    },
    {
      alert: 'SrekitMetricSeriesCapped',
      expr: `sum by (job, ${LABELS.metric}) (increase(${sel(METRICS.droppedSeries.name)}[${T.droppedSeries.window}])) > 0`,
      severity: 'info',
      dashboard,
      summary: 'A metric reached its series cap and folds new label sets into an overflow series.',
      description: (l) =>
        `Observations of ${l(LABELS.metric)} in ${l('job')} were folded into its overflow series in the last ${T.droppedSeries.window}: a label (often a route or status) takes too many values.`,
      cases: [
        {
          name: 'fires when observations are dropped',
          series: [
            {
              metric: METRICS.droppedSeries.name,
              labels: { [LABELS.metric]: METRICS.httpServerRequestDuration.name },
              values: '0x10 1+1x20',
            },
          ],
          quietAt: ['10m'],
          firingAt: '20m',
          alertLabels: ['job', LABELS.metric],
        },
      ],
    },
    {
      alert: 'SrekitTraceSpansDropped',
      expr: `sum by (job) (rate(${sel(METRICS.tracingSpansDropped.name)}[${T.spansDropped.window}])) / (sum by (job) (rate(${sel(METRICS.tracingSpansDropped.name)}[${T.spansDropped.window}])) + sum by (job) (rate(${sel(METRICS.tracingSpansExported.name)}[${T.spansDropped.window}]))) > ${T.spansDropped.ratio}`,
      for: T.spansDropped.for,
      severity: 'warning',
      dashboard,
      summary: 'The service drops trace spans: the OTLP endpoint is down, refusing, or too slow.',
      description: (l) =>
        `More than ${T.spansDropped.ratio * 100} % of the sampled spans of ${l('job')} were not exported over the last ${T.spansDropped.window} (srekit_tracing_spans_dropped_total by reason: queue_full or export_failed). Requests are not affected; traces are missing.`,
      cases: [
        {
          name: 'fires when the exporter fails',
          series: [
            { metric: METRICS.tracingSpansExported.name, labels: {}, values: '0+100x60' },
            {
              metric: METRICS.tracingSpansDropped.name,
              labels: { reason: 'queue_full' },
              values: '0x20 0+50x40',
            },
            {
              metric: METRICS.tracingSpansDropped.name,
              labels: { reason: 'export_failed' },
              values: '0x60',
            },
          ],
          quietAt: ['15m'],
          firingAt: '55m',
          alertLabels: ['job'],
        },
      ],
    },
  ];
  return buildAlerts(CORE_ALERT_GROUP, definitions, r);
}
