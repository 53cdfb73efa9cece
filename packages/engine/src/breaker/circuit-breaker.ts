import { Listeners } from '@srekit/core';
import { ENGINE_DEFAULTS } from '../defaults.js';
import { invalidOption } from '../errors.js';
import { reportListenerError } from '../listener-errors.js';
import type { Clock, Disposable } from '../types.js';
import { BrokenCircuitError } from './broken-circuit-error.js';
import {
  ConsecutiveCounter,
  CountCounter,
  type FailureCounter,
  SamplingCounter,
} from './failure-counters.js';

/** State of a circuit: `closed` admits calls, `open` refuses them, `half-open` admits probes. */
export type CircuitState = 'closed' | 'open' | 'half-open';

/**
 * How a closed circuit decides to open:
 * - `consecutive`: after `consecutiveFailures` failures in a row;
 * - `count`: when at least `countFailures` of the last `countWindowCalls` calls failed;
 * - `sampling`: when failures / calls × 100 > `samplingThresholdPercent` over a rolling window of
 *   `samplingWindowMs`, once the window holds `samplingVolumeThreshold` calls.
 */
export type BreakerMode = 'consecutive' | 'count' | 'sampling';

/** Options of {@link CircuitBreaker}. Every field is optional; defaults in `ENGINE_DEFAULTS.breaker`. */
export interface CircuitBreakerOptions {
  /** Failure-counting mode. Default `'consecutive'`. */
  readonly mode?: BreakerMode;
  /** `consecutive` mode: failures in a row that open the circuit. Default 5. */
  readonly consecutiveFailures?: number;
  /** `count` mode: number of most recent calls considered. Default 20. */
  readonly countWindowCalls?: number;
  /** `count` mode: failures among them that open the circuit. Default 10. */
  readonly countFailures?: number;
  /** `sampling` mode: length of the rolling window. Default 10 000 ms. */
  readonly samplingWindowMs?: number;
  /** `sampling` mode: buckets the window is made of. Default 10. */
  readonly samplingBuckets?: number;
  /** `sampling` mode: opens when the failure percentage is strictly above this. Default 50. */
  readonly samplingThresholdPercent?: number;
  /** `sampling` mode: calls the window must hold before it can open. Default 20. */
  readonly samplingVolumeThreshold?: number;
  /** How long the circuit stays open before admitting probes. Default 30 000 ms. */
  readonly openMs?: number;
  /** Probes admitted at the same time while half-open. Default 1. */
  readonly halfOpenMaxProbes?: number;
  /** Successful probes that close the circuit (any failed probe re-opens it). Default 1. */
  readonly halfOpenSuccessThreshold?: number;
  /**
   * Which errors thrown by the function given to `execute()` count as failures; others count as
   * successes (e.g. a 404 that the caller turns into an error). Default: every error.
   */
  readonly isFailure?: (error: unknown) => boolean;
  /** Millisecond clock. Default `performance.now`. */
  readonly clock?: Clock;
}

/**
 * Admission of one call by {@link CircuitBreaker.tryAcquire}. Call exactly one of its methods,
 * once, when the call ends. Outcomes of calls admitted before the circuit changed state are
 * ignored, so a slow call started while closed can neither re-open nor close a half-open circuit.
 */
export interface BreakerPermit {
  /**
   * The call succeeded. `at` is the time of the outcome on the breaker's clock, if the caller has it at hand (a
   * proxy that measured the latency does): it spares the `sampling` mode a clock read, which costs
   * more than the rest of the record path. Default: read the breaker's clock.
   */
  success(at?: number): void;
  /** The call failed. `at` as for `success`. */
  failure(at?: number): void;
  /** The call ended without an outcome that says anything about the callee (e.g. cancelled). */
  release(): void;
}

/** Event of {@link CircuitBreaker.onStateChange}. */
export interface CircuitStateChange {
  /** New state. */
  readonly state: CircuitState;
  /** Previous state. */
  readonly previous: CircuitState;
  /** Clock time of the change. */
  readonly at: number;
}

/** Snapshot returned by {@link CircuitBreaker.stats}. */
export interface CircuitBreakerStats {
  readonly state: CircuitState;
  readonly mode: BreakerMode;
  /** Calls counted by the mode: since closing (`consecutive`) or in the window. */
  readonly calls: number;
  /** Failures counted by the mode: consecutive ones, or those in the window. */
  readonly failures: number;
  /** Half-open probes in flight. */
  readonly probesInFlight: number;
  /** Successful probes since the circuit turned half-open. */
  readonly probeSuccesses: number;
  /** Clock time at which an open circuit admits probes; `undefined` unless open. */
  readonly openUntil: number | undefined;
}

const CLOSED = 0;
const OPEN = 1;
const HALF_OPEN = 2;
const STATE_NAMES: readonly CircuitState[] = ['closed', 'open', 'half-open'];
const D = ENGINE_DEFAULTS.breaker;
const everyError = (): boolean => true;
const defaultClock: Clock = () => performance.now();

function positiveInteger(option: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    invalidOption(
      `breaker.${option}`,
      `expected a positive integer, got ${value}`,
      'Use 1 or more.',
    );
  }
  return value;
}

