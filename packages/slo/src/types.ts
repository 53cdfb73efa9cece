/**
 * The normalised SLO model. Every input format (Sloth `prometheus/v1`, OpenSLO `openslo/v1`,
 * srekit `srekit/v1`) is parsed into these types; the math, the tracker, rule generation, the gate
 * and the report only ever see `SloSpec`.
 */

/** Input format a spec was read from. */
export type SpecFormat = 'sloth' | 'openslo' | 'srekit';

/** A place in a spec file. Lines and columns start at 1. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** A rolling window of fixed length, e.g. the last 30 days. */
export interface RollingWindow {
  readonly kind: 'rolling';
  /** Length in seconds. */
  readonly seconds: number;
  /** Prometheus duration notation as written or normalised, e.g. `30d`. */
  readonly text: string;
}

/** Calendar unit of a calendar-aligned SLO period. */
export type CalendarUnit = 'day' | 'week' | 'month' | 'quarter' | 'year';

/**
 * A calendar-aligned window (this month, this week…) in a time zone. Its length varies; math that
 * needs a length uses {@link CalendarWindow.seconds}, the length of the longest such period
 * unless a function takes an explicit date.
 */
export interface CalendarWindow {
  readonly kind: 'calendar';
  readonly unit: CalendarUnit;
  /** Number of units per period (OpenSLO `duration: 2w` gives 2 weeks). Default 1. */
  readonly count: number;
  /** IANA time zone, default `UTC`. */
  readonly timeZone: string;
  /** Nominal length in seconds (month = 30 days, quarter = 91 days, year = 365 days, week = 7 days). */
  readonly seconds: number;
  /** Human notation, e.g. `1 month (Europe/Berlin)`. */
  readonly text: string;
}

/** The period an SLO's objective is measured over. */
export type SloWindow = RollingWindow | CalendarWindow;

/**
 * How the SLI is measured. Query templates may contain `{{.window}}`, replaced with a
 * Prometheus duration (`5m`, `1h`, …) when rules are generated.
 */
export type Sli =
  /** Bad events over all events (Sloth `events`, OpenSLO `ratioMetric` with `bad`). */
  | { readonly kind: 'events'; readonly errorQuery: string; readonly totalQuery: string }
  /** Good events over all events (OpenSLO `ratioMetric` with `good`). */
  | { readonly kind: 'good-events'; readonly goodQuery: string; readonly totalQuery: string }
  /** A query that already returns the error ratio (Sloth `raw`). */
  | { readonly kind: 'raw'; readonly errorRatioQuery: string }
  /**
   * Requests slower than a threshold are bad, read from a Prometheus histogram
   * (`<metric>_bucket` with `le`, `<metric>_count`).
   */
  | {
      readonly kind: 'latency';
      /** Histogram base name, e.g. `http_server_request_duration_seconds`. */
      readonly metric: string;
      /** Label matchers without braces, e.g. `http_route="/orders",job="checkout"`; may be empty. */
      readonly selector: string;
      /** Threshold in seconds; must be one of the histogram's bucket bounds. */
      readonly thresholdSeconds: number;
      /** The `le` label value as the histogram exposes it, e.g. `0.3`. */
      readonly le: string;
    }
  /**
   * OpenSLO `thresholdMetric`: a time is good when the query's value compares to the threshold
   * as `op` says (e.g. p99 latency `lt` 0.3). Measured in timeslices.
   */
  | {
      readonly kind: 'threshold';
      readonly query: string;
      readonly op: 'lt' | 'lte' | 'gt' | 'gte';
      readonly threshold: number;
    };

/** OpenSLO budgeting methods; Sloth and srekit specs use `occurrences`. */
export type BudgetingMethod =
  | { readonly kind: 'occurrences' }
  /** A slice is good when its good ratio ≥ `sliceTarget`; the SLI is good slices ÷ slices. */
  | { readonly kind: 'timeslices'; readonly sliceSeconds: number; readonly sliceTarget: number }
  /** The SLI is the mean of the per-slice good ratios. */
  | { readonly kind: 'ratio-timeslices'; readonly sliceSeconds: number };

