import { createHash } from 'node:crypto';
import {
  burnFactor,
  DEFAULT_ALERT_TIERS,
  describeSli,
  formatDuration,
  METRICS,
  RULE_LABELS,
  RULES,
  RULES_DEFAULTS,
  type RulesCompat,
  type SloSpec,
  LABELS as TRACKER_LABELS,
} from '@srekit/slo';
import type { DashboardJson, MixinOptions } from '../mixins/types.js';
import { PROMETHEUS_SERIES } from '../prometheus-series.js';
import { buildDashboard, type PanelSpec, rate, selector } from './builder.js';
import {
  DASHBOARD_DEFAULTS,
  DASHBOARD_UIDS,
  type ResolvedDashboardOptions,
  resolveDashboardOptions,
} from './defaults.js';

/**
 * Options of the SLO dashboards: the mixin options, whose `compat` says which rules they read —
 * `srekit` (labels `slo_id`…, with the exhaustion forecast) or `sloth` (labels `sloth_id`…, no
 * forecast).
 */
export type SloDashboardOptions = MixinOptions;

/** Label names of the rules read, and whether srekit's own rules are there. */
interface RuleScheme {
  readonly id: string;
  readonly service: string;
  readonly slo: string;
  readonly severity: string;
  /** Label telling the alert tiers apart: `burnrate_tier` (srekit) or the severity (sloth). */
  readonly tier: string;
  /** `slo:time_to_exhaustion:seconds` exists (srekit mode only). */
  readonly forecast: boolean;
}

function ruleScheme(compat: RulesCompat): RuleScheme {
  if (compat === 'sloth') {
    const l = RULE_LABELS.sloth;
    return {
      id: l.id,
      service: l.service,
      slo: l.slo,
      severity: l.severity,
      tier: l.severity,
      forecast: false,
    };
  }
  const l = RULE_LABELS.srekit;
  return {
    id: l.id,
    service: l.service,
    slo: l.slo,
    severity: l.severity,
    tier: l.tier,
    forecast: true,
  };
}

/**
 * Uid of the detail dashboard of one SLO: `srekit-slo-<slo id>`. Characters Grafana does not
 * allow in a uid become `-`; an id too long for Grafana's 40-character limit is cut and ends with
 * 8 hex digits of its SHA-256, so the uid stays unique and stable.
 *
 * @example
 * ```ts
 * sloDashboardUid('checkout-availability'); // 'srekit-slo-checkout-availability'
 * ```
 */
export function sloDashboardUid(sloId: string): string {
  const uid = `${DASHBOARD_UIDS.sloDetailPrefix}${sloId.replace(/[^A-Za-z0-9_-]/g, '-')}`;
  if (uid.length <= DASHBOARD_DEFAULTS.maxUidLength) return uid;
  const hash = createHash('sha256').update(sloId).digest('hex').slice(0, 8);
  return `${uid.slice(0, DASHBOARD_DEFAULTS.maxUidLength - hash.length - 1)}-${hash}`;
}

/** Prometheus durations of the SLI windows shown: the current (5m) one, then each tier's. */
function sliWindows(tiers: SloSpec['alerting']['tiers']): string[] {
  const seconds = new Set<number>([RULES_DEFAULTS.shortWindowSeconds]);
  for (const tier of tiers) {
    if (!tier.enabled) continue;
    seconds.add(tier.shortWindowSeconds);
    seconds.add(tier.longWindowSeconds);
  }
  return [...seconds].sort((a, b) => a - b).map(formatDuration);
}

/** Burn rate over a window: that window's error ratio ÷ the allowed error ratio. */
function burnRateExpr(window: string, matcher: string, by: string): string {
  return `max by (${by}) (${RULES.sliError(window)}${matcher}) / on (${by}) max by (${by}) (${RULES.errorBudget}${matcher})`;
}

/** The SLI over the period: 1 − period burn rate × allowed error ratio. */
function periodSliExpr(matcher: string, by: string): string {
  return `1 - (max by (${by}) (${RULES.periodBurnRate}${matcher}) * on (${by}) max by (${by}) (${RULES.errorBudget}${matcher}))`;
}

function firingAlerts(matcher: string): string {
  return `${PROMETHEUS_SERIES.alerts}{alertstate="firing",${matcher}}`;
}

