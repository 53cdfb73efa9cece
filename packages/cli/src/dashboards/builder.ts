import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { METRICS as CORE_METRICS } from '@srekit/core';
import type { DashboardJson } from '../mixins/types.js';
import { DASHBOARD_DEFAULTS, type ResolvedDashboardOptions } from './defaults.js';

/** The datasource every panel and query uses: the `datasource` template variable. */
export const PROMETHEUS_DATASOURCE: { type: string; uid: string } = {
  type: 'prometheus',
  uid: `\${${DASHBOARD_DEFAULTS.datasourceVariable}}`,
};

/** Matchers that restrict a selector to the `job` and `instance` variables. */
export const SERVICE_MATCHERS = 'job=~"$job",instance=~"$instance"';

/**
 * A selector of `metric` restricted to the chosen jobs and instances, plus `extra` matchers
 * (e.g. `http_response_status_code=~"5.."`).
 */
export function selector(metric: string, extra?: string): string {
  return `${metric}{${SERVICE_MATCHERS}${extra ? `,${extra}` : ''}}`;
}

/** `rate(<selector>[$__rate_interval])`: the only range Grafana keeps correct at every zoom. */
export function rate(metric: string, extra?: string): string {
  return `rate(${selector(metric, extra)}[$__rate_interval])`;
}

/** `increase(<selector>[$__rate_interval])`. */
export function increase(metric: string, extra?: string): string {
  return `increase(${selector(metric, extra)}[$__rate_interval])`;
}

/** A quantile of a Prometheus histogram, summed by `le` and `by` labels. */
export function histogramQuantile(
  quantile: number,
  histogram: string,
  by: readonly string[] = [],
  extra?: string,
): string {
  return `histogram_quantile(${quantile}, sum by (${['le', ...by].join(', ')}) (${rate(`${histogram}_bucket`, extra)}))`;
}

/** One Prometheus query of a panel. */
export interface QuerySpec {
  readonly expr: string;
  /** Legend template, e.g. `{{http_route}}`; default none (Grafana's own). */
  readonly legend?: string;
  /** Ask for exemplars (latency panels). Default false. */
  readonly exemplar?: boolean;
  /** An instant query in table format (table panels). Default false (range). */
  readonly instantTable?: boolean;
}

/** One panel, before layout. */
export interface PanelSpec {
  readonly kind: 'timeseries' | 'stat' | 'table';
  readonly title: string;
  readonly description: string;
  /** Grafana unit id (`reqps`, `s`, `percentunit`, `bytes`, `short`, …). */
  readonly unit: string;
  readonly queries: readonly QuerySpec[];
  /** Grid width (of 24). Default 12 for time series, 6 for stats, 24 for tables. */
  readonly width?: number;
  /** Grid height. Default 8 (4 for stats). */
  readonly height?: number;
  readonly min?: number;
  readonly max?: number;
  readonly decimals?: number;
  /** Threshold steps above the base (green); drawn as lines on time series. */
  readonly thresholds?: readonly { readonly value: number; readonly color: string }[];
  /** Field overrides by field name (table columns). */
  readonly overrides?: readonly {
    readonly field: string;
    readonly properties: readonly dashboard.DynamicConfigValue[];
  }[];
  readonly transformations?: readonly dashboard.DataTransformerConfig[];
  /** Panel links (shown in the panel header). */
  readonly links?: readonly { readonly title: string; readonly url: string }[];
  /** Stack the series (time series). Default false. */
  readonly stacked?: boolean;
}

/** A row of panels that belong to one concern. */
export interface RowSpec {
  readonly title: string;
  readonly panels: readonly PanelSpec[];
}

/** A whole dashboard, before it is built. */
export interface DashboardSpec {
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  /** Tags besides `srekit`. */
  readonly tags: readonly string[];
  readonly rows: readonly RowSpec[];
  /** Query variables after `datasource`, `job` and `instance` (e.g. `pool`). */
  readonly extraVariables?: readonly {
    readonly name: string;
    readonly label: string;
    /** A `label_values(...)` query. */
    readonly query: string;
  }[];
}

function target(query: QuerySpec, refId: string): prometheus.DataqueryBuilder {
  const builder = new prometheus.DataqueryBuilder()
    .datasource(PROMETHEUS_DATASOURCE)
    .expr(query.expr)
    .refId(refId);
  if (query.legend !== undefined) builder.legendFormat(query.legend);
  if (query.exemplar === true) builder.exemplar(true);
  if (query.instantTable === true) builder.instant().format(prometheus.PromQueryFormat.Table);
  else builder.range();
  return builder;
}

function thresholds(spec: PanelSpec): dashboard.ThresholdsConfigBuilder {
  return new dashboard.ThresholdsConfigBuilder()
    .mode(dashboard.ThresholdsMode.Absolute)
    .steps([
      { value: null, color: 'green' },
      ...(spec.thresholds ?? []).map((step) => ({ value: step.value, color: step.color })),
    ]);
}

function panelLinks(spec: PanelSpec): dashboard.DashboardLinkBuilder[] {
  return (spec.links ?? []).map((link) =>
    new dashboard.DashboardLinkBuilder(link.title)
      .type(dashboard.DashboardLinkType.Link)
      .url(link.url)
      .targetBlank(true),
  );
}

type AnyPanelBuilder = timeseries.PanelBuilder | stat.PanelBuilder | table.PanelBuilder;

