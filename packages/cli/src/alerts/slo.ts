import {
  burnFactor,
  DEFAULT_ALERT_TIERS,
  formatDuration,
  LABELS,
  METRICS,
  RULE_LABELS,
  RULES,
} from '@srekit/slo';
import type { MixinAlertTest, MixinOptions, MixinRuleGroup } from '../mixins/types.js';
import {
  type AlertCase,
  type AlertDefinition,
  buildAlerts,
  resolveAlertOptions,
  vectorSelector as vs,
} from './alert-definition.js';
import { DASHBOARD_UIDS, ALERT_THRESHOLDS as T } from './defaults.js';

/** Name of the slo fallback alerts' rule group. */
export const SLO_ALERT_GROUP = 'srekit-slo-tracker-alerts';

const percent = (ratio: number): string => `${Math.round(ratio * 10_000) / 100}%`;

/**
 * The @srekit/slo fallback alerts, read from the in-process tracker's metrics (`slo_burn_rate`,
 * `slo_error_budget_remaining_ratio`) for services whose SLOs have no generated recording rules:
 * the SRE Workbook's page and ticket burn-rate tiers (factors of a 30-day period), budget
 * exhausted and budget low. Each stays silent for an SLO whose `slo:objective:ratio` recording
 * rule exists (srekit-mode rules label it with the same `slo_id`), so the generated SLO alerts
 * and these never page twice. The generated SLO alerts themselves come from
 * `generatePrometheusRules()`.
 *
 * @example
 * const { groups, tests } = sloAlerts({ selector: 'job="checkout"' });
 */