function overview(options: ResolvedDashboardOptions, L: RuleScheme): DashboardJson {
  const all = `{${L.id}!=""}`;
  const by = L.id;
  // The current window and the tiers' long windows: one burn rate per alert tier.
  const windows = [
    ...new Set([
      RULES_DEFAULTS.shortWindowSeconds,
      ...DEFAULT_ALERT_TIERS.map((t) => t.longWindowSeconds),
    ]),
  ]
    .sort((a, b) => a - b)
    .map(formatDuration);
  const columns: { name: string; expr: string; unit: string; decimals?: number }[] = [
    {
      name: 'Objective',
      expr: `max by (${L.id}, ${L.service}, ${L.slo}) (${RULES.objective}${all})`,
      unit: 'percentunit',
      decimals: 3,
    },
    { name: 'SLI (period)', expr: periodSliExpr(all, by), unit: 'percentunit', decimals: 3 },
    {
      name: 'Budget remaining',
      expr: `max by (${by}) (${RULES.periodBudgetRemaining}${all})`,
      unit: 'percentunit',
      decimals: 1,
    },
    ...windows.map((w) => ({
      name: `Burn ${w}`,
      expr: burnRateExpr(w, all, by),
      unit: 'suffix:×',
      decimals: 2,
    })),
    ...(L.forecast
      ? [
          {
            name: 'Time to exhaustion',
            expr: `max by (${by}) (${RULES.timeToExhaustion}${all})`,
            unit: 's',
          },
        ]
      : []),
    {
      name: 'Alerts firing',
      expr: `count by (${by}) (${firingAlerts(`${L.id}!=""`)}) or (max by (${by}) (${RULES.objective}${all}) * 0)`,
      unit: 'short',
      decimals: 0,
    },
  ];
  const refIds = columns.map((_, i) => String.fromCharCode(65 + i));
  const table: PanelSpec = {
    kind: 'table',
    title: 'SLOs',
    description:
      'Every SLO with generated rules: objective, SLI over the period, error budget left, burn rate per alert window (1× spends the budget exactly over the period), forecast time to exhaustion and alerts firing. Click an SLO id for its dashboard.',
    unit: 'percentunit',
    height: 10,
    queries: columns.map((c) => ({ expr: c.expr, instantTable: true })),
    transformations: [
      { id: 'merge', options: {} },
      {
        id: 'organize',
        options: {
          excludeByName: { Time: true },
          renameByName: Object.fromEntries(columns.map((c, i) => [`Value #${refIds[i]}`, c.name])),
          indexByName: Object.fromEntries(
            [L.id, L.service, L.slo, ...columns.map((c) => c.name)].map((name, i) => [name, i]),
          ),
        },
      },
    ],
    overrides: [
      ...columns.map((c) => ({
        field: c.name,
        properties: [
          { id: 'unit', value: c.unit },
          ...(c.decimals === undefined ? [] : [{ id: 'decimals', value: c.decimals }]),
        ],
      })),
      {
        field: L.id,
        properties: [
          {
            id: 'links',
            value: [
              {
                title: 'SLO dashboard',
                url: `/d/${DASHBOARD_UIDS.sloDetailPrefix}\${__value.raw}?\${__url_time_range}&\${datasource:queryparam}`,
              },
            ],
          },
        ],
      },
    ],
  };
  const history = (title: string, description: string, expr: string, unit: string): PanelSpec => ({
    kind: 'timeseries',
    title,
    description,
    unit,
    queries: [{ expr, legend: `{{${L.id}}}` }],
  });
  return buildDashboard(
    {
      uid: DASHBOARD_UIDS.sloOverview,
      title: 'srekit / SLO overview',
      description:
        "All SLOs from the recording rules srekit generates (slo:* series): budgets, burn rates, forecasts and alerts, next to what the services' in-process trackers see.",
      tags: ['slo'],
      rows: [
        { title: 'SLOs', panels: [table] },
        {
          title: 'Error budgets and burn rates',
          panels: [
            history(
              'Error budget remaining',
              "Share of each SLO's period error budget left (below 0: the SLO is breached).",
              `max by (${by}) (${RULES.periodBudgetRemaining}${all})`,
              'percentunit',
            ),
            history(
              'Burn rate (current)',
              'Burn rate over the last 5 minutes per SLO; above 1 the budget would not last the period.',
              `max by (${by}) (${RULES.currentBurnRate}${all})`,
              'suffix:×',
            ),
            ...(L.forecast
              ? [
                  history(
                    'Time to exhaustion',
                    "Forecast time until each SLO's budget is gone at the burn rate of the last hour.",
                    `max by (${by}) (${RULES.timeToExhaustion}${all})`,
                    's',
                  ),
                ]
              : []),
            {
              kind: 'timeseries',
              title: 'SLO alerts firing',
              description: 'SLO alerts firing, by SLO and severity (page or ticket).',
              unit: 'short',
              min: 0,
              queries: [
                {
                  expr: `count by (${L.id}, ${L.severity}) (${firingAlerts(`${L.id}!=""`)})`,
                  legend: `{{${L.id}}} {{${L.severity}}}`,
                },
              ],
            },
          ],
        },
        trackerRow(undefined),
      ],
    },
    options,
  );
}