/** One multi-window burn-rate alert tier (the rows of the SRE Workbook table). */
export interface AlertTier {
  /** Stable tier id: `page-fast`, `page-slow`, `ticket-fast`, `ticket-slow` for the defaults. */
  readonly id: string;
  /** `page` or `ticket`: which of the SLO's two alerts this tier belongs to. */
  readonly severity: 'page' | 'ticket';
  /** Fraction of the period's budget consumed when the tier fires, e.g. 0.02. */
  readonly budgetFraction: number;
  /** Long window in seconds (e.g. 3600). */
  readonly longWindowSeconds: number;
  /** Short window in seconds (long ÷ 12 in the workbook). */
  readonly shortWindowSeconds: number;
  /** Whether the tier is generated and evaluated. Default true. */
  readonly enabled: boolean;
  /** Prometheus `for:` of the tier's alert in seconds; 0 = none (Sloth's default). */
  readonly forSeconds: number;
}

/** Settings of one of the two alerts (page, ticket) of an SLO. */
export interface AlertSpec {
  /** False when the spec says `disable: true`. */
  readonly enabled: boolean;
  /** Extra labels on the alert. */
  readonly labels: Readonly<Record<string, string>>;
  /** Extra annotations on the alert. */
  readonly annotations: Readonly<Record<string, string>>;
  /** Value of the `severity` label (srekit: `critical` for page, `warning` for ticket). */
  readonly severityLabel?: string;
}

/** Alerting settings of an SLO. */
export interface AlertingSpec {
  /** Alert name (Sloth `alerting.name`); generated when absent. */
  readonly name: string;
  /** Labels on both alerts. */
  readonly labels: Readonly<Record<string, string>>;
  /** Annotations on both alerts. */
  readonly annotations: Readonly<Record<string, string>>;
  readonly page: AlertSpec;
  readonly ticket: AlertSpec;
  /** The burn-rate tiers, from the SLO's window (workbook defaults) and any tuning in the spec. */
  readonly tiers: readonly AlertTier[];
  /**
   * Minimum events per second over a tier's long window for the tier to fire (srekit's
   * low-traffic guard). 0 disables the guard.
   */
  readonly minTrafficPerSecond: number;
}

/** One SLO, normalised. */
export interface SloSpec {
  /** Unique id: `<service>-<name>` as Sloth forms it. */
  readonly id: string;
  readonly service: string;
  readonly name: string;
  readonly description?: string;
  /** Objective in percent, e.g. 99.9 (0 < objective < 100). */
  readonly objective: number;
  /** The objective exactly as written in decimal, e.g. `"99.9"`, for exact budget math. */
  readonly objectiveText: string;
  readonly window: SloWindow;
  readonly budgetingMethod: BudgetingMethod;
  readonly sli: Sli;
  /** Spec labels then SLO labels, merged (SLO labels win). */
  readonly labels: Readonly<Record<string, string>>;
  readonly alerting: AlertingSpec;
  /** Where the SLO came from. */
  readonly source: { readonly format: SpecFormat; readonly location: SourceLocation };
}

/** Severity of a spec problem. Errors drop the SLO; warnings keep it. */
export type ProblemSeverity = 'error' | 'warning';

/** One problem found in a spec file. */
export interface SpecProblem {
  readonly severity: ProblemSeverity;
  /** Stable code, e.g. `ERR_SREKIT_SLO_SPEC_UNKNOWN_FIELD`. */
  readonly code: string;
  readonly location: SourceLocation;
  /** Dotted path of the field, e.g. `slos[1].objective`. */
  readonly field: string;
  /** What is wrong. */
  readonly message: string;
  /** How to fix it. */
  readonly fix: string;
}

/** Result of parsing one or more spec files: the SLOs that are valid, and every problem. */
export interface ParseResult {
  readonly slos: readonly SloSpec[];
  readonly problems: readonly SpecProblem[];
}
