import type { Sli } from '../types.js';

/** Bad-event and all-event query templates (with `{{.window}}`) of an event-based SLI. */
export interface EventQueries {
  readonly errorQuery: string;
  readonly totalQuery: string;
}

function latencySelector(metric: string, selector: string, extra?: string): string {
  const matchers = [selector.trim(), extra].filter((part) => part && part.length > 0).join(',');
  return `${metric}{${matchers}}`;
}

/**
 * The error and total query templates of an event-based SLI, `undefined` for raw and threshold
 * SLIs. Good-event SLIs count errors as `total − good`; latency SLIs as requests slower than the
 * bucket bound: `rate(<metric>_count) − rate(<metric>_bucket{le="…"})`.
 */
export function eventQueries(sli: Sli): EventQueries | undefined {
  switch (sli.kind) {
    case 'events':
      return { errorQuery: sli.errorQuery, totalQuery: sli.totalQuery };
    case 'good-events':
      return {
        errorQuery: `(${sli.totalQuery}) - (${sli.goodQuery})`,
        totalQuery: sli.totalQuery,
      };
    case 'latency': {
      const count = latencySelector(`${sli.metric}_count`, sli.selector);
      const bucket = latencySelector(`${sli.metric}_bucket`, sli.selector, `le="${sli.le}"`);
      return {
        errorQuery: `sum(rate(${count}[{{.window}}])) - sum(rate(${bucket}[{{.window}}]))`,
        totalQuery: `sum(rate(${count}[{{.window}}]))`,
      };
    }
    default:
      return undefined;
  }
}
