import { Listeners } from '@srekit/core';
import { ENGINE_DEFAULTS } from '../defaults.js';
import { invalidOption } from '../errors.js';
import { reportListenerError } from '../listener-errors.js';
import type { Clock, Disposable } from '../types.js';

/**
 * Outcome of one request to a backend: its HTTP status, or a local-origin failure (no status).
 * Local-origin failures count as gateway errors and as 5xx, as in Envoy without
 * `split_external_local_origin_errors`.
 */
export type RequestOutcome = number | 'connect-failure' | 'timeout' | 'reset';

/** Why a backend was ejected. */
export type EjectionReason =
  | 'consecutive-5xx'
  | 'consecutive-gateway-failure'
  | 'success-rate'
  | 'failure-percentage';

/** Event of {@link OutlierDetector.onEject}. */
export interface EjectEvent {
  readonly id: string;
  readonly reason: EjectionReason;
  /** Clock time of the ejection. */
  readonly at: number;
  /** How long the backend stays ejected: `baseEjectionTimeMs × ejections`, capped. */
  readonly durationMs: number;
  /** Ejection multiplier after this ejection (1 for the first). */
  readonly ejections: number;
}

/** Event of {@link OutlierDetector.onUneject}. */
export interface UnejectEvent {
  readonly id: string;
  /** Clock time at which the ejection was noticed to be over. */
  readonly at: number;
  /** Why it had been ejected. */
  readonly reason: EjectionReason;
}

/** Options of {@link OutlierDetector}; defaults (Envoy's) in `ENGINE_DEFAULTS.outlier`. */
export interface OutlierDetectorOptions {
  /** Evaluation interval of success-rate and failure-percentage ejection. Default 10 000 ms. */
  readonly intervalMs?: number;
  /** Consecutive 5xx that eject; 0 disables. Default 5. */
  readonly consecutive5xx?: number;
  /** Consecutive gateway errors (502, 503, 504, local-origin failures) that eject; 0 disables. Default 5. */
  readonly consecutiveGatewayFailure?: number;
  /** Base ejection time, multiplied by the number of ejections. Default 30 000 ms. */
  readonly baseEjectionTimeMs?: number;
  /** Cap of the ejection time (at least `baseEjectionTimeMs`). Default 300 000 ms. */
  readonly maxEjectionTimeMs?: number;
  /** Largest share of backends ejected at once; one backend can always be ejected. Default 10. */
  readonly maxEjectionPercent?: number;
  /** Whether success-rate ejection runs. Default true. */
  readonly successRateEnabled?: boolean;
  /** Ejects when `successRate < mean − stdev × factor`. Default 1.9. */
  readonly successRateStdevFactor?: number;
  /** Backends with enough volume needed for success-rate ejection. Default 5. */
  readonly successRateMinimumHosts?: number;
  /** Requests in the interval a backend needs to count for success-rate ejection. Default 100. */
  readonly successRateRequestVolume?: number;
  /** Whether failure-percentage ejection runs. Default false (as Envoy). */
  readonly failurePercentageEnabled?: boolean;
  /** Ejects when the failure percentage is at or above this. Default 85. */
  readonly failurePercentageThreshold?: number;
  /** Backends with enough volume needed for failure-percentage ejection. Default 5. */
  readonly failurePercentageMinimumHosts?: number;
  /** Requests in the interval a backend needs to count for failure-percentage ejection. Default 50. */
  readonly failurePercentageRequestVolume?: number;
  /** Millisecond clock used when a call gives no time. Default `performance.now`. */
  readonly clock?: Clock;
}

/** Per-backend state: plain numbers, about 150 bytes. */
class HostState {
  consecutive5xx = 0;
  consecutiveGateway = 0;
  /** Requests and successes in the current interval. */
  requests = 0;
  successes = 0;
  /** Ejection multiplier (Envoy's `num_ejections`); decays by one per healthy interval. */
  ejections = 0;
  ejected = false;
  ejectedUntil = 0;
  reason: EjectionReason = 'consecutive-5xx';

  constructor(readonly id: string) {}
}

