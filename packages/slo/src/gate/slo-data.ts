import type { FetchLike } from './prometheus-api.js';
import type { ResultsFile } from './results-file.js';

/**
 * Read the SLO numbers from Prometheus: instant queries of the recording rules that
 * `generatePrometheusRules()` writes.
 */
export interface PrometheusSource {
  /** Base URL of Prometheus (its web UI), e.g. `http://localhost:9090`. */
  readonly prometheus: string;
  /** Label scheme of the loaded rules: `slo_id` (`srekit`, the default) or `sloth_id` (`sloth`). */
  readonly compat?: 'srekit' | 'sloth';
  /** Timeout of each HTTP request in milliseconds. Default 10 000. */
  readonly timeoutMs?: number;
  /** Evaluate at this time instead of now (a report "as of" a date). */
  readonly time?: Date;
  /** `fetch` implementation. Default `globalThis.fetch`. */
  readonly fetch?: FetchLike;
  /** Extra request headers, e.g. `Authorization` for a Prometheus behind an authenticating proxy. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** Read the SLO numbers from a results file (or its parsed contents), e.g. from a load test. */
export interface ResultsSource {
  /** A parsed {@link ResultsFile}, or the path of one. */
  readonly results: ResultsFile | string;
}

/** Where the gate and the report read their numbers. */
export type SloSource = PrometheusSource | ResultsSource;

/**
 * Whether an SLO has numbers:
 * - `ok`: at least the period's budget is known;
 * - `no-traffic`: the rules exist but the SLI had no events in the period (0 ÷ 0);
 * - `no-rules`: Prometheus has no series for the SLO at all (rules not loaded or not regenerated);
 * - `not-in-results`: the results file has no entry for the SLO.
 */
export type DataStatus = 'ok' | 'no-traffic' | 'no-rules' | 'not-in-results';

/** The SLI over one window. `undefined` numbers mean no data (no traffic in the window). */
export interface WindowData {
  /** Prometheus duration, e.g. `1h`. */
  readonly window: string;
  readonly seconds: number;
  /** Bad ÷ total over the window. */
  readonly errorRatio?: number;
  /** Error ratio ÷ allowed error ratio. */
  readonly burnRate?: number;
  /** True for the SLO's own period. */
  readonly period: boolean;
  /** Event counts (results files only). */
  readonly events?: { readonly good: number; readonly total: number };
}

/** One multi-window burn-rate tier, evaluated against the current burn rates. */
export interface TierStatus {
  readonly id: string;
  readonly severity: 'page' | 'ticket';
  /** Burn-rate threshold of the tier for the SLO's period (14.4 for page-fast over 30 d). */
  readonly burnFactor: number;
  readonly longWindow: string;
  readonly shortWindow: string;
  readonly longBurnRate?: number;
  readonly shortBurnRate?: number;
  /** Both windows above the factor; `undefined` when either window has no data. */
  readonly firing: boolean | undefined;
  /** False when the tier needs an error ratio above 100 % and so can never fire. */
  readonly reachable: boolean;
  /** Whether the spec enables the tier (disabled tiers are listed, never firing). */
  readonly enabled: boolean;
}

/** Everything the gate and the report know about one SLO. */
export interface SloData {
  readonly sloId: string;
  readonly status: DataStatus;
  /** Objective in percent. */
  readonly objective: number;
  readonly allowedErrorRatio: number;
  /**
   * The SLO period's key among {@link SloData.windows}: its Prometheus duration (`30d`), or the
   * calendar unit (`month`) for a calendar window.
   */
  readonly period: string;
  /** The period as the spec writes it, for sentences: `30d`, `1 month (Europe/Berlin)`. */
  readonly periodText: string;
  readonly periodSeconds: number;
  /** The whole budget as seconds of full outage (2592 for 99.9 % over 30 d). */
  readonly budgetSeconds: number;
  /** Good ÷ total over the period. */
  readonly sli?: number;
  /** Bad ÷ total over the period. */
  readonly errorRatio?: number;
  /** Share of the period's budget left (1 untouched, ≤ 0 exhausted). */
  readonly budgetRemaining?: number;
  /** Every window with data or expected by a tier, shortest first, the period included. */
  readonly windows: readonly WindowData[];
  /** Burn rate by window (`'1h'` → 14.4); `undefined` = no data in that window. */
  readonly burnRates: Readonly<Record<string, number | undefined>>;
  /**
   * Seconds until the budget is gone at the current burn rate: 0 once exhausted, `undefined` when
   * it is not being spent or there is no data.
   */
  readonly timeToExhaustionSeconds?: number;
  /**
   * What the forecast rests on: `slo:time_to_exhaustion:seconds` (the srekit rule) or the window
   * whose burn rate was extrapolated, e.g. `1h`.
   */
  readonly forecastBasis: string;
  readonly tiers: readonly TierStatus[];
  /** Period event counts (results files only). */
  readonly events?: { readonly good: number; readonly total: number };
  /** Things worth knowing that do not stop the numbers being used (e.g. stale rules). */
  readonly warnings: readonly string[];
}

/** The numbers of every SLO from one source at one time. */
export interface SloDataSet {
  /** Human description of the source: `Prometheus at http://…` or `results file x.json`. */
  readonly source: string;
  readonly kind: 'prometheus' | 'results';
  /** When the numbers hold (the query time, or the results file's `generatedAt`, or now). */
  readonly at: Date;
  /** One entry per spec, in spec order. */
  readonly slos: readonly SloData[];
  /** Source-level warnings, e.g. results for SLO ids that no spec defines. */
  readonly warnings: readonly string[];
  /** Free-text description of the results file, when it has one. */
  readonly description?: string;
}
