import { LABELS, METRICS, RUNTIME_METRICS } from '@srekit/core';
import type { DashboardJson, MixinOptions } from '../mixins/types.js';
import { PROMETHEUS_SERIES } from '../prometheus-series.js';
import { buildDashboard, histogramQuantile, rate, selector } from './builder.js';
import { DASHBOARD_UIDS, resolveDashboardOptions } from './defaults.js';
import { traceExploreLink } from './exemplars.js';

const DURATION = METRICS.httpServerRequestDuration.name;
const COUNT = `${DURATION}_count`;
const SERVER_ERROR = `${LABELS.statusCode}=~"5.."`;

/**
 * The @srekit/core dashboards: the service overview (`srekit-service-overview`), RED metrics
 * from core's request histogram, then the Node.js runtime and the telemetry's own health.
 *
 * @param options - `traceDatasourceUid` (default `jaeger`) for the latency panels' trace link;
 *   `selector` narrows the jobs offered.
 * @returns `{ 'srekit-service-overview.json': dashboard }`.
 */
export function coreDashboards(options: MixinOptions): Record<string, DashboardJson> {
  const resolved = resolveDashboardOptions(options);
  const traces = traceExploreLink(resolved.traceDatasourceUid);
  const overview = buildDashboard(
    {
      uid: DASHBOARD_UIDS.serviceOverview,
      title: 'srekit / Service overview',
      description:
        'RED metrics (rate, errors, duration) of services instrumented with @srekit/core, with the Node.js runtime behind them.',
      tags: ['core'],
      rows: [
        {
          title: 'Traffic and errors',
          panels: [
            {
              kind: 'stat',
              title: 'Request rate',
              description: 'Requests per second answered by the selected instances.',
              unit: 'reqps',
              queries: [{ expr: `sum(${rate(COUNT)})` }],
            },
            {
              kind: 'stat',
              title: 'Server error ratio',
              description: 'Share of requests answered with a 5xx status.',
              unit: 'percentunit',
              thresholds: [
                { value: 0.001, color: 'orange' },
                { value: 0.01, color: 'red' },
              ],
              queries: [{ expr: `sum(${rate(COUNT, SERVER_ERROR)}) / sum(${rate(COUNT)})` }],
            },
            {
              kind: 'stat',
              title: 'Latency p99',
              description: '99th percentile of request duration, from the request histogram.',
              unit: 's',
              queries: [{ expr: histogramQuantile(0.99, DURATION), exemplar: true }],
              links: [traces],
            },
            {
              kind: 'stat',
              title: 'Targets up',
              description: 'Selected targets whose last scrape succeeded, out of all selected.',
              unit: 'percentunit',
              min: 0,
              max: 1,
              queries: [{ expr: `avg(${selector(PROMETHEUS_SERIES.up)})` }],
            },
            {
              kind: 'timeseries',
              title: 'Request rate by route',
              description: 'Requests per second by route template.',
              unit: 'reqps',
              queries: [
                {
                  expr: `sum by (${LABELS.route}) (${rate(COUNT)})`,
                  legend: `{{${LABELS.route}}}`,
                },
              ],
            },
            {
              kind: 'timeseries',
              title: 'Responses by status code',
              description: 'Responses per second by HTTP status code.',
              unit: 'reqps',
              stacked: true,
              queries: [
                {
                  expr: `sum by (${LABELS.statusCode}) (${rate(COUNT)})`,
                  legend: `{{${LABELS.statusCode}}}`,
                },
              ],
            },
            {
              kind: 'timeseries',
              title: 'Server error ratio by route',
              description: "Share of each route's requests answered with a 5xx status.",
              unit: 'percentunit',
              min: 0,
              queries: [
                {
                  expr: `sum by (${LABELS.route}) (${rate(COUNT, SERVER_ERROR)}) / sum by (${LABELS.route}) (${rate(COUNT)})`,
                  legend: `{{${LABELS.route}}}`,
                },
              ],
            },
            {
              kind: 'timeseries',
              title: 'In-flight requests',
              description: 'Requests being handled right now, by HTTP method.',
              unit: 'short',
              min: 0,
              queries: [
                {
                  expr: `sum by (${LABELS.method}) (${selector(METRICS.httpServerActiveRequests.name)})`,
                  legend: `{{${LABELS.method}}}`,
                },
              ],
            },
          ],
        },
        {
          title: 'Latency',
          panels: [
            {
              kind: 'timeseries',
              title: 'Request duration p50 / p90 / p99',
              description:
                'Percentiles of request duration from the request histogram; exemplar dots open the trace of a slow request.',
              unit: 's',
              links: [traces],
              queries: [0.5, 0.9, 0.99].map((q) => ({
                expr: histogramQuantile(q, DURATION),
                legend: `p${Math.round(q * 100)}`,
                exemplar: true,
              })),
            },
            {
              kind: 'timeseries',
              title: 'Request duration p99 by route',
              description: '99th percentile of request duration by route template, with exemplars.',
              unit: 's',
              links: [traces],
              queries: [
                {
                  expr: histogramQuantile(0.99, DURATION, [LABELS.route]),
                  legend: `{{${LABELS.route}}}`,
                  exemplar: true,
                },
              ],
            },
          ],
        },
        {
          title: 'Node.js runtime',
          panels: [
            {
              kind: 'timeseries',
              title: 'Event-loop lag',
              description:
                "Event-loop delay by instance (p50 and p99 over prom-client's sampling window); a blocked loop delays every request.",
              unit: 's',
              min: 0,
              thresholds: [{ value: 0.1, color: 'red' }],
              queries: [
                {
                  expr: `max by (instance) (${selector(RUNTIME_METRICS.eventLoopLagP99)})`,
                  legend: 'p99 {{instance}}',
                },
                {
                  expr: `max by (instance) (${selector(RUNTIME_METRICS.eventLoopLagP50)})`,
                  legend: 'p50 {{instance}}',
                },
              ],
            },
            {
              kind: 'timeseries',
              title: 'Heap and resident memory',
              description: 'V8 heap used and allocated, and resident memory, by instance.',
              unit: 'bytes',
              min: 0,
              queries: [
                {
                  expr: `sum by (instance) (${selector(RUNTIME_METRICS.heapUsed)})`,
                  legend: 'heap used {{instance}}',
                },
                {
                  expr: `sum by (instance) (${selector(RUNTIME_METRICS.heapTotal)})`,
                  legend: 'heap total {{instance}}',
                },
                {
                  expr: `sum by (instance) (${selector(RUNTIME_METRICS.processResidentMemory)})`,
                  legend: 'resident {{instance}}',
                },
              ],
            },
            {
              kind: 'timeseries',
              title: 'CPU',
              description: 'CPU time used per second, by instance (1 = one core fully busy).',
              unit: 'percentunit',
              min: 0,
              queries: [
                {
                  expr: `sum by (instance) (${rate(RUNTIME_METRICS.processCpuSeconds)})`,
                  legend: '{{instance}}',
                },
              ],
            },
            {
              kind: 'timeseries',
              title: 'Restarts',
              description:
                'Process restarts by instance: changes of the process start time within each interval.',
              unit: 'short',
              min: 0,
              queries: [
                {
                  expr: `sum by (instance) (changes(${selector(RUNTIME_METRICS.processStartTime)}[$__rate_interval]))`,
                  legend: '{{instance}}',
                },
              ],
            },
          ],
        },
        {
          title: 'Telemetry health',
          panels: [
            {
              kind: 'timeseries',
              title: 'Observations folded by the series cap',
              description:
                'Observations per second folded into the overflow series because a metric reached its series cap (a label with unbounded values).',
              unit: 'ops',
              min: 0,
              width: 24,
              queries: [
                {
                  expr: `sum by (${LABELS.metric}) (${rate(METRICS.droppedSeries.name)})`,
                  legend: `{{${LABELS.metric}}}`,
                },
              ],
            },
          ],
        },
      ],
    },
    resolved,
  );
  return { [`${DASHBOARD_UIDS.serviceOverview}.json`]: overview };
}