export function sloAlerts(options: MixinOptions): {
  groups: MixinRuleGroup[];
  tests: MixinAlertTest[];
} {
  const r = resolveAlertOptions(options);
  const sel = (metric: string, ...matchers: string[]) => vs(r, metric, ...matchers);
  const dashboard = DASHBOARD_UIDS.sloOverview;
  const sloId = LABELS.sloId;
  const window = LABELS.window;
  // Not narrowed by the selector: recording rules aggregate the service's series, so they carry
  // the SLO's labels, not the job or instance a selector names.
  const unlessRules = `unless on (${sloId}) ${RULES.objective}`;
  const ruleSeries = {
    metric: RULES.objective,
    labels: { [RULE_LABELS.srekit.id]: 'checkout-availability' },
    values: '0.999x60',
    bare: true,
  };

  const tierExpr = (severity: 'page' | 'ticket'): string => {
    const pairs = DEFAULT_ALERT_TIERS.filter((tier) => tier.severity === severity).map((tier) => {
      const factor = Number(
        burnFactor(tier.budgetFraction, T.sloTrackerPeriod, tier.longWindowSeconds).toPrecision(12),
      );
      const short = sel(
        METRICS.burnRate.name,
        `${window}="${formatDuration(tier.shortWindowSeconds)}"`,
      );
      const long = sel(
        METRICS.burnRate.name,
        `${window}="${formatDuration(tier.longWindowSeconds)}"`,
      );
      return `(${short} > ${factor} and ignoring (${window}) ${long} > ${factor})`;
    });
    return `max without (${window}) (\n  ${pairs.join(`\n  or ignoring (${window})\n  `)}\n)\n${unlessRules}`;
  };

  const burnCases = (shortWindow: string, longWindow: string, burn: number): AlertCase[] => {
    const series = (w: string, values: string) => ({
      metric: METRICS.burnRate.name,
      labels: { [sloId]: 'checkout-availability', [window]: w },
      values,
    });
    const burning = [
      series(shortWindow, `0.5x10 ${burn}x20`),
      series(longWindow, `0.5x10 ${burn}x20`),
    ];
    return [
      {
        name: `fires when the ${shortWindow} and ${longWindow} burn rates are ${burn}`,
        series: [...burning, series('5m', '0.5x30'), series('3d', '0.5x30')].filter(
          (s, i, all) => all.findIndex((o) => o.labels[window] === s.labels[window]) === i,
        ),
        quietAt: ['5m'],
        firingAt: '20m',
        alertLabels: 'series',
        droppedLabels: [window],
        value: String(burn),
      },
      {
        name: `stays quiet when only the ${shortWindow} window burns`,
        series: [series(shortWindow, `${burn}x30`), series(longWindow, '0.5x30')],
        quietAt: ['20m'],
      },
      {
        name: 'stays quiet when the SLO has generated recording rules',
        series: [...burning, ruleSeries],
        quietAt: ['20m'],
      },
    ];
  };

  const definitions: AlertDefinition[] = [
    {
      alert: 'SrekitSloBurnRatePage',
      expr: tierExpr('page'),
      severity: 'critical',
      dashboard,
      summary: 'An SLO burns its error budget fast enough to page.',
      description: (l, v) =>
        `SLO ${l(sloId)} (${l('job')}) burns its error budget ${v} times as fast as its period allows, over a short and a long window at once (page tiers of a 30-day period). Fallback alert from the in-process tracker, for services without srekit's generated SLO rules.`,
      valueFormat: 'humanize',
      cases: burnCases('5m', '1h', 20),
    },
    {
      alert: 'SrekitSloBurnRateTicket',
      expr: tierExpr('ticket'),
      severity: 'warning',
      dashboard,
      summary: 'An SLO burns its error budget fast enough to open a ticket.',
      description: (l, v) =>
        `SLO ${l(sloId)} (${l('job')}) burns its error budget ${v} times as fast as its period allows, over a short and a long window at once (ticket tiers of a 30-day period). Fallback alert from the in-process tracker, for services without srekit's generated SLO rules.`,
      valueFormat: 'humanize',
      cases: burnCases('2h', '1d', 4),
    },
    {
      alert: 'SrekitSloErrorBudgetExhausted',
      expr: `${sel(METRICS.budgetRemaining.name)} <= 0\n${unlessRules}`,
      severity: 'warning',
      dashboard,
      summary: 'An SLO has spent its whole error budget for the period.',
      description: (l, v) =>
        `SLO ${l(sloId)} (${l('job')}) has ${v} of its error budget left: the objective is missed for this period. Fallback alert from the in-process tracker, for services without srekit's generated SLO rules.`,
      valueFormat: 'humanizePercentage',
      cases: [
        {
          name: 'fires when the budget is overspent',
          series: [
            {
              metric: METRICS.budgetRemaining.name,
              labels: { [sloId]: 'checkout-availability' },
              values: '0.4x10 -0.25x20',
            },
          ],
          quietAt: ['5m'],
          firingAt: '20m',
          alertLabels: 'series',
          value: '-25%',
        },
        {
          name: 'stays quiet when the SLO has generated recording rules',
          series: [
            {
              metric: METRICS.budgetRemaining.name,
              labels: { [sloId]: 'checkout-availability' },
              values: '-0.25x30',
            },
            ruleSeries,
          ],
          quietAt: ['20m'],
        },
      ],
    },
    {
      alert: 'SrekitSloErrorBudgetLow',
      expr: `${sel(METRICS.budgetRemaining.name)} < ${T.sloBudgetLow.ratio} > 0\n${unlessRules}`,
      severity: 'info',
      dashboard,
      summary: 'An SLO has little error budget left for the period.',
      description: (l, v) =>
        `SLO ${l(sloId)} (${l('job')}) has ${v} of its error budget left (threshold ${percent(T.sloBudgetLow.ratio)}): follow the error-budget policy before risky changes. Fallback alert from the in-process tracker, for services without srekit's generated SLO rules.`,
      valueFormat: 'humanizePercentage',
      cases: [
        {
          name: 'fires when a tenth of the budget is left, not once it is spent',
          series: [
            {
              metric: METRICS.budgetRemaining.name,
              labels: { [sloId]: 'checkout-availability' },
              values: '0.5x10 0.1x10 -0.1x10',
            },
          ],
          quietAt: ['5m', '25m'],
          firingAt: '15m',
          alertLabels: 'series',
          value: '10%',
        },
      ],
    },
  ];
  return buildAlerts(SLO_ALERT_GROUP, definitions, r);
}
