import type { FetchLike } from '../src/gate/prometheus-api.js';

/** One series a fake Prometheus answers with: its labels and its value as Prometheus writes it. */
export interface FakeSeries {
  readonly metric: Record<string, string>;
  readonly value: string;
}

/** A `fetch` that answers `/api/v1/query` like Prometheus, and remembers the requests. */
export function fakePrometheus(series: readonly FakeSeries[]): {
  fetch: FetchLike;
  requests: { url: string; body: URLSearchParams }[];
} {
  const requests: { url: string; body: URLSearchParams }[] = [];
  const fetch: FetchLike = async (url, init) => {
    const body = new URLSearchParams(String(init?.body ?? ''));
    requests.push({ url, body });
    const query = body.get('query') ?? '';
    // Answer only series whose id appears in the query's id regex, as the real selector would.
    const result = series
      .filter((s) =>
        Object.values(s.metric).some((v) => query.includes(`"${v}`) || query.includes(`|${v}`)),
      )
      .map((s) => ({ metric: s.metric, value: [1_700_000_000, s.value] }));
    return new Response(
      JSON.stringify({ status: 'success', data: { resultType: 'vector', result } }),
      { status: 200, headers: { 'content-type': 'application/json' } },
    );
  };
  return { fetch, requests };
}

/** Series for one SLO as srekit rules record them: error ratio per window and the metadata. */
export function sloSeries(
  id: string,
  values: {
    readonly errorRatios?: Record<string, string>;
    readonly errorBudget?: string;
    readonly budgetRemaining?: string;
    readonly timeToExhaustion?: string;
  },
  idLabel = 'slo_id',
): FakeSeries[] {
  const out: FakeSeries[] = [];
  for (const [window, value] of Object.entries(values.errorRatios ?? {})) {
    out.push({ metric: { __name__: `slo:sli_error:ratio_rate${window}`, [idLabel]: id }, value });
  }
  if (values.errorBudget !== undefined) {
    out.push({
      metric: { __name__: 'slo:error_budget:ratio', [idLabel]: id },
      value: values.errorBudget,
    });
  }
  if (values.budgetRemaining !== undefined) {
    out.push({
      metric: { __name__: 'slo:period_error_budget_remaining:ratio', [idLabel]: id },
      value: values.budgetRemaining,
    });
  }
  if (values.timeToExhaustion !== undefined) {
    out.push({
      metric: { __name__: 'slo:time_to_exhaustion:seconds', [idLabel]: id },
      value: values.timeToExhaustion,
    });
  }
  return out;
}
