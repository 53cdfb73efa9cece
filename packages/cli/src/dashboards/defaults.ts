import type { MixinOptions } from '../mixins/types.js';

/** Defaults of the generated dashboards, in one place; docs and tests import them. */
export const DASHBOARD_DEFAULTS = {
  /** Uid of the trace datasource exemplars link to (deploy/grafana provisions Jaeger as `jaeger`). */
  traceDatasourceUid: 'jaeger',
  /** Name of the datasource template variable every panel and query uses. */
  datasourceVariable: 'datasource',
  /** Time range shown when a dashboard opens. */
  timeFrom: 'now-6h',
  /** Auto-refresh interval. */
  refresh: '30s',
  /** Tag every srekit dashboard carries (dashboard links list dashboards by it). */
  tag: 'srekit',
  /** Grafana's limit on the length of a dashboard uid. */
  maxUidLength: 40,
} as const;

export { DASHBOARD_UIDS } from '../mixins/dashboard-uids.js';

/** Dashboard options with every default applied. */
export interface ResolvedDashboardOptions {
  readonly traceDatasourceUid: string;
  /** Extra label matchers for the `job` variable's query; empty when none. */
  readonly selector: string;
  readonly specs: NonNullable<MixinOptions['specs']>;
}

/** Applies {@link DASHBOARD_DEFAULTS} to the mixin options the dashboards read. */
export function resolveDashboardOptions(options: MixinOptions): ResolvedDashboardOptions {
  return {
    traceDatasourceUid: options.traceDatasourceUid ?? DASHBOARD_DEFAULTS.traceDatasourceUid,
    selector: options.selector?.trim() ?? '',
    specs: options.specs ?? [],
  };
}