type Resolved = Required<Omit<OutlierDetectorOptions, 'clock'>>;

/**
 * Passive outlier detection with Envoy's (and gRPC A50's) semantics: consecutive-5xx and
 * consecutive-gateway-failure ejection at once on the request that crosses the threshold;
 * success-rate and failure-percentage ejection at each interval; ejection time
 * `baseEjectionTimeMs × ejections` capped at `maxEjectionTimeMs`, the multiplier decaying by one
 * per interval the backend spends healthy; at most `maxEjectionPercent` of backends ejected (but
 * always at least one can be).
 *
 * No timers: the interval is evaluated lazily by `record()`, `isEjected()` and `evaluate()` once it
 * has passed, and an ejection ends when it is next looked at after its time. `record()` is O(1) and
 * allocates nothing; interval evaluation is O(n).
 *
 * @example
 * ```ts
 * const outliers = new OutlierDetector({ failurePercentageEnabled: true });
 * for (const b of backends) outliers.addBackend(b.id);
 * outliers.onEject(({ id, reason }) => log.warn({ id, reason }, 'backend ejected'));
 * // after each request:
 * outliers.record(backend.id, response.statusCode);
 * // when picking:
 * const eligible = backends.filter((b) => !outliers.isEjected(b.id));
 * ```
 */
export class OutlierDetector {
  readonly #hosts = new Map<string, HostState>();
  readonly #o: Resolved;
  readonly #clock: Clock;
  readonly #onEject = new Listeners<EjectEvent>(reportListenerError);
  readonly #onUneject = new Listeners<UnejectEvent>(reportListenerError);
  #ejectedCount = 0;
  #nextEvaluation: number | undefined;
  #lastEvaluation: number | undefined;

  constructor(options: OutlierDetectorOptions = {}) {
    const { clock, ...rest } = options;
    const { panicThresholdPercent: _panic, ...defaults } = ENGINE_DEFAULTS.outlier;
    // An option given as `undefined` keeps its default (a plain spread would erase it).
    const o = { ...defaults } as { -readonly [K in keyof Resolved]: Resolved[K] };
    for (const key of Object.keys(defaults) as (keyof Resolved)[]) {
      const value = rest[key];
      if (value !== undefined) (o as Record<string, unknown>)[key] = value;
    }
    for (const key of ['intervalMs', 'baseEjectionTimeMs', 'maxEjectionTimeMs'] as const) {
      if (!(Number.isFinite(o[key]) && o[key] > 0)) {
        invalidOption(
          `outlierDetection.${key}`,
          `expected milliseconds > 0, got ${o[key]}`,
          'Use e.g. 10000.',
        );
      }
    }
    for (const key of [
      'consecutive5xx',
      'consecutiveGatewayFailure',
      'successRateMinimumHosts',
      'successRateRequestVolume',
      'failurePercentageMinimumHosts',
      'failurePercentageRequestVolume',
    ] as const) {
      if (!(Number.isInteger(o[key]) && o[key] >= 0)) {
        invalidOption(
          `outlierDetection.${key}`,
          `expected an integer ≥ 0, got ${o[key]}`,
          'Use 0 to disable, or a count.',
        );
      }
    }
    for (const key of ['maxEjectionPercent', 'failurePercentageThreshold'] as const) {
      if (!(o[key] >= 0 && o[key] <= 100)) {
        invalidOption(
          `outlierDetection.${key}`,
          `expected a percentage in [0, 100], got ${o[key]}`,
          'Use e.g. 10.',
        );
      }
    }
    if (!(o.successRateStdevFactor >= 0)) {
      invalidOption(
        'outlierDetection.successRateStdevFactor',
        `expected a number ≥ 0, got ${o.successRateStdevFactor}`,
        'Use e.g. 1.9.',
      );
    }
    this.#o = o;
    this.#clock = clock ?? (() => performance.now());
  }