function positiveNumber(option: string, value: number): number {
  if (!(Number.isFinite(value) && value > 0)) {
    invalidOption(
      `breaker.${option}`,
      `expected a positive number, got ${value}`,
      'Use a value > 0.',
    );
  }
  return value;
}

/**
 * A circuit breaker: closed / open / half-open, with `consecutive`, `count` and `sampling`
 * failure counting, several concurrent half-open probes and a success threshold to close.
 *
 * It owns no timers: the window rotates and the open → half-open transition happens lazily when
 * the breaker is next used or read, from the injectable clock. Recording an outcome is O(1) and
 * allocates nothing; a breaker takes well under 2 KiB.
 *
 * @example
 * ```ts
 * const breaker = new CircuitBreaker({ mode: 'sampling', openMs: 10_000 });
 * breaker.onStateChange(({ state }) => log.warn({ state }, 'payments circuit'));
 * try {
 *   const res = await breaker.execute((signal) => fetch(url, { signal }), request.signal);
 * } catch (error) {
 *   if (isBrokenCircuitError(error)) return reply.status(503).send();
 *   throw error;
 * }
 * ```
 */
export class CircuitBreaker {
  /** Failure-counting mode. */
  readonly mode: BreakerMode;
  readonly #counter: FailureCounter;
  readonly #clock: Clock;
  readonly #openMs: number;
  readonly #maxProbes: number;
  readonly #successThreshold: number;
  readonly #isFailure: (error: unknown) => boolean;
  readonly #listeners = new Listeners<CircuitStateChange>(reportListenerError);
  #state = CLOSED;
  /** Bumped on every transition; permits from an earlier epoch are ignored. */
  #epoch = 0;
  #openedAt = 0;
  #probesInFlight = 0;
  #probeSuccesses = 0;
  #closedPermit: BreakerPermit;

