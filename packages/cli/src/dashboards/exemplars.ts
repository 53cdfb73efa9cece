import { EXEMPLAR_TRACE_ID_LABEL } from '@srekit/core';
import type { MixinOptions } from '../mixins/types.js';
import { DASHBOARD_DEFAULTS } from './defaults.js';

/** One entry of a Prometheus datasource's `jsonData.exemplarTraceIdDestinations`. */
export interface ExemplarTraceIdDestination {
  /** Exemplar label that holds the trace id. */
  readonly name: string;
  /** Uid of the trace datasource (Tempo, Jaeger) the exemplar opens. */
  readonly datasourceUid: string;
  readonly urlDisplayLabel: string;
}

/**
 * The `jsonData` a provisioned Prometheus datasource needs so that the exemplars of the latency
 * panels open their trace: Grafana reads the exemplar-to-trace link from the datasource, not from
 * the dashboard. Merge it into the datasource's provisioning file (`deploy/grafana/`).
 *
 * @param options - `traceDatasourceUid`, default `jaeger`.
 * @example
 * ```ts
 * prometheusExemplarJsonData({ traceDatasourceUid: 'tempo' });
 * // { exemplarTraceIdDestinations: [{ name: 'trace_id', datasourceUid: 'tempo', urlDisplayLabel: 'View trace' }] }
 * ```
 */
export function prometheusExemplarJsonData(options: MixinOptions = {}): {
  readonly exemplarTraceIdDestinations: readonly ExemplarTraceIdDestination[];
} {
  return {
    exemplarTraceIdDestinations: [
      {
        name: EXEMPLAR_TRACE_ID_LABEL,
        datasourceUid: options.traceDatasourceUid ?? DASHBOARD_DEFAULTS.traceDatasourceUid,
        urlDisplayLabel: 'View trace',
      },
    ],
  };
}

/**
 * A panel link that opens Explore on the trace datasource over the panel's time range, for
 * latency panels: the way to traces that works even when the Prometheus datasource was not
 * provisioned with {@link prometheusExemplarJsonData}.
 */
export function traceExploreLink(traceDatasourceUid: string): { title: string; url: string } {
  const pane = {
    datasource: traceDatasourceUid,
    queries: [{ refId: 'A', datasource: { uid: traceDatasourceUid }, queryType: 'traceqlSearch' }],
    range: { from: '@@from@@', to: '@@to@@' },
  };
  // Grafana interpolates ${__from} and ${__to} in the raw URL, so they stay unencoded.
  const panes = encodeURIComponent(JSON.stringify({ traces: pane }))
    .replace(encodeURIComponent('@@from@@'), `\${__from}`)
    .replace(encodeURIComponent('@@to@@'), `\${__to}`);
  return {
    title: `Traces (${traceDatasourceUid})`,
    url: `/explore?schemaVersion=1&panes=${panes}`,
  };
}