  /** Starts tracking a backend (no-op if it is tracked). */
  addBackend(id: string): void {
    if (!this.#hosts.has(id)) this.#hosts.set(id, new HostState(id));
  }

  /** Stops tracking a backend and forgets its history. */
  removeBackend(id: string): void {
    const host = this.#hosts.get(id);
    if (host === undefined) return;
    if (host.ejected) this.#ejectedCount--;
    this.#hosts.delete(id);
  }

  /** Number of backends tracked. */
  get size(): number {
    return this.#hosts.size;
  }

  /** Number of backends ejected now (as last evaluated; ejections past their time end on the next look). */
  get ejectedCount(): number {
    return this.#ejectedCount;
  }

  /**
   * Records the outcome of one request to backend `id` at clock time `at` (default: the clock).
   * May eject it at once (consecutive errors) and runs a due interval evaluation first. Unknown
   * ids are ignored.
   */
  record(id: string, outcome: RequestOutcome, at: number = this.#clock()): void {
    this.#maybeEvaluate(at);
    const host = this.#hosts.get(id);
    if (host === undefined) return;
    host.requests++;
    let is5xx: boolean;
    let isGateway: boolean;
    if (typeof outcome === 'number') {
      is5xx = outcome >= 500 && outcome <= 599;
      isGateway = outcome === 502 || outcome === 503 || outcome === 504;
    } else {
      is5xx = true;
      isGateway = true;
    }
    if (!is5xx) {
      host.successes++;
      host.consecutive5xx = 0;
      host.consecutiveGateway = 0;
      return;
    }
    if (isGateway) host.consecutiveGateway++;
    else host.consecutiveGateway = 0;
    host.consecutive5xx++;
    if (host.ejected) return;
    const o = this.#o;
    if (o.consecutiveGatewayFailure > 0 && host.consecutiveGateway >= o.consecutiveGatewayFailure) {
      this.#eject(host, 'consecutive-gateway-failure', at);
    } else if (o.consecutive5xx > 0 && host.consecutive5xx >= o.consecutive5xx) {
      this.#eject(host, 'consecutive-5xx', at);
    }
  }

  /**
   * Whether backend `id` is ejected at clock time `now` (default: the clock). Ends a due
   * ejection (emitting `onUneject`) and runs a due interval evaluation. Unknown ids: false.
   */
  isEjected(id: string, now: number = this.#clock()): boolean {
    this.#maybeEvaluate(now);
    const host = this.#hosts.get(id);
    if (host === undefined || !host.ejected) return false;
    if (now >= host.ejectedUntil) {
      this.#uneject(host, now);
      return false;
    }
    return true;
  }

  /**
   * Runs the interval evaluation now: ends due ejections, decays the multiplier of healthy
   * backends, runs success-rate and failure-percentage ejection on the counts gathered since the
   * last evaluation and starts a new interval. `record()` and `isEjected()` call it lazily once
   * `intervalMs` has passed; call it yourself to evaluate on your own schedule.
   */
  evaluate(now: number = this.#clock()): void {
    const interval = this.#o.intervalMs;
    const last = this.#lastEvaluation ?? now - interval;
    this.#lastEvaluation = now;
    this.#nextEvaluation = now + interval;
    for (const host of this.#hosts.values()) {
      if (host.ejected) {
        if (now < host.ejectedUntil) continue;
        this.#uneject(host, now);
      }
      if (host.ejections === 0) continue;
      // One step per interval spent healthy (as gRPC A50), counting the intervals nobody
      // evaluated while the detector was idle; none for the interval that ends an ejection.
      const steps =
        host.ejectedUntil <= last
          ? Math.max(1, Math.floor((now - last) / interval))
          : Math.floor((now - host.ejectedUntil) / interval);
      host.ejections = Math.max(0, host.ejections - steps);
    }
    if (this.#o.successRateEnabled) this.#successRate(now);
    if (this.#o.failurePercentageEnabled) this.#failurePercentage(now);
    for (const host of this.#hosts.values()) {
      host.requests = 0;
      host.successes = 0;
    }
  }

  /**
   * Ends backend `id`'s ejection now (emitting `onUneject`) and clears its consecutive-error
   * counts; the ejection multiplier is kept and decays as usual. For a backend that passed an
   * active health check (Envoy's `successful_active_health_check_uneject_host`). Returns whether it
   * was ejected.
   */
  uneject(id: string, at: number = this.#clock()): boolean {
    const host = this.#hosts.get(id);
    if (host === undefined || !host.ejected) return false;
    host.consecutive5xx = 0;
    host.consecutiveGateway = 0;
    this.#uneject(host, at);
    return true;
  }

  /** Calls `listener` when a backend is ejected. */
  onEject(listener: (event: EjectEvent) => void): Disposable {
    return this.#onEject.add(listener);
  }

  /** Calls `listener` when an ejection ends. */
  onUneject(listener: (event: UnejectEvent) => void): Disposable {
    return this.#onUneject.add(listener);
  }

  #maybeEvaluate(now: number): void {
    if (this.#nextEvaluation === undefined) {
      this.#lastEvaluation = now;
      this.#nextEvaluation = now + this.#o.intervalMs;
    } else if (now >= this.#nextEvaluation) this.evaluate(now);
  }

  #successRate(now: number): void {
    const o = this.#o;
    let n = 0;
    let sum = 0;
    let sumSquares = 0;
    for (const host of this.#hosts.values()) {
      if (host.ejected || host.requests < o.successRateRequestVolume || host.requests === 0)
        continue;
      const rate = (host.successes / host.requests) * 100;
      n++;
      sum += rate;
      sumSquares += rate * rate;
    }
    if (n < o.successRateMinimumHosts || n === 0) return;
    const mean = sum / n;
    const stdev = Math.sqrt(Math.max(0, sumSquares / n - mean * mean));
    const threshold = mean - stdev * o.successRateStdevFactor;
    for (const host of this.#hosts.values()) {
      if (host.ejected || host.requests < o.successRateRequestVolume || host.requests === 0)
        continue;
      if ((host.successes / host.requests) * 100 < threshold)
        this.#eject(host, 'success-rate', now);
    }
  }

  #failurePercentage(now: number): void {
    const o = this.#o;
    let n = 0;
    for (const host of this.#hosts.values()) {
      if (!host.ejected && host.requests >= o.failurePercentageRequestVolume && host.requests > 0)
        n++;
    }
    if (n < o.failurePercentageMinimumHosts || n === 0) return;
    for (const host of this.#hosts.values()) {
      if (host.ejected || host.requests < o.failurePercentageRequestVolume || host.requests === 0)
        continue;
      const failurePercent = ((host.requests - host.successes) / host.requests) * 100;
      if (failurePercent >= o.failurePercentageThreshold)
        this.#eject(host, 'failure-percentage', now);
    }
  }

  /** Ejects unless that would exceed `maxEjectionPercent` (one ejection is always allowed). */
  #eject(host: HostState, reason: EjectionReason, at: number): boolean {
    const o = this.#o;
    if (this.#overCap()) {
      // Ejections end lazily: end those that are due before refusing (rare, O(n)).
      for (const other of this.#hosts.values()) {
        if (other.ejected && at >= other.ejectedUntil) this.#uneject(other, at);
      }
      if (this.#overCap()) return false;
    }
    host.ejections++;
    const durationMs = Math.min(
      o.baseEjectionTimeMs * host.ejections,
      Math.max(o.baseEjectionTimeMs, o.maxEjectionTimeMs),
    );
    host.ejected = true;
    host.ejectedUntil = at + durationMs;
    host.reason = reason;
    host.consecutive5xx = 0;
    host.consecutiveGateway = 0;
    this.#ejectedCount++;
    if (this.#onEject.size > 0) {
      this.#onEject.emit({ id: host.id, reason, at, durationMs, ejections: host.ejections });
    }
    return true;
  }

  #overCap(): boolean {
    return (
      this.#ejectedCount > 0 &&
      (this.#ejectedCount + 1) * 100 > this.#o.maxEjectionPercent * this.#hosts.size
    );
  }

  #uneject(host: HostState, at: number): void {
    host.ejected = false;
    this.#ejectedCount--;
    if (this.#onUneject.size > 0) this.#onUneject.emit({ id: host.id, at, reason: host.reason });
  }
}
