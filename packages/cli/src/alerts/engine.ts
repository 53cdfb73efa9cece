import { LABELS, METRICS } from '@srekit/engine';
import type { MixinAlertTest, MixinOptions, MixinRuleGroup } from '../mixins/types.js';
import {
  type AlertDefinition,
  buildAlerts,
  resolveAlertOptions,
  vectorSelector as vs,
} from './alert-definition.js';
import { DASHBOARD_UIDS, ALERT_THRESHOLDS as T } from './defaults.js';

/** Name of the engine alerts' rule group. */
export const ENGINE_ALERT_GROUP = 'srekit-engine-alerts';

const percent = (ratio: number): string => `${Math.round(ratio * 10_000) / 100}%`;

/**
 * The @srekit/engine alerts: no healthy backends, backend ejected, circuit open and retry budget
 * exhausted; with their promtool tests.
 *
 * @example
 * const { groups, tests } = engineAlerts({ selector: 'job="gateway"' });
 */
export function engineAlerts(options: MixinOptions): {
  groups: MixinRuleGroup[];
  tests: MixinAlertTest[];
} {
  const r = resolveAlertOptions(options);
  const sel = (metric: string, ...matchers: string[]) => vs(r, metric, ...matchers);
  const dashboard = DASHBOARD_UIDS.loadBalancer;
  const pool = { [LABELS.pool]: 'orders' };
  const b1 = { ...pool, [LABELS.backend]: 'orders-1' };
  const b2 = { ...pool, [LABELS.backend]: 'orders-2' };

  const definitions: AlertDefinition[] = [
    {
      alert: 'SrekitNoHealthyBackends',
      expr: `max by (job, ${LABELS.pool}) (${sel(METRICS.backendUp.name)}) == 0`,
      for: T.noHealthyBackends.for,
      severity: 'critical',
      dashboard,
      summary: 'A load-balancer pool has no backend that can take traffic.',
      description: (l) =>
        `Every backend of pool ${l(LABELS.pool)} in ${l('job')} is unhealthy, ejected or draining: requests through the pool fail.`,
      cases: [
        {
          name: 'fires when the last backend goes down',
          series: [
            { metric: METRICS.backendUp.name, labels: b1, values: '1x5 0x25' },
            { metric: METRICS.backendUp.name, labels: b2, values: '1x10 0x20' },
          ],
          quietAt: ['8m'],
          firingAt: '20m',
          alertLabels: ['job', LABELS.pool],
        },
      ],
    },
    {
      alert: 'SrekitBackendEjected',
      expr: `sum by (job, ${LABELS.pool}, ${LABELS.backend}, ${LABELS.reason}) (increase(${sel(METRICS.ejections.name)}[${T.backendEjected.window}])) > 0`,
      severity: 'warning',
      dashboard,
      summary: 'Outlier detection ejected a backend.',
      description: (l) =>
        `Backend ${l(LABELS.backend)} of pool ${l(LABELS.pool)} in ${l('job')} was ejected (${l(LABELS.reason)}) in the last ${T.backendEjected.window}: it failed more than the others.`,
      cases: [
        {
          name: 'fires after an ejection',
          series: [
            {
              metric: METRICS.ejections.name,
              labels: { ...b1, [LABELS.reason]: 'consecutive_5xx' },
              values: '0x20 1x20',
            },
          ],
          quietAt: ['20m'],
          firingAt: '30m',
          alertLabels: ['job', LABELS.pool, LABELS.backend, LABELS.reason],
        },
      ],
    },
    {
      alert: 'SrekitCircuitOpen',
      expr: `max by (job, ${LABELS.pool}, ${LABELS.backend}) (max_over_time(${sel(METRICS.circuitState.name, `${LABELS.state}="open"`)}[${T.circuitOpen.window}])) == 1`,
      for: T.circuitOpen.for,
      severity: 'warning',
      dashboard,
      summary: 'The circuit breaker of a backend stays open.',
      description: (l) =>
        `The circuit of backend ${l(LABELS.backend)} in pool ${l(LABELS.pool)} (${l('job')}) has been open within every ${T.circuitOpen.window} for ${T.circuitOpen.for}: its half-open probes keep failing.`,
      cases: [
        {
          name: 'fires while the circuit opens again and again',
          series: [
            {
              metric: METRICS.circuitState.name,
              labels: { ...b1, [LABELS.state]: 'open' },
              values: '0x10 1 0 1 0 1 0 1 0 1 0 1 0 1 0 1 0 1 0 1 0 1 0',
            },
            {
              metric: METRICS.circuitState.name,
              labels: { ...b1, [LABELS.state]: 'closed' },
              values: '1x40',
            },
          ],
          quietAt: ['10m'],
          firingAt: '25m',
          alertLabels: ['job', LABELS.pool, LABELS.backend],
        },
      ],
    },
    {
      alert: 'SrekitRetryBudgetExhausted',
      expr: `sum by (job, ${LABELS.pool}) (rate(${sel(METRICS.retries.name)}[${T.retryBudget.window}]))
/
sum by (job, ${LABELS.pool}) (rate(${sel(METRICS.requests.name)}[${T.retryBudget.window}]))
> ${T.retryBudget.ratio}`,
      for: T.retryBudget.for,
      severity: 'warning',
      dashboard,
      summary: 'A pool retries so much that its retry budget runs out.',
      description: (l, v) =>
        `Retries are ${v} of the requests pool ${l(LABELS.pool)} of ${l('job')} sends (threshold ${percent(T.retryBudget.ratio)} over ${T.retryBudget.window}). The engine exports no count of retries its budget refused; a share this high means the budget limits retries and failures reach callers.`,
      valueFormat: 'humanizePercentage',
      cases: [
        {
          name: 'fires when a fifth of the requests are retries',
          series: [
            { metric: METRICS.retries.name, labels: pool, values: '0x10 0+20x30' },
            {
              metric: METRICS.requests.name,
              labels: { ...b1, [LABELS.outcome]: 'success' },
              values: '0+60x40',
            },
            {
              metric: METRICS.requests.name,
              labels: { ...b2, [LABELS.outcome]: 'server_error' },
              values: '0+40x40',
            },
          ],
          quietAt: ['10m'],
          firingAt: '30m',
          alertLabels: ['job', LABELS.pool],
          value: '20%',
        },
      ],
    },
  ];
  return buildAlerts(ENGINE_ALERT_GROUP, definitions, r);
}
