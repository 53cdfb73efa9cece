import type { Registry } from 'prom-client';
import { TRACKER_DEFAULTS } from '../defaults.js';
import { invalidArgument } from '../errors.js';
import { windowSeconds } from '../window.js';

/** The part of a pino logger the tracker uses. */
export interface TrackerLogger {
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
}

/** Options of `new SloTracker(specs, options)`. */
export interface SloTrackerOptions {
  /**
   * A prom-client registry (e.g. `telemetry.registry` of `@srekit/core`). When given, the
   * tracker registers `slo_events_total`, `slo_objective_ratio`,
   * `slo_error_budget_remaining_ratio` and `slo_burn_rate`, computed at scrape time. Default:
   * none (no metrics).
   */
  readonly registry?: Registry;
  /** The clock, in epoch milliseconds. Default `Date.now`. */
  readonly now?: () => number;
  /**
   * Windows to track besides every enabled tier's long and short window and the period, as
   * Prometheus durations (`'15m'`) or seconds. Default: none.
   */
  readonly windows?: readonly (string | number)[];
  /**
   * Where runtime problems go (an unknown SLO id, a listener that throws, invalid counts).
   * Default: `process.emitWarning` for warnings and errors alike.
   */
  readonly logger?: TrackerLogger;
  /**
   * Buckets per window; more buckets are more exact and take 16 bytes each per window. Default
   * {@link TRACKER_DEFAULTS.bucketsPerWindow} (720).
   */
  readonly bucketsPerWindow?: number;
  /**
   * Minimum milliseconds between two evaluations of tiers and budget triggered by `record()`.
   * Default {@link TRACKER_DEFAULTS.evaluationIntervalMs} (1000).
   */
  readonly evaluationIntervalMs?: number;
  /**
   * How far (ms) an event's `at` may lie ahead of the tracker's clock; later events are ignored
   * with a warning, so one bad timestamp cannot push every window past the real events.
   * Default {@link TRACKER_DEFAULTS.maxClockSkewMs} (60 000).
   */
  readonly maxClockSkewMs?: number;
}

/** {@link SloTrackerOptions} with defaults applied and checked. */
export interface ResolvedTrackerOptions {
  readonly registry: Registry | undefined;
  readonly now: () => number;
  readonly extraWindowSeconds: readonly number[];
  readonly logger: TrackerLogger;
  readonly bucketsPerWindow: number;
  readonly evaluationIntervalMs: number;
  readonly maxClockSkewMs: number;
}

const warningLogger: TrackerLogger = {
  warn: (object, message) => emit(object, message),
  error: (object, message) => emit(object, message),
};

function emit(object: object, message: string): void {
  const { code } = object as { code?: unknown };
  process.emitWarning(message, {
    type: 'SrekitWarning',
    ...(typeof code === 'string' ? { code } : {}),
  });
}

/** Applies defaults; throws `ERR_SREKIT_SLO_INVALID_ARGUMENT` for an invalid option. */
export function resolveTrackerOptions(options: SloTrackerOptions = {}): ResolvedTrackerOptions {
  const buckets = options.bucketsPerWindow ?? TRACKER_DEFAULTS.bucketsPerWindow;
  if (!Number.isInteger(buckets) || buckets < 1 || buckets > 100_000) {
    invalidArgument(
      'bucketsPerWindow',
      `${buckets} is not an integer between 1 and 100000`,
      `Leave it out for the default of ${TRACKER_DEFAULTS.bucketsPerWindow}.`,
    );
  }
  const interval = options.evaluationIntervalMs ?? TRACKER_DEFAULTS.evaluationIntervalMs;
  if (!Number.isFinite(interval) || interval < 0) {
    invalidArgument(
      'evaluationIntervalMs',
      `${interval} is not a number of milliseconds ≥ 0`,
      `Leave it out for the default of ${TRACKER_DEFAULTS.evaluationIntervalMs}.`,
    );
  }
  const skew = options.maxClockSkewMs ?? TRACKER_DEFAULTS.maxClockSkewMs;
  if (!(skew >= 0)) {
    invalidArgument(
      'maxClockSkewMs',
      `${skew} is not a number of milliseconds ≥ 0`,
      `Leave it out for the default of ${TRACKER_DEFAULTS.maxClockSkewMs}.`,
    );
  }
  if (options.now !== undefined && typeof options.now !== 'function') {
    invalidArgument('now', 'it is not a function', 'Pass a clock such as `() => Date.now()`.');
  }
  const extra = (options.windows ?? []).map((window) => {
    const seconds = windowSeconds(window);
    if (seconds < 1) {
      invalidArgument(
        'windows',
        `${String(window)} is shorter than 1 second`,
        'Track windows of 1s or more.',
      );
    }
    return seconds;
  });
  return {
    registry: options.registry,
    now: options.now ?? Date.now,
    extraWindowSeconds: extra,
    logger: options.logger ?? warningLogger,
    bucketsPerWindow: buckets,
    evaluationIntervalMs: interval,
    maxClockSkewMs: skew,
  };
}
