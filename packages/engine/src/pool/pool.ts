import { Listeners } from '@srekit/core';
import {
  type BreakerPermit,
  CircuitBreaker,
  type CircuitBreakerOptions,
} from '../breaker/circuit-breaker.js';
import { ENGINE_DEFAULTS } from '../defaults.js';
import {
  invalidOption,
  isNoHealthyBackendError,
  noHealthyBackendError,
  poolClosedError,
  timeoutError,
  unknownBackendError,
} from '../errors.js';
import {
  HealthChecker,
  type HealthCheckerOptions,
  type HealthState,
} from '../health/health-checker.js';
import { reportListenerError } from '../listener-errors.js';
import {
  type EjectionReason,
  OutlierDetector,
  type OutlierDetectorOptions,
} from '../outlier/outlier-detector.js';
import { isPanic } from '../outlier/panic.js';
import type { BackoffOptions } from '../retry/backoff.js';
import { hedge } from '../retry/hedge.js';
import { IDEMPOTENT_METHODS, isRetryable } from '../retry/is-retryable.js';
import { retryAsync } from '../retry/retry-async.js';
import { RetryBudget } from '../retry/retry-budget.js';
import { slowStartWeight } from '../slow-start.js';
import { createStrategy } from '../strategies/create-strategy.js';
import { hashString } from '../strategies/hash.js';
import type { BackendConfig, BackendView, Clock, Disposable, Random, Strategy } from '../types.js';
import { LatencyHistogram } from './latency-histogram.js';
import { outcomeOfError } from './outcome.js';
import {
  type BackendMetricsSource,
  DURATION_BUCKETS,
  durationBucket,
  type EngineMetrics,
  engineMetrics,
  outcomeIndex,
} from './pool-metrics.js';
import type {
  AcquireOptions,
  BackendSnapshot,
  BackendState,
  BackendStateChange,
  ExecuteOptions,
  ExecuteTry,
  Lease,
  PoolEvent,
  PoolEventKind,
  PoolOptions,
  PoolRetryOptions,
  PoolStats,
  RequestOutcome,
  SlowStartPoolOptions,
} from './types.js';

const EJECTION_REASONS: readonly EjectionReason[] = [
  'consecutive-5xx',
  'consecutive-gateway-failure',
  'success-rate',
  'failure-percentage',
];

/** Picks tried before the pool scans for an admissible backend (excluded, or circuit refusing). */
const PICK_ATTEMPTS = 3;
/**
 * Consistent-hashing strategies keep every member on their ring and skip ineligible ones at pick
 * time, trying the key's next points: more attempts, since up to half the ring may be skipped
 * before panic mode takes over.
 */
const HASH_PICK_ATTEMPTS = 8;
const HASHING_STRATEGIES: ReadonlySet<string> = new Set(['ring-hash', 'maglev']);

interface MutableView {
  id: string;
  url: string;
  slot: number;
  weight: number;
  effectiveWeight: number;
  activeRequests: number;
  zone?: string;
}

/** Everything the pool knows about one backend: the one record every part reads and writes. */
class BackendRecord {
  readonly view: MutableView;
  health: HealthState = 'unknown';
  ejected = false;
  ejectedUntil = 0;
  draining = false;
  state: BackendState = 'healthy';
  /** Whether picks may land here now (eligible, or any non-draining member in panic mode). */
  candidate = true;
  removed = false;
  slowStartSince: number | undefined;
  requests = 0;
  errors = 0;
  readonly latency = new LatencyHistogram();
  /** Metrics, read at scrape time: ended requests per outcome label, durations per bucket. */
  readonly outcomes = new Float64Array(6);
  readonly durationCounts = new Float64Array(DURATION_BUCKETS.length + 1);
  durationSum = 0;
  readonly drainWaiters: (() => void)[] = [];

  constructor(
    readonly config: BackendConfig,
    readonly breaker: CircuitBreaker | undefined,
    slot: number,
  ) {
    const weight = config.weight ?? ENGINE_DEFAULTS.weight;
    this.view = {
      id: config.id,
      url: config.url,
      slot,
      weight,
      effectiveWeight: weight,
      activeRequests: 0,
      ...(config.zone === undefined ? {} : { zone: config.zone }),
    };
  }

  /** Whether the backend may take picks outside panic mode. */
  get eligible(): boolean {
    return this.state === 'healthy';
  }
}

/** The permit used when breakers are off. */
const NO_BREAKER: BreakerPermit = { success() {}, failure() {}, release() {} };

class PoolLease implements Lease {
  #done = false;

  constructor(
    readonly pool: Pool,
    readonly record: BackendRecord,
    readonly permit: BreakerPermit,
    readonly startedAt: number,
  ) {}

  get backend(): BackendView {
    return this.record.view;
  }