  constructor(options: CircuitBreakerOptions = {}) {
    this.mode = options.mode ?? D.mode;
    this.#clock = options.clock ?? defaultClock;
    this.#openMs = options.openMs ?? D.openMs;
    if (!(Number.isFinite(this.#openMs) && this.#openMs >= 0)) {
      invalidOption(
        'breaker.openMs',
        `expected a number ≥ 0, got ${this.#openMs}`,
        'Use milliseconds, e.g. 30000.',
      );
    }
    this.#maxProbes = positiveInteger(
      'halfOpenMaxProbes',
      options.halfOpenMaxProbes ?? D.halfOpenMaxProbes,
    );
    this.#successThreshold = positiveInteger(
      'halfOpenSuccessThreshold',
      options.halfOpenSuccessThreshold ?? D.halfOpenSuccessThreshold,
    );
    this.#isFailure = options.isFailure ?? everyError;
    switch (this.mode) {
      case 'consecutive':
        this.#counter = new ConsecutiveCounter(
          positiveInteger(
            'consecutiveFailures',
            options.consecutiveFailures ?? D.consecutiveFailures,
          ),
        );
        break;
      case 'count': {
        const size = positiveInteger(
          'countWindowCalls',
          options.countWindowCalls ?? D.countWindowCalls,
        );
        const failures = positiveInteger('countFailures', options.countFailures ?? D.countFailures);
        if (failures > size) {
          invalidOption(
            'breaker.countFailures',
            `${failures} failures can never happen in a window of ${size} calls`,
            'Use a value ≤ countWindowCalls.',
          );
        }
        this.#counter = new CountCounter(size, failures);
        break;
      }
      case 'sampling': {
        const threshold = options.samplingThresholdPercent ?? D.samplingThresholdPercent;
        if (!(threshold >= 0 && threshold < 100)) {
          invalidOption(
            'breaker.samplingThresholdPercent',
            `expected a percentage in [0, 100), got ${threshold}`,
            'Use e.g. 50 (opens above 50 % failures).',
          );
        }
        const volume = options.samplingVolumeThreshold ?? D.samplingVolumeThreshold;
        if (!(Number.isInteger(volume) && volume >= 0)) {
          invalidOption(
            'breaker.samplingVolumeThreshold',
            `expected an integer ≥ 0, got ${volume}`,
            'Use e.g. 20.',
          );
        }
        this.#counter = new SamplingCounter(
          positiveNumber('samplingWindowMs', options.samplingWindowMs ?? D.samplingWindowMs),
          positiveInteger('samplingBuckets', options.samplingBuckets ?? D.samplingBuckets),
          threshold,
          volume,
          this.#clock,
        );
        break;
      }
      default:
        invalidOption(
          'breaker.mode',
          `unknown mode ${JSON.stringify(this.mode)}`,
          "Use 'consecutive', 'count' or 'sampling'.",
        );
    }
    this.#closedPermit = this.#newClosedPermit();
  }

  /** Current state (an open circuit whose `openMs` has passed reads as `half-open`). */
  get state(): CircuitState {
    this.#refresh();
    return STATE_NAMES[this.#state] as CircuitState;
  }

  /**
   * Admits one call, or returns `undefined` when the circuit refuses it (open, or half-open with
   * `halfOpenMaxProbes` probes in flight). The caller reports the outcome on the permit.
   */
  tryAcquire(): BreakerPermit | undefined {
    if (this.#state === CLOSED) return this.#closedPermit;
    this.#refresh();
    if (this.#state !== HALF_OPEN || this.#probesInFlight >= this.#maxProbes) return undefined;
    this.#probesInFlight++;
    return this.#newProbePermit();
  }

  /**
   * Runs `fn` if the circuit admits it and records its outcome: a resolved value is a success, a
   * thrown error a failure (as `isFailure` decides). If `signal` aborts, the outcome is not
   * recorded: the caller gave up, which says nothing about the callee.
   *
   * @throws {@link BrokenCircuitError} (code `ERR_SREKIT_ENGINE_BROKEN_CIRCUIT`) without calling
   * `fn` when the circuit refuses the call; `signal.reason` if `signal` is already aborted.
   */
  async execute<T>(
    fn: (signal: AbortSignal | undefined) => PromiseLike<T> | T,
    signal?: AbortSignal,
  ): Promise<T> {
    signal?.throwIfAborted();
    const permit = this.tryAcquire();
    if (permit === undefined) {
      const openLeft = this.#state === OPEN ? this.#openedAt + this.#openMs - this.#clock() : 0;
      throw new BrokenCircuitError(
        this.#state === OPEN ? 'open' : 'half-open',
        Math.max(0, openLeft),
      );
    }
    let result: T;
    try {
      result = await fn(signal);
    } catch (error) {
      if (signal?.aborted) permit.release();
      else if (this.#isFailure(error)) permit.failure();
      else permit.success();
      throw error;
    }
    permit.success();
    return result;
  }

  /**
   * Closes the circuit now and clears its counts (no-op when closed); permits taken before are
   * ignored when they settle. For an outside signal that the callee is back, e.g. a backend that
   * passed its active health checks again after being down.
   */
  reset(at: number = this.#clock()): void {
    if (this.#state !== CLOSED) this.#transition(CLOSED, at);
  }

  /**
   * Ends the open period now: an open circuit becomes half-open and admits its probes (no-op in
   * other states). For an outside sign that the callee may be back, e.g. a backend passing an
   * active health check: the probes, not the sign, decide whether the circuit closes.
   */
  halfOpen(at: number = this.#clock()): void {
    if (this.#state === OPEN) this.#transition(HALF_OPEN, at);
  }

  /** Calls `listener` on every state change. */
  onStateChange(listener: (event: CircuitStateChange) => void): Disposable {
    return this.#listeners.add(listener);
  }

  /** A snapshot of the counters. */
  stats(): CircuitBreakerStats {
    this.#refresh();
    const closed = this.#state === CLOSED;
    return {
      state: STATE_NAMES[this.#state] as CircuitState,
      mode: this.mode,
      calls: closed ? this.#counter.calls() : 0,
      failures: closed ? this.#counter.failures() : 0,
      probesInFlight: this.#probesInFlight,
      probeSuccesses: this.#probeSuccesses,
      openUntil: this.#state === OPEN ? this.#openedAt + this.#openMs : undefined,
    };
  }

  /** Lazy open → half-open once `openMs` has passed. */
  #refresh(): void {
    if (this.#state !== OPEN) return;
    const now = this.#clock();
    if (now - this.#openedAt >= this.#openMs) this.#transition(HALF_OPEN, now);
  }

  #transition(state: number, at: number): void {
    const previous = this.#state;
    this.#state = state;
    this.#epoch++;
    this.#probesInFlight = 0;
    this.#probeSuccesses = 0;
    if (state === OPEN) this.#openedAt = at;
    if (state === CLOSED) {
      this.#counter.reset();
      this.#closedPermit = this.#newClosedPermit();
    }
    if (this.#listeners.size > 0) {
      this.#listeners.emit({
        state: STATE_NAMES[state] as CircuitState,
        previous: STATE_NAMES[previous] as CircuitState,
        at,
      });
    }
  }

  /** One shared permit per closed epoch: closed calls need no identity, so none is allocated per call. */
  #newClosedPermit(): BreakerPermit {
    const epoch = this.#epoch;
    return {
      success: (at?: number) => {
        if (this.#epoch === epoch) this.#counter.success(at);
      },
      failure: (at?: number) => {
        if (this.#epoch === epoch && this.#counter.failure(at)) {
          this.#transition(OPEN, at ?? this.#clock());
        }
      },
      release: () => {},
    };
  }

  /** A permit per probe (at most `halfOpenMaxProbes` per `openMs`), so each settles once. */
  #newProbePermit(): BreakerPermit {
    const epoch = this.#epoch;
    let settled = false;
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      if (this.#epoch !== epoch) return false;
      this.#probesInFlight--;
      return true;
    };
    return {
      success: (at?: number) => {
        if (settle() && ++this.#probeSuccesses >= this.#successThreshold) {
          this.#transition(CLOSED, at ?? this.#clock());
        }
      },
      failure: (at?: number) => {
        if (settle()) this.#transition(OPEN, at ?? this.#clock());
      },
      release: () => {
        settle();
      },
    };
  }
}
