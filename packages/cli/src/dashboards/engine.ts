import { CIRCUIT_STATES, FAILURE_OUTCOMES, LABELS, METRICS } from '@srekit/engine';
import type { DashboardJson, MixinOptions } from '../mixins/types.js';
import { buildDashboard, histogramQuantile, increase, rate, selector } from './builder.js';
import { DASHBOARD_UIDS, resolveDashboardOptions } from './defaults.js';
import { traceExploreLink } from './exemplars.js';

/**
 * `outcome` values of `loadbalancer_requests_total` that count as failures of the backend
 * (engine's `OUTCOME_LABELS` minus `success` and `client_error`, which the backend answered).
 */

/** Circuit states of `loadbalancer_circuit_state` that keep traffic away from a backend. */
const NOT_CLOSED_STATES = CIRCUIT_STATES.filter((state) => state !== 'closed');

/**
 * The @srekit/engine dashboard (`srekit-load-balancer`): per-backend traffic, failures and
 * latency, backend health (up, ejections, health checks), circuit breakers and retries.
 *
 * @param options - `traceDatasourceUid` (default `jaeger`) for the latency panels' trace link;
 *   `selector` narrows the jobs offered.
 * @returns `{ 'srekit-load-balancer.json': dashboard }`.
 */
export function engineDashboards(options: MixinOptions): Record<string, DashboardJson> {
  const resolved = resolveDashboardOptions(options);
  const pool = `${LABELS.pool}=~"$pool"`;
  const failures = `${pool},${LABELS.outcome}=~"${FAILURE_OUTCOMES.join('|')}"`;
  const requests = METRICS.requests.name;
  const byBackend = `${LABELS.pool}, ${LABELS.backend}`;
  const backendLegend = `{{${LABELS.pool}}} {{${LABELS.backend}}}`;
  const traces = traceExploreLink(resolved.traceDatasourceUid);
  const json = buildDashboard(
    {
      uid: DASHBOARD_UIDS.loadBalancer,
      title: 'srekit / Load balancer',
      description:
        'The @srekit/engine client-side load balancer: traffic, failures and latency per backend, backend health, circuit breakers and retries.',
      tags: ['engine'],
      extraVariables: [
        {
          name: LABELS.pool,
          label: 'Pool',
          query: `label_values(${selector(METRICS.backendUp.name)}, ${LABELS.pool})`,
        },
      ],
      rows: [
        {
          title: 'Traffic and failures',
          panels: [
            {
              kind: 'timeseries',
              title: 'Requests per backend',
              description: 'Requests per second sent to each backend.',
              unit: 'reqps',
              min: 0,
              queries: [
                {
                  expr: `sum by (${byBackend}) (${rate(requests, pool)})`,
                  legend: backendLegend,
                },
              ],
            },
            {
              kind: 'timeseries',
              title: 'Requests by outcome',
              description:
                'Requests per second by outcome: success, client_error, server_error, connect_failure, timeout, reset.',
              unit: 'reqps',
              min: 0,
              stacked: true,
              queries: [
                {
                  expr: `sum by (${LABELS.outcome}) (${rate(requests, pool)})`,
                  legend: `{{${LABELS.outcome}}}`,
                },
              ],
            },
            {
              kind: 'timeseries',
              title: 'Failure ratio per backend',
              description:
                "Share of each backend's requests that failed (5xx, connection failure, timeout or reset).",
              unit: 'percentunit',
              min: 0,
              max: 1,
              width: 24,
              queries: [
                {
                  expr: `sum by (${byBackend}) (${rate(requests, failures)}) / sum by (${byBackend}) (${rate(requests, pool)})`,
                  legend: backendLegend,
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
              title: 'Backend latency p99',
              description: '99th percentile of request duration per backend, with exemplars.',
              unit: 's',
              min: 0,
              links: [traces],
              queries: [
                {
                  expr: histogramQuantile(
                    0.99,
                    METRICS.requestDuration.name,
                    [LABELS.pool, LABELS.backend],
                    pool,
                  ),
                  legend: backendLegend,
                  exemplar: true,
                },
              ],
            },
            {
              kind: 'timeseries',
              title: 'Backend latency p50',
              description: 'Median request duration per backend, with exemplars.',
              unit: 's',
              min: 0,
              links: [traces],
              queries: [
                {
                  expr: histogramQuantile(
                    0.5,
                    METRICS.requestDuration.name,
                    [LABELS.pool, LABELS.backend],
                    pool,
                  ),
                  legend: backendLegend,
                  exemplar: true,
                },
              ],
            },
          ],
        },
        {
          title: 'Backend health',
          panels: [
            {
              kind: 'stat',
              title: 'Backends up',
              description: 'Backends that can take traffic, by pool (0 means every request fails).',
              unit: 'short',
              width: 8,
              height: 8,
              thresholds: [{ value: 1, color: 'green' }],
              queries: [
                {
                  expr: `sum by (${LABELS.pool}) (${selector(METRICS.backendUp.name, pool)})`,
                  legend: `{{${LABELS.pool}}}`,
                },
              ],
            },
            {
              kind: 'timeseries',
              title: 'Backend up / down',
              description:
                'Whether each backend can take traffic (1) or not (0: unhealthy, ejected or draining).',
              unit: 'bool',
              min: 0,
              max: 1,
              width: 16,
              queries: [
                {
                  expr: `min by (${byBackend}) (${selector(METRICS.backendUp.name, pool)})`,
                  legend: backendLegend,
                },
              ],
            },
            {
              kind: 'timeseries',
              title: 'Ejections by reason',
              description: 'Outlier ejections of backends in each interval, by backend and reason.',
              unit: 'short',
              min: 0,
              width: 8,
              queries: [
                {
                  expr: `sum by (${byBackend}, ${LABELS.reason}) (${increase(METRICS.ejections.name, pool)})`,
                  legend: `${backendLegend} {{${LABELS.reason}}}`,
                },
              ],
            },
            {
              kind: 'timeseries',
              title: 'Health-check failures',
              description: 'Active health checks that failed, per second, by backend.',
              unit: 'ops',
              min: 0,
              width: 8,
              queries: [
                {
                  expr: `sum by (${byBackend}) (${rate(METRICS.healthcheckFailures.name, pool)})`,
                  legend: backendLegend,
                },
              ],
            },
            {
              kind: 'timeseries',
              title: 'Active requests per backend',
              description: 'Requests in flight to each backend.',
              unit: 'short',
              min: 0,
              width: 8,
              queries: [
                {
                  expr: `sum by (${byBackend}) (${selector(METRICS.backendActiveRequests.name, pool)})`,
                  legend: backendLegend,
                },
              ],
            },
          ],
        },
        {
          title: 'Circuit breakers and retries',
          panels: [
            {
              kind: 'timeseries',
              title: 'Circuits not closed',
              description:
                'Backends whose circuit breaker is open or half-open (1 while in that state): traffic is kept away from them.',
              unit: 'short',
              min: 0,
              queries: [
                {
                  expr: `max by (${byBackend}, ${LABELS.state}) (${selector(METRICS.circuitState.name, `${pool},${LABELS.state}=~"${NOT_CLOSED_STATES.join('|')}"`)})`,
                  legend: `${backendLegend} {{${LABELS.state}}}`,
                },
              ],
            },
            {
              kind: 'timeseries',
              title: 'Retries',
              description:
                'Requests retried on another try per second, by pool; a steady rise means backends keep failing.',
              unit: 'ops',
              min: 0,
              queries: [
                {
                  expr: `sum by (${LABELS.pool}) (${rate(METRICS.retries.name, pool)})`,
                  legend: `{{${LABELS.pool}}}`,
                },
              ],
            },
          ],
        },
      ],
    },
    resolved,
  );
  return { [`${DASHBOARD_UIDS.loadBalancer}.json`]: json };
}