function commonPanel<T extends AnyPanelBuilder>(builder: T, spec: PanelSpec, width: number): T {
  builder
    .title(spec.title)
    .description(spec.description)
    .datasource(PROMETHEUS_DATASOURCE)
    .unit(spec.unit)
    .span(spec.width ?? width)
    .height(spec.height ?? (spec.kind === 'stat' ? 4 : 8))
    .thresholds(thresholds(spec));
  if (spec.min !== undefined) builder.min(spec.min);
  if (spec.max !== undefined) builder.max(spec.max);
  if (spec.decimals !== undefined) builder.decimals(spec.decimals);
  if (spec.links !== undefined) builder.links(panelLinks(spec));
  for (const override of spec.overrides ?? [])
    builder.overrideByName(override.field, [...override.properties]);
  for (const transformation of spec.transformations ?? [])
    builder.withTransformation(transformation);
  spec.queries.forEach((query, i) => {
    builder.withTarget(target(query, String.fromCharCode(65 + i)));
  });
  return builder;
}

function panel(spec: PanelSpec): cog.Builder<dashboard.Panel> {
  switch (spec.kind) {
    case 'timeseries': {
      const builder = commonPanel(new timeseries.PanelBuilder(), spec, 12)
        .lineWidth(1)
        .fillOpacity(10)
        .showPoints(common.VisibilityMode.Never)
        .legend(
          new common.VizLegendOptionsBuilder()
            .showLegend(true)
            .displayMode(common.LegendDisplayMode.List)
            .placement(common.LegendPlacement.Bottom),
        )
        .tooltip(
          new common.VizTooltipOptionsBuilder()
            .mode(common.TooltipDisplayMode.Multi)
            .sort(common.SortOrder.Descending),
        );
      if (spec.thresholds !== undefined && spec.thresholds.length > 0) {
        builder.thresholdsStyle(
          new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Line),
        );
      }
      if (spec.stacked === true) {
        builder.stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal));
      }
      return builder;
    }
    case 'stat':
      return commonPanel(new stat.PanelBuilder(), spec, 6)
        .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']))
        .graphMode(common.BigValueGraphMode.Area)
        .colorMode(common.BigValueColorMode.Value);
    case 'table':
      return commonPanel(new table.PanelBuilder(), spec, 24);
  }
}

function datasourceVariable(): dashboard.DatasourceVariableBuilder {
  return new dashboard.DatasourceVariableBuilder(DASHBOARD_DEFAULTS.datasourceVariable)
    .label('Data source')
    .type('prometheus');
}

function queryVariable(name: string, label: string, query: string): dashboard.QueryVariableBuilder {
  return new dashboard.QueryVariableBuilder(name)
    .label(label)
    .datasource(PROMETHEUS_DATASOURCE)
    .query(query)
    .definition(query)
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .sort(dashboard.VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .allValue('.+');
}

/**
 * The `job` and `instance` variables: label values of core's request histogram, the one series
 * every srekit service has. `options.selector` narrows the jobs offered.
 */
function serviceVariables(options: ResolvedDashboardOptions): dashboard.QueryVariableBuilder[] {
  const series = `${CORE_METRICS.httpServerRequestDuration.name}_count`;
  return [
    queryVariable(
      'job',
      'Job',
      `label_values(${series}${options.selector ? `{${options.selector}}` : ''}, job)`,
    ),
    queryVariable('instance', 'Instance', `label_values(${series}{job=~"$job"}, instance)`),
  ];
}

/**
 * Builds a dashboard with the foundation SDK: the datasource, job and instance variables, one row
 * per concern, panels laid out left to right, not editable, panel ids numbered in order so the
 * same spec always gives byte-identical JSON.
 */
export function buildDashboard(
  spec: DashboardSpec,
  options: ResolvedDashboardOptions,
): DashboardJson {
  const builder = new dashboard.DashboardBuilder(spec.title)
    .uid(spec.uid)
    .description(spec.description)
    .tags([DASHBOARD_DEFAULTS.tag, ...spec.tags])
    .readonly()
    .timezone('browser')
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .time({ from: DASHBOARD_DEFAULTS.timeFrom, to: 'now' })
    .refresh(DASHBOARD_DEFAULTS.refresh)
    .withVariable(datasourceVariable());
  for (const variable of serviceVariables(options)) builder.withVariable(variable);
  for (const extra of spec.extraVariables ?? [])
    builder.withVariable(queryVariable(extra.name, extra.label, extra.query));
  builder.link(
    new dashboard.DashboardLinkBuilder('srekit dashboards')
      .type(dashboard.DashboardLinkType.Dashboards)
      .tags([DASHBOARD_DEFAULTS.tag])
      .asDropdown(true)
      .includeVars(true)
      .keepTime(true),
  );
  // Rows stay expanded, so their panels follow them at the top level (Grafana's model for an
  // open row); a panel nested inside an open row would not be shown.
  for (const row of spec.rows) {
    builder.withRow(new dashboard.RowBuilder(row.title));
    for (const p of row.panels) builder.withPanel(panel(p));
  }
  const json = JSON.parse(JSON.stringify(builder.build())) as {
    panels?: { id?: number }[];
    annotations?: { list?: unknown[] };
  } & DashboardJson;
  // The SDK leaves `annotations` as `{}`; Grafana's model wants a list (it adds its built-in one).
  json.annotations = { list: json.annotations?.list ?? [] };
  (json.panels ?? []).forEach((p, i) => {
    p.id = i + 1;
  });
  return json;
}