/**
 * The in-process tracker's own view (slo_* gauges on the services' /metrics, per instance): a
 * cross-check of the recording rules, and available before Prometheus has a period of data.
 */
function trackerRow(sloId: string | undefined): { title: string; panels: PanelSpec[] } {
  const only = sloId === undefined ? undefined : `${TRACKER_LABELS.sloId}="${sloId}"`;
  return {
    title: 'In-process tracker (per instance)',
    panels: [
      {
        kind: 'timeseries',
        title: 'Tracker: budget remaining',
        description:
          "Error budget left as each instance's in-process SLO tracker computes it (its own events only).",
        unit: 'percentunit',
        width: 8,
        queries: [
          {
            expr: `max by (${TRACKER_LABELS.sloId}, instance) (${selector(METRICS.budgetRemaining.name, only)})`,
            legend: `{{${TRACKER_LABELS.sloId}}} {{instance}}`,
          },
        ],
      },
      {
        kind: 'timeseries',
        title: 'Tracker: burn rate by window',
        description: 'Burn rate per window as the in-process trackers compute it.',
        unit: 'suffix:×',
        width: 8,
        queries: [
          {
            expr: `max by (${TRACKER_LABELS.sloId}, ${TRACKER_LABELS.window}) (${selector(METRICS.burnRate.name, only)})`,
            legend: `{{${TRACKER_LABELS.sloId}}} {{${TRACKER_LABELS.window}}}`,
          },
        ],
      },
      {
        kind: 'timeseries',
        title: 'Tracker: events by result',
        description: 'Events the trackers recorded per second, good and bad.',
        unit: 'ops',
        width: 8,
        stacked: true,
        queries: [
          {
            expr: `sum by (${TRACKER_LABELS.sloId}, ${TRACKER_LABELS.result}) (${rate(METRICS.events.name, only)})`,
            legend: `{{${TRACKER_LABELS.sloId}}} {{${TRACKER_LABELS.result}}}`,
          },
        ],
      },
    ],
  };
}