  end(outcome: RequestOutcome, at?: number): void {
    if (this.#done) return;
    this.#done = true;
    this.pool[ENDED](this, outcome, at);
  }

  cancel(): void {
    if (this.#done) return;
    this.#done = true;
    this.pool[CANCELLED](this);
  }
}

// Lease callbacks into the pool, kept off the public surface.
const ENDED = Symbol('ended');
const CANCELLED = Symbol('cancelled');

/** A try's result that asks for another try (a retryable status), carried through `retryAsync`. */
class RetryableResult<T> {
  constructor(
    readonly result: T,
    readonly retryAfter: number | undefined,
  ) {}
}

/**
 * A set of backends and everything that decides where a request goes: a strategy, active health
 * checks, passive outlier detection, a circuit breaker per backend, slow start and panic mode,
 * all reading and writing one record per backend. Membership can change at any time (`add`,
 * `remove`, `drain`, `setWeight`); a backend's state and history survive every change that keeps
 * it in the pool.
 *
 * Requests go through leases: `acquire()` picks an eligible backend whose circuit admits the
 * request and counts it as active; `lease.end(outcome)` feeds the outcome to the strategy
 * (latency), the outlier detector, the breaker, the statistics and the metrics. `execute()` wraps
 * that for client calls, with retries on other backends; `createProxy(pool)` does it for HTTP.
 *
 * No timer runs on the request path: ejections end lazily when the pool is next used, and
 * the only timers are the health checker's and, during slow start, one weight refresh.
 *
 * @example
 * ```ts
 * const pool = new Pool(
 *   [{ id: 'a', url: 'http://10.0.0.7:8080' }, { id: 'b', url: 'http://10.0.0.8:8080', weight: 2 }],
 *   { name: 'orders', strategy: 'p2c-ewma', healthCheck: { path: '/readyz' }, registry: telemetry.registry },
 * );
 * const order = await pool.execute(async (backend, { signal }) => {
 *   const res = await fetch(`${backend.url}/orders/42`, { signal });
 *   if (res.status >= 500) throw Object.assign(new Error(`HTTP ${res.status}`), { status: res.status });
 *   return res.json();
 * });
 * await pool.close();
 * ```
 */
export class Pool {
  /** The pool's name (the `pool` label of its metrics). */
  readonly name: string;
  /** The retry budget shared by `execute()` and the proxy, or undefined when turned off. */
  readonly retryBudget: RetryBudget | undefined;
  /** The pool's `retry` option as given (the proxy reads its retry count, statuses and backoff). */
  readonly retryOptions: PoolRetryOptions;
  readonly #strategy: Strategy;
  readonly #clock: Clock;
  readonly #records = new Map<string, BackendRecord>();
  #ordered: BackendRecord[] = [];
  #candidates: BackendRecord[] = [];
  readonly #hashing: boolean;
  readonly #pickAttempts: number;
  #panic = false;
  readonly #health: HealthChecker | undefined;
  readonly #outliers: OutlierDetector | undefined;
  readonly #breakerOptions: CircuitBreakerOptions | undefined;
  readonly #panicThreshold: number;
  readonly #slowStart: SlowStartPoolOptions | undefined;
  #slowStartTimer: ReturnType<typeof setInterval> | undefined;
  #nextUnejectAt = Number.POSITIVE_INFINITY;
  readonly #retryStatuses: readonly number[] | undefined;
  readonly #maxRetries: number;
  readonly #backoff: BackoffOptions | undefined;
  readonly #events: PoolEvent[] = [];
  readonly #eventLogSize: number;
  readonly #stateChanges: Listeners<BackendStateChange>;
  readonly #metrics: EngineMetrics | undefined;
  readonly #metricsSource = {
    name: '',
    backendsForMetrics: (): Iterable<BackendMetricsSource> => this.#gaugeSources(),
  };
  readonly #onListenerError: (error: unknown) => void;
  #closed = false;

  /**
   * @param backends - the initial members (`id` unique, `url` http: or https:, `weight` > 0).
   * @param options - see {@link PoolOptions}; defaults in `ENGINE_DEFAULTS`.
   * @throws `ERR_SREKIT_ENGINE_INVALID_OPTION` naming the bad backend or option.
   */
  constructor(backends: readonly BackendConfig[], options: PoolOptions = {}) {
    if (!Array.isArray(backends)) {
      invalidOption(
        'backends',
        'expected an array',
        'Give e.g. [{ id: "a", url: "http://10.0.0.7:8080" }].',
      );
    }
    this.name = options.name ?? 'default';
    if (typeof this.name !== 'string' || this.name === '') {
      invalidOption(
        'name',
        `${JSON.stringify(options.name)} is not a non-empty string`,
        'Give e.g. "orders".',
      );
    }
    this.#metricsSource.name = this.name;
    this.#clock = options.clock ?? (() => performance.now());
    const random: Random = options.random ?? Math.random;
    this.#onListenerError = options.onListenerError ?? reportListenerError;
    this.#stateChanges = new Listeners(this.#onListenerError);
    this.#eventLogSize = options.eventLogSize ?? 200;
    if (!(Number.isInteger(this.#eventLogSize) && this.#eventLogSize >= 0)) {
      invalidOption(
        'eventLogSize',
        `${this.#eventLogSize} is not an integer ≥ 0`,
        'Give e.g. 200.',
      );
    }
    this.#panicThreshold =
      options.panicThresholdPercent ?? ENGINE_DEFAULTS.outlier.panicThresholdPercent;
    if (!(this.#panicThreshold >= 0 && this.#panicThreshold <= 100)) {
      invalidOption(
        'panicThresholdPercent',
        `${this.#panicThreshold} is not a percentage in [0, 100]`,
        'Give e.g. 50, or 0 to turn panic mode off.',
      );
    }
    this.#slowStart = options.slowStart;
    if (this.#slowStart !== undefined && !(this.#slowStart.windowMs > 0)) {
      invalidOption(
        'slowStart.windowMs',
        `${this.#slowStart.windowMs} is not > 0`,
        'Give e.g. 30000, or omit slowStart.',
      );
    }

    const strategy = options.strategy ?? 'round-robin';
    this.#strategy =
      typeof strategy === 'string'
        ? createStrategy(strategy, { ...options.strategyOptions, clock: this.#clock, random })
        : strategy;
    // A hash ring rebuilt without an ejected backend would move other backends' keys too (a
    // ring's points per host depend on the host count); keeping every member on the ring and
    // skipping ineligible ones at pick time moves only the keys of the one that left, and brings
    // them back when it returns.
    this.#hashing = HASHING_STRATEGIES.has(this.#strategy.name);
    this.#pickAttempts = this.#hashing ? HASH_PICK_ATTEMPTS : PICK_ATTEMPTS;

    const retry = options.retry ?? {};
    this.retryOptions = retry;
    this.#maxRetries = retry.maxRetries ?? ENGINE_DEFAULTS.retry.maxRetries;
    if (!(Number.isInteger(this.#maxRetries) && this.#maxRetries >= 0)) {
      invalidOption(
        'retry.maxRetries',
        `${this.#maxRetries} is not an integer ≥ 0`,
        'Give e.g. 2.',
      );
    }
    this.#retryStatuses = retry.statuses;
    this.#backoff = retry.backoff;
    this.retryBudget = retry.budget === false ? undefined : new RetryBudget(retry.budget ?? {});

    this.#breakerOptions =
      options.circuitBreaker === false
        ? undefined
        : {
            ...(options.circuitBreaker === true ? {} : options.circuitBreaker),
            clock: this.#clock,
          };
    if (this.#breakerOptions !== undefined) new CircuitBreaker(this.#breakerOptions); // validates once

    if (options.outlierDetection !== false) {
      const outlierOptions: OutlierDetectorOptions =
        options.outlierDetection === true || options.outlierDetection === undefined
          ? {}
          : options.outlierDetection;
      const outliers = new OutlierDetector({ ...outlierOptions, clock: this.#clock });
      outliers.onEject((event) => {
        const record = this.#records.get(event.id);
        if (record === undefined) return;
        record.ejected = true;
        record.ejectedUntil = event.at + event.durationMs;
        if (record.ejectedUntil < this.#nextUnejectAt) this.#nextUnejectAt = record.ejectedUntil;
        this.#metrics?.ejections.inc({ pool: this.name, backend: event.id, reason: event.reason });
        this.#log(
          'ejected',
          event.id,
          `ejected (${event.reason}) for ${Math.round(event.durationMs)} ms, ejection #${event.ejections}`,
          event.at,
        );
        this.#update(event.id, `ejected: ${event.reason}`, event.at);
      });
      outliers.onUneject((event) => {
        const record = this.#records.get(event.id);
        if (record === undefined) return;
        record.ejected = false;
        this.#log('unejected', event.id, `ejection (${event.reason}) ended`, event.at);
        this.#update(event.id, 'ejection ended', event.at);
      });
      this.#outliers = outliers;
    }

    this.#metrics = options.registry === undefined ? undefined : engineMetrics(options.registry);
    this.#metrics?.sources.add(this.#metricsSource);

    if (options.healthCheck !== undefined && options.healthCheck !== false) {
      const healthOptions: HealthCheckerOptions =
        options.healthCheck === true ? {} : options.healthCheck;
      const health = new HealthChecker([], {
        ...healthOptions,
        clock: this.#clock,
        random,
        onListenerError: this.#onListenerError,
      });
      health.onStateChange((change) => {
        const record = this.#records.get(change.id);
        if (record === undefined) return;
        record.health = change.to;
        this.#log('health', change.id, `health ${change.from} → ${change.to} (${change.reason})`);
        this.#update(change.id, `health: ${change.reason}`);
      });
      const unejectOnPass = options.unejectOnHealthCheckPass ?? true;
      health.onCheck((result) => {
        if (!result.ok) {
          this.#metrics?.healthcheckFailures.inc({ pool: this.name, backend: result.id });
          return;
        }
        const record = this.#records.get(result.id);
        if (record === undefined) return;
        if (unejectOnPass && record.ejected) this.#outliers?.uneject(result.id);
        // A circuit opened while the backend was unreachable would keep it out for `openMs`
        // after it is back: a passing check lets the next request probe it instead (and a
        // backend that passes checks but fails requests gets one probe per check).
        record.breaker?.halfOpen();
      });
      this.#health = health;
    }

    const now = this.#clock();
    for (const backend of backends) this.#insert(backend, now, false);
    this.#update(undefined, 'created', now);
    this.#health?.start();
  }

  /**
   * Picks a backend for a request without starting one, or `undefined` when none can take
   * traffic. Prefer {@link Pool.acquire}, which also counts the request and takes a breaker permit.
   */
  pick(key?: string): BackendView | undefined {
    if (this.#closed) return undefined;
    const now = this.#clock();
    if (now >= this.#nextUnejectAt) this.#refreshEjections(now);
    for (let i = 0; i < this.#pickAttempts; i++) {
      const record = this.#recordOf(this.#strategy.pick(i === 0 ? key : hashKey(key, i)));
      if (record === undefined) return undefined;
      if (!record.candidate) continue;
      if (record.breaker === undefined || record.breaker.state !== 'open') return record.view;
    }
    return this.#candidates.find((r) => r.breaker === undefined || r.breaker.state !== 'open')
      ?.view;
  }

  /**
   * Starts a request: picks a backend the strategy chooses among the eligible ones (all of them in
   * panic mode) that is not in `exclude` and whose circuit admits the request, and counts it as
   * active. Returns `undefined` when there is none. End the lease with `lease.end(outcome)` or
   * `lease.cancel()`.
   */
  acquire(options?: AcquireOptions): Lease | undefined {
    if (this.#closed) return undefined;
    const now = this.#clock();
    if (now >= this.#nextUnejectAt) this.#refreshEjections(now);
    const key = options?.key;
    const exclude = options?.exclude;
    let chosen: BackendRecord | undefined;
    let permit: BreakerPermit | undefined;
    for (let i = 0; i < this.#pickAttempts && chosen === undefined; i++) {
      const record = this.#recordOf(this.#strategy.pick(i === 0 ? key : hashKey(key, i)));
      if (record === undefined) return undefined;
      if (!record.candidate || exclude?.has(record.view.id)) continue;
      permit = record.breaker === undefined ? NO_BREAKER : record.breaker.tryAcquire();
      if (permit !== undefined) chosen = record;
    }
    if (chosen === undefined) {
      // The strategy kept landing on refused backends: take the first admissible one, starting
      // at an offset from the key (the same fallback for the same key) or the clock (so the
      // fallback does not pile onto one backend).
      const candidates = this.#candidates;
      const n = candidates.length;
      const offset = n === 0 ? 0 : (key === undefined ? Math.floor(now) : hashString(key)) % n;
      for (let i = 0; i < n && chosen === undefined; i++) {
        const record = candidates[(offset + i) % n] as BackendRecord;
        if (exclude?.has(record.view.id)) continue;
        permit = record.breaker === undefined ? NO_BREAKER : record.breaker.tryAcquire();
        if (permit !== undefined) chosen = record;
      }
    }
    if (chosen === undefined || permit === undefined) return undefined;
    chosen.view.activeRequests++;
    this.#strategy.onRequestStart?.(chosen.view, now);
    const attempt = options?.attempt ?? 0;
    if (attempt > 0) this.#metrics?.retries.inc({ pool: this.name });
    return new PoolLease(this, chosen, permit, now);
  }

  /**
   * Runs `fn` against a backend the pool picks and records the outcome; retries failed tries on
   * other backends when the method is idempotent (or `retryNonIdempotent`), within the pool's
   * retry budget, with jittered backoff, a per-try timeout and an overall deadline. A try fails
   * when `fn` throws (connect failures, resets, timeouts, or an error with a `status`) or when
   * `outcomeOf(result)` is a retryable status; the last try's result or error is what you get.
   *
   * @throws `ERR_SREKIT_ENGINE_NO_HEALTHY_BACKEND` when no backend can take the call,
   *   `ERR_SREKIT_ENGINE_TIMEOUT` on a timeout, `ERR_SREKIT_ENGINE_POOL_CLOSED` after `close()`,
   *   or what `fn` threw.
   */
  async execute<T>(
    fn: (backend: BackendView, context: ExecuteTry) => Promise<T>,
    options: ExecuteOptions<T> = {},
  ): Promise<T> {
    if (this.#closed) throw poolClosedError(this.name);
    const method = (options.method ?? 'GET').toUpperCase();
    const maxRetries = options.maxRetries ?? this.#maxRetries;
    const optIn = options.retryNonIdempotent === true;
    const outcomeOf = options.outcomeOf ?? (() => 200);
    const statuses = this.#retryStatuses;
    const tried = new Set<string>();
    const hedging = options.hedge;
    const lastAttempt =
      hedging === undefined ? maxRetries : (hedging.maxHedges ?? ENGINE_DEFAULTS.retry.maxHedges);
    const tryOnce = async ({ attempt, signal }: ExecuteTry): Promise<T> => {
      if (this.#closed) throw poolClosedError(this.name);
      // Aborted before this try began: take no lease (no abort event would ever end it).
      signal.throwIfAborted();
      let lease = this.acquire({ key: options.key, exclude: tried, attempt });
      // Every backend was tried already: any admissible one is better than failing.
      if (lease === undefined && tried.size > 0)
        lease = this.acquire({ key: options.key, attempt });
      if (lease === undefined) throw noHealthyBackendError(this.name);
      const current = lease;
      tried.add(current.backend.id);
      const onAbort = (): void => {
        // A timeout says something about the backend; the caller giving up (or a hedge
        // that lost) does not.
        if (outcomeOfError(signal.reason) === 'timeout') current.end('timeout');
        else current.cancel();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      let result: T;
      try {
        result = await fn(current.backend, { attempt, signal });
      } catch (error) {
        if (signal.aborted) onAbort();
        else current.end(outcomeOfError(error));
        throw error;
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
      const outcome = outcomeOf(result);
      current.end(outcome);
      if (typeof outcome === 'number' && attempt < lastAttempt) {
        const decision = isRetryable(
          { method, status: outcome, optIn },
          statuses === undefined ? {} : { statuses },
        );
        if (decision.retryable) throw new RetryableResult(result, decision.retryAfterMs);
      }
      return result;
    };
    try {
      if (hedging !== undefined)
        return await this.#hedged(tryOnce, hedging, method, optIn, options);
      return await retryAsync(tryOnce, {
        maxRetries,
        ...(options.perTryTimeoutMs === undefined
          ? {}
          : { perTryTimeoutMs: options.perTryTimeoutMs }),
        ...(options.deadlineMs === undefined ? {} : { deadlineMs: options.deadlineMs }),
        ...(options.signal === undefined ? {} : { signal: options.signal }),
        ...(this.retryBudget === undefined ? {} : { budget: this.retryBudget }),
        ...(this.#backoff === undefined ? {} : { backoff: this.#backoff }),
        clock: this.#clock,
        shouldRetry: (error) => {
          if (error instanceof RetryableResult) {
            return error.retryAfter === undefined
              ? true
              : { retryable: true, reason: 'status', retryAfterMs: error.retryAfter };
          }
          if (isNoHealthyBackendError(error)) return false;
          return isRetryable({ method, error, optIn, bodyReplayable: true });
        },
      });
    } catch (error) {
      // Out of tries (or budget) on a retryable status: the caller gets that last result.
      if (error instanceof RetryableResult) return error.result as T;
      throw error;
    }
  }

  /**
   * `execute()` with hedging: another backend is tried when the first has not answered within
   * `delayMs`, up to `maxHedges` more; the first answer wins and the others are cancelled (their
   * leases released without blame). A try that fails starts the next at once. `deadlineMs` and
   * the caller's signal bound the whole call.
   */
  async #hedged<T>(
    tryOnce: (context: ExecuteTry) => Promise<T>,
    hedging: NonNullable<ExecuteOptions<T>['hedge']>,
    method: string,
    optIn: boolean,
    options: ExecuteOptions<T>,
  ): Promise<T> {
    if (!IDEMPOTENT_METHODS.has(method) && !optIn) {
      invalidOption(
        'hedge',
        `${method} is not idempotent: two tries may both change state`,
        'Hedge only idempotent calls, or pass retryNonIdempotent: true if the call is safe to repeat.',
      );
    }
    const controller = new AbortController();
    const follow = (): void => controller.abort(options.signal?.reason);
    options.signal?.addEventListener('abort', follow, { once: true });
    if (options.signal?.aborted) follow();
    const deadlineMs = options.deadlineMs;
    const timer =
      deadlineMs === undefined
        ? undefined
        : setTimeout(
            () => controller.abort(timeoutError('pool.execute()', deadlineMs)),
            deadlineMs,
          );
    try {
      return await hedge(tryOnce, {
        delayMs: hedging.delayMs,
        ...(hedging.maxHedges === undefined ? {} : { maxHedges: hedging.maxHedges }),
        signal: controller.signal,
        // Each hedge takes its lease with `attempt` > 0, which counts it in the retries metric.
      });
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', follow);
    }
  }

  /**
   * Adds a backend (slow start applies if configured). Health checks start for it at once.
   * @throws `ERR_SREKIT_ENGINE_INVALID_OPTION` for a bad definition or a duplicate id.
   */
  add(backend: BackendConfig): void {
    if (this.#closed) throw poolClosedError(this.name);
    const now = this.#clock();
    this.#insert(backend, now, true);
    this.#update(backend.id, 'added', now);
  }

  /**
   * Removes a backend at once; requests in flight to it finish, but their outcomes are no longer
   * recorded. Use `await pool.drain(id)` first to let them finish cleanly. Returns whether it was there.
   */
  remove(id: string): boolean {
    const record = this.#records.get(id);
    if (record === undefined) return false;
    record.removed = true;
    this.#records.delete(id);
    this.#ordered = this.#ordered.filter((r) => r !== record);
    this.#ordered.forEach((r, slot) => {
      r.view.slot = slot;
    });
    this.#health?.remove(id);
    this.#outliers?.removeBackend(id);
    for (const resolve of record.drainWaiters.splice(0)) resolve();
    this.#removeSeries(id);
    this.#log('removed', id, 'removed');
    this.#update(undefined, 'removed', this.#clock());
    return true;
  }

  /**
   * Stops new picks of backend `id` and resolves once its requests in flight have ended (at once
   * when there are none, or when it is removed). The backend stays a member in state `draining`
   * until `undrain(id)` or `remove(id)`.
   * @throws `ERR_SREKIT_ENGINE_UNKNOWN_BACKEND` for an id the pool does not have.
   */
  drain(id: string): Promise<void> {
    const record = this.#mustGet(id);
    if (!record.draining) {
      record.draining = true;
      this.#update(id, 'drain', this.#clock());
    }
    if (record.view.activeRequests === 0) return Promise.resolve();
    return new Promise((resolve) => record.drainWaiters.push(resolve));
  }

  /**
   * Returns a drained backend to service (with slow start if configured).
   * @throws `ERR_SREKIT_ENGINE_UNKNOWN_BACKEND` for an id the pool does not have.
   */
  undrain(id: string): void {
    const record = this.#mustGet(id);
    if (!record.draining) return;
    record.draining = false;
    this.#update(id, 'undrain', this.#clock());
  }

  /**
   * Changes the configured weight of backend `id` (> 0).
   * @throws `ERR_SREKIT_ENGINE_UNKNOWN_BACKEND`, or `ERR_SREKIT_ENGINE_INVALID_OPTION` for a bad weight.
   */
  setWeight(id: string, weight: number): void {
    const record = this.#mustGet(id);
    checkWeight(`weight of "${id}"`, weight);
    if (record.view.weight === weight) return;
    const previous = record.view.weight;
    record.view.weight = weight;
    const now = this.#clock();
    this.#log('weight', id, `weight ${previous} → ${weight}`, now);
    if (!this.#applySlowStart(now)) record.view.effectiveWeight = weight;
    this.#strategy.update(this.#strategyViews());
  }

  /** A snapshot of backend `id`, or `undefined`. */
  get(id: string): BackendSnapshot | undefined {
    const record = this.#records.get(id);
    if (record === undefined) return undefined;
    const now = this.#clock();
    if (now >= this.#nextUnejectAt) this.#refreshEjections(now);
    return snapshot(record);
  }

  /** A snapshot of the pool: every backend's state, counts and latency. */
  stats(): PoolStats {
    const now = this.#clock();
    if (now >= this.#nextUnejectAt) this.#refreshEjections(now);
    const backends = this.#ordered.map(snapshot);
    return {
      name: this.name,
      strategy: this.#strategy.name,
      eligible: this.#ordered.filter((r) => r.eligible).length,
      total: this.#ordered.length,
      panic: this.#panic,
      backends,
    };
  }

  /** The event log, oldest first: membership, state, ejections, circuit and health changes. */
  events(): readonly PoolEvent[] {
    return this.#events.slice();
  }

  /** Calls `listener` whenever a backend's state (healthy/unhealthy/ejected/draining) changes. */
  onBackendStateChange(listener: (change: BackendStateChange) => void): Disposable {
    return this.#stateChanges.add(listener);
  }

  /** Whether `close()` was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Stops health checks and the slow-start timer and takes the pool's backends out of the
   * metrics. Requests in flight finish; new `acquire()`/`pick()` calls get `undefined` and
   * `execute()` throws `ERR_SREKIT_ENGINE_POOL_CLOSED`. Idempotent.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#slowStartTimer);
    this.#slowStartTimer = undefined;
    this.#metrics?.sources.delete(this.#metricsSource);
    await this.#health?.close();
  }

  /** @internal Lease end: feeds every part of the record. */
  [ENDED](lease: PoolLease, outcome: RequestOutcome, at: number | undefined): void {
    const now = at ?? this.#clock();
    const record = lease.record;
    const view = record.view;
    view.activeRequests--;
    const latencyMs = now - lease.startedAt;
    const ok = typeof outcome === 'number' && outcome < 500;
    this.#strategy.onRequestEnd?.(view, latencyMs, ok, now);
    if (ok) lease.permit.success(now);
    else lease.permit.failure(now);
    record.requests++;
    if (!ok) record.errors++;
    record.latency.record(latencyMs);
    const outcomeSlot = outcomeIndex(outcome);
    record.outcomes[outcomeSlot] = (record.outcomes[outcomeSlot] as number) + 1;
    const seconds = latencyMs / 1000;
    const bucket = durationBucket(seconds);
    record.durationCounts[bucket] = (record.durationCounts[bucket] as number) + 1;
    record.durationSum += seconds;
    if (!record.removed) this.#outliers?.record(view.id, outcome, now);
    if (view.activeRequests === 0 && record.drainWaiters.length > 0) {
      for (const resolve of record.drainWaiters.splice(0)) resolve();
    }
  }

  /** @internal Lease cancelled: only the active count and the breaker permit are released. */
  [CANCELLED](lease: PoolLease): void {
    const record = lease.record;
    record.view.activeRequests--;
    lease.permit.release();
    if (record.view.activeRequests === 0 && record.drainWaiters.length > 0) {
      for (const resolve of record.drainWaiters.splice(0)) resolve();
    }
  }

  #insert(backend: BackendConfig, now: number, slowStart: boolean): void {
    checkBackend(backend, this.#records);
    const breaker =
      this.#breakerOptions === undefined ? undefined : new CircuitBreaker(this.#breakerOptions);
    const record = new BackendRecord(backend, breaker, this.#ordered.length);
    if (breaker !== undefined) {
      breaker.onStateChange((change) => {
        this.#log('circuit', backend.id, `circuit ${change.previous} → ${change.state}`, change.at);
      });
    }
    if (slowStart && this.#slowStart !== undefined) record.slowStartSince = now;
    this.#records.set(backend.id, record);
    this.#ordered.push(record);
    this.#outliers?.addBackend(backend.id);
    this.#health?.add({ id: backend.id, url: backend.url });
    this.#log('added', backend.id, `added (${backend.url}, weight ${record.view.weight})`, now);
  }

  /**
   * Recomputes every backend's state, emits the changes (with `reason` for backend `id`), applies
   * panic mode and slow start and hands the candidates to the strategy. O(n); runs on membership,
   * health, ejection and drain changes, never per request.
   */
  #update(id: string | undefined, reason: string, at: number = this.#clock()): void {
    const changes: BackendStateChange[] = [];
    for (const record of this.#ordered) {
      const state = stateOf(record);
      if (state === record.state) continue;
      const from = record.state;
      record.state = state;
      if (
        state === 'healthy' &&
        (from === 'unhealthy' || from === 'ejected') &&
        this.#slowStart !== undefined
      ) {
        record.slowStartSince = at;
      }
      changes.push({
        pool: this.name,
        id: record.view.id,
        from,
        to: state,
        reason: record.view.id === id ? reason : 'state recomputed',
        at,
      });
    }
    const eligible = this.#ordered.filter((r) => r.eligible);
    const members = this.#ordered.filter((r) => !r.draining);
    const panic = isPanic(members.length, eligible.length, this.#panicThreshold);
    if (panic !== this.#panic) {
      this.#panic = panic;
      this.#log(
        'panic',
        undefined,
        panic
          ? `panic: ${eligible.length} of ${members.length} backends eligible, routing to all ${members.length}`
          : `panic over: ${eligible.length} of ${members.length} backends eligible`,
        at,
      );
    }
    this.#candidates = panic ? members : eligible;
    for (const record of this.#ordered) record.candidate = false;
    for (const record of this.#candidates) record.candidate = true;
    this.#applySlowStart(at);
    this.#strategy.update(this.#strategyViews());
    for (const change of changes) {
      this.#log('state', change.id, `${change.from} → ${change.to} (${change.reason})`, at);
      this.#stateChanges.emit(change);
    }
  }

  /** Sets effective weights from slow start and keeps the refresh timer running while needed. */
  #applySlowStart(now: number): boolean {
    const slowStart = this.#slowStart;
    if (slowStart === undefined) return false;
    let ramping = false;
    for (const record of this.#ordered) {
      const view = record.view;
      if (record.slowStartSince === undefined) {
        view.effectiveWeight = view.weight;
        continue;
      }
      if (now - record.slowStartSince >= slowStart.windowMs) {
        record.slowStartSince = undefined;
        view.effectiveWeight = view.weight;
        continue;
      }
      ramping = true;
      view.effectiveWeight = slowStartWeight(
        view.weight,
        { ...slowStart, sinceMs: record.slowStartSince },
        now,
      );
    }
    if (ramping && this.#slowStartTimer === undefined && !this.#closed) {
      // Weighted strategies rebuild from weights in update(): refresh 20 times over the window.
      const stepMs = Math.max(50, slowStart.windowMs / 20);
      this.#slowStartTimer = setInterval(() => {
        if (this.#applySlowStart(this.#clock())) {
          this.#strategy.update(this.#strategyViews());
        }
      }, stepMs);
      this.#slowStartTimer.unref();
    } else if (!ramping && this.#slowStartTimer !== undefined) {
      clearInterval(this.#slowStartTimer);
      this.#slowStartTimer = undefined;
      this.#strategy.update(this.#strategyViews());
    }
    return ramping;
  }

  /** Ends due ejections (the detector emits `onUneject`, which updates the pool). */
  #refreshEjections(now: number): void {
    const outliers = this.#outliers;
    this.#nextUnejectAt = Number.POSITIVE_INFINITY;
    if (outliers === undefined) return;
    for (const record of this.#ordered) {
      if (!record.ejected) continue;
      if (!outliers.isEjected(record.view.id, now)) continue;
      if (record.ejectedUntil < this.#nextUnejectAt) this.#nextUnejectAt = record.ejectedUntil;
    }
  }

  /** What the strategy picks from: every member for hash rings, the candidates otherwise. */
  #strategyViews(): BackendView[] {
    return (this.#hashing ? this.#ordered : this.#candidates).map((r) => r.view);
  }

  #recordOf(view: BackendView | undefined): BackendRecord | undefined {
    if (view === undefined) return undefined;
    const bySlot = this.#ordered[view.slot];
    return bySlot !== undefined && bySlot.view === view ? bySlot : this.#records.get(view.id);
  }

  #mustGet(id: string): BackendRecord {
    const record = this.#records.get(id);
    if (record === undefined) throw unknownBackendError(this.name, id);
    return record;
  }

  *#gaugeSources(): Iterable<BackendMetricsSource> {
    const now = this.#clock();
    if (now >= this.#nextUnejectAt) this.#refreshEjections(now);
    for (const record of this.#ordered) {
      yield {
        id: record.view.id,
        up: record.state === 'healthy',
        activeRequests: record.view.activeRequests,
        circuit: record.breaker?.state,
        outcomes: record.outcomes,
        durationCounts: record.durationCounts,
        durationSum: record.durationSum,
      };
    }
  }

  #removeSeries(id: string): void {
    const metrics = this.#metrics;
    if (metrics === undefined) return;
    // Request counts and durations are read from the records at scrape time: a removed
    // backend's series go with it. The event counters need removing.
    metrics.healthcheckFailures.remove({ pool: this.name, backend: id });
    for (const reason of EJECTION_REASONS) {
      metrics.ejections.remove({ pool: this.name, backend: id, reason });
    }
  }

  #log(
    kind: PoolEventKind,
    id: string | undefined,
    message: string,
    at: number = this.#clock(),
  ): void {
    if (this.#eventLogSize === 0) return;
    const event: PoolEvent = {
      kind,
      ...(id === undefined ? {} : { id }),
      message,
      at,
      time: Date.now(),
    };
    this.#events.push(event);
    if (this.#events.length > this.#eventLogSize) this.#events.shift();
  }
}

function stateOf(record: BackendRecord): BackendState {
  if (record.draining) return 'draining';
  if (record.ejected) return 'ejected';
  if (record.health === 'unhealthy') return 'unhealthy';
  return 'healthy';
}

function snapshot(record: BackendRecord): BackendSnapshot {
  const { config, view } = record;
  return {
    id: view.id,
    url: view.url,
    ...(config.zone === undefined ? {} : { zone: config.zone }),
    ...(config.metadata === undefined ? {} : { metadata: config.metadata }),
    weight: view.weight,
    effectiveWeight: view.effectiveWeight,
    state: record.state,
    health: record.health,
    ejected: record.ejected,
    draining: record.draining,
    circuit: record.breaker?.state ?? 'disabled',
    activeRequests: view.activeRequests,
    requests: record.requests,
    errors: record.errors,
    latency: record.latency.summary(),
  };
}

/** The hash key of pick attempt `i` > 0: another point on the ring for the same request. */
function hashKey(key: string | undefined, i: number): string | undefined {
  return key === undefined ? undefined : `${key}\u0000${i}`;
}

function checkWeight(option: string, weight: unknown): void {
  if (!(typeof weight === 'number' && Number.isFinite(weight) && weight > 0)) {
    invalidOption(
      option,
      `${String(weight)} is not a number > 0`,
      'Give e.g. 1 (the default) or 2.',
    );
  }
}

function checkBackend(backend: BackendConfig, known: ReadonlyMap<string, unknown>): void {
  if (typeof backend !== 'object' || backend === null) {
    invalidOption('backend', `${String(backend)} is not an object`, 'Give { id, url, weight? }.');
  }
  const { id, url } = backend;
  if (typeof id !== 'string' || id === '') {
    invalidOption(
      'backend.id',
      `${JSON.stringify(id)} is not a non-empty string`,
      'Give each backend a unique id, e.g. "orders-1".',
    );
  }
  if (known.has(id)) {
    invalidOption('backend.id', `"${id}" is already in the pool`, 'Give each backend a unique id.');
  }
  let parsed: URL | undefined;
  try {
    parsed = typeof url === 'string' ? new URL(url) : undefined;
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    invalidOption(
      `backend "${id}" url`,
      `${JSON.stringify(url)} is not an http: or https: URL`,
      'Give e.g. http://10.0.0.7:8080.',
    );
  }
  if (backend.weight !== undefined) checkWeight(`backend "${id}" weight`, backend.weight);
}