function detail(spec: SloSpec, options: ResolvedDashboardOptions, L: RuleScheme): DashboardJson {
  const m = `{${L.id}="${spec.id}"}`;
  const by = L.id;
  const windows = sliWindows(spec.alerting.tiers);
  const pageFactors = spec.alerting.tiers
    .filter((t) => t.enabled && t.severity === 'page')
    .map((t) => burnFactor(t.budgetFraction, spec.window.seconds, t.longWindowSeconds));
  const ticketFactors = spec.alerting.tiers
    .filter((t) => t.enabled && t.severity === 'ticket')
    .map((t) => burnFactor(t.budgetFraction, spec.window.seconds, t.longWindowSeconds));
  const objective = `${spec.objectiveText}% over ${spec.window.text}`;
  const stat = (
    title: string,
    description: string,
    expr: string,
    unit: string,
    extra: Partial<PanelSpec> = {},
  ): PanelSpec => ({ kind: 'stat', title, description, unit, queries: [{ expr }], ...extra });
  return buildDashboard(
    {
      uid: sloDashboardUid(spec.id),
      title: `srekit / SLO / ${spec.service} ${spec.name}`,
      description: `${spec.description ? `${spec.description} ` : ''}Objective ${objective}; SLI: ${describeSli(spec.sli).summary}.`,
      tags: ['slo', spec.service],
      rows: [
        {
          title: 'Objective and budget',
          panels: [
            stat(
              'Objective',
              `The SLO: ${objective}.`,
              `max(${RULES.objective}${m})`,
              'percentunit',
              {
                decimals: 3,
                width: 4,
              },
            ),
            stat(
              'SLI (period)',
              'Share of good events over the SLO period so far.',
              periodSliExpr(m, by),
              'percentunit',
              { decimals: 3, width: 5 },
            ),
            stat(
              'Error budget remaining',
              "Share of the period's error budget left (below 0: the SLO is breached).",
              `max(${RULES.periodBudgetRemaining}${m})`,
              'percentunit',
              {
                decimals: 1,
                width: 5,
                thresholds: [
                  { value: 0, color: 'red' },
                  { value: 0.25, color: 'orange' },
                  { value: 0.5, color: 'green' },
                ],
              },
            ),
            ...(L.forecast
              ? [
                  stat(
                    'Time to exhaustion',
                    'Forecast time until the budget is gone at the burn rate of the last hour (no value: not burning).',
                    `max(${RULES.timeToExhaustion}${m})`,
                    's',
                    { width: 5 },
                  ),
                ]
              : []),
            stat(
              'Alerts firing',
              'Alerts of this SLO firing now (burn-rate tiers and the exhaustion forecast).',
              `count(${firingAlerts(`${L.id}="${spec.id}"`)}) or vector(0)`,
              'short',
              { width: L.forecast ? 5 : 10, thresholds: [{ value: 1, color: 'red' }] },
            ),
          ],
        },
        {
          title: 'Burn rate',
          panels: [
            {
              kind: 'timeseries',
              title: 'Burn rate per window',
              description: `Error ratio ÷ allowed error ratio over each alert window; the lines are the tiers' thresholds (page ${pageFactors.map((f) => `${Number(f.toFixed(2))}×`).join(', ') || 'none'}, ticket ${ticketFactors.map((f) => `${Number(f.toFixed(2))}×`).join(', ') || 'none'}).`,
              unit: 'suffix:×',
              min: 0,
              thresholds: [
                ...ticketFactors.map((value) => ({ value, color: 'orange' })),
                ...pageFactors.map((value) => ({ value, color: 'red' })),
              ].sort((a, b) => a.value - b.value),
              queries: windows.map((w) => ({ expr: burnRateExpr(w, m, by), legend: w })),
            },
            {
              kind: 'timeseries',
              title: 'Error ratio per window',
              description:
                'Share of bad events over each alert window, against the allowed error ratio.',
              unit: 'percentunit',
              min: 0,
              queries: [
                ...windows.map((w) => ({ expr: `max(${RULES.sliError(w)}${m})`, legend: w })),
                { expr: `max(${RULES.errorBudget}${m})`, legend: 'allowed' },
              ],
            },
            {
              kind: 'timeseries',
              title: 'Error budget remaining over time',
              description: "Share of the period's error budget left, over time.",
              unit: 'percentunit',
              queries: [{ expr: `max(${RULES.periodBudgetRemaining}${m})`, legend: 'remaining' }],
            },
            {
              kind: 'timeseries',
              title: 'Alerts by tier',
              description: "This SLO's alerts firing, by alert name and burn-rate tier.",
              unit: 'short',
              min: 0,
              queries: [
                {
                  expr: `count by (alertname, ${L.tier}) (${firingAlerts(`${L.id}="${spec.id}"`)})`,
                  legend: `{{alertname}} {{${L.tier}}}`,
                },
              ],
            },
          ],
        },
        trackerRow(spec.id),
      ],
    },
    options,
  );
}

/**
 * The @srekit/slo dashboards: the SLO overview (`srekit-slo-overview`, every SLO in Prometheus)
 * and one detail dashboard per SLO of `options.specs` (`srekit-slo-<slo id>`), read from the
 * recording rules `generatePrometheusRules` writes in srekit mode (`slo:*`, labels `slo_id`…).
 *
 * @param options - `specs` (default none: the overview only); `compat` (default `srekit`) as given
 *   to `generatePrometheusRules`.
 * @returns File name → dashboard, e.g. `srekit-slo-overview.json`, `srekit-slo-checkout-availability.json`.
 */
export function sloDashboards(options: SloDashboardOptions): Record<string, DashboardJson> {
  const resolved = resolveDashboardOptions(options);
  const scheme = ruleScheme(options.compat ?? RULES_DEFAULTS.compat);
  const out: Record<string, DashboardJson> = {
    [`${DASHBOARD_UIDS.sloOverview}.json`]: overview(resolved, scheme),
  };
  for (const spec of [...resolved.specs].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    out[`${sloDashboardUid(spec.id)}.json`] = detail(spec, resolved, scheme);
  }
  return out;
}
