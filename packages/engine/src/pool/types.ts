import type { Registry } from 'prom-client';
import type { CircuitBreakerOptions, CircuitState } from '../breaker/circuit-breaker.js';
import type { HealthCheckerOptions, HealthState } from '../health/health-checker.js';
import type { OutlierDetectorOptions, RequestOutcome } from '../outlier/outlier-detector.js';
import type { BackoffOptions } from '../retry/backoff.js';
import type { RetryBudgetOptions } from '../retry/retry-budget.js';
import type { StrategyOptions } from '../strategies/options.js';
import type { BackendView, Clock, Random, Strategy, StrategyName } from '../types.js';

/**
 * Where a backend stands, most important first: `draining` (taking no new picks), `ejected`
 * (passive outlier detection), `unhealthy` (active health checks), `healthy`. A backend whose
 * health is not known yet (no check ran) counts as `healthy`.
 */
export type BackendState = 'healthy' | 'unhealthy' | 'ejected' | 'draining';

/** Slow start: new and returning backends ramp up their weight (Envoy's formula). */
export interface SlowStartPoolOptions {
  /** Length of the ramp in ms. */
  readonly windowMs: number;
  /** Curve exponent: 1 is linear. Default 1. */
  readonly aggression?: number;
  /** Floor of the weight during the ramp, in percent. Default 10. */
  readonly minWeightPercent?: number;
}

/** Options of `new Pool(backends, options)`. */
export interface PoolOptions {
  /** Name of the pool: the `pool` label of its metrics and the prefix of its events. Default `'default'`. */
  readonly name?: string;
  /** A built-in strategy by name, or your own. Default `'round-robin'` (Envoy's default). */
  readonly strategy?: StrategyName | Strategy;
  /** Options of the built-in strategy (the pool's clock and random source are passed in). */
  readonly strategyOptions?: Omit<StrategyOptions, 'clock' | 'random'>;
  /** Active health checks; off unless given. `true` uses every default. */
  readonly healthCheck?: HealthCheckerOptions | boolean;
  /** Passive outlier detection; on with Envoy's defaults unless `false`. */
  readonly outlierDetection?: OutlierDetectorOptions | boolean;
  /**
   * Whether a passing active health check ends an outlier ejection at once, as Envoy's
   * `successful_active_health_check_uneject_host` (default true there and here). Only matters
   * with both health checks and outlier detection on.
   */
  readonly unejectOnHealthCheckPass?: boolean;
  /** A circuit breaker per backend; on with the defaults unless `false`. */
  readonly circuitBreaker?: Omit<CircuitBreakerOptions, 'clock'> | boolean;
  /** Below this share (in percent) of eligible backends the pool routes to all of them. Default 50; 0 turns panic off. */
  readonly panicThresholdPercent?: number;
  /** Slow start for added backends and backends that come back; off unless given. */
  readonly slowStart?: SlowStartPoolOptions;
  /** Retry policy of `pool.execute()` and the proxy. */
  readonly retry?: PoolRetryOptions;
  /** prom-client registry (core's `telemetry.registry`) to register the engine's metrics on. */
  readonly registry?: Registry;
  /** Entries kept in the event log (`pool.events()`). Default 200. */
  readonly eventLogSize?: number;
  /** Clock in ms (default `performance.now`), shared by every part of the pool. */
  readonly clock?: Clock;
  /** Random source (default `Math.random`), shared by every part of the pool. */
  readonly random?: Random;
  /** Called when one of your listeners throws. Default: a process warning. */
  readonly onListenerError?: (error: unknown) => void;
}

/** Retry policy shared by `pool.execute()` and `createProxy()`. */
export interface PoolRetryOptions {
  /** Retries after the first try. Default 2. */
  readonly maxRetries?: number;
  /** Retry budget (Envoy's): retries in flight allowed, in percent of requests in flight, with a floor. */
  readonly budget?: RetryBudgetOptions | false;
  /** Backoff between tries. */
  readonly backoff?: BackoffOptions;
  /** Statuses that are retried. Default 429 (within `maxRetryAfterMs`), 502, 503, 504. */
  readonly statuses?: readonly number[];
}

/** A backend as `pool.get(id)` and `pool.stats()` describe it. */
export interface BackendSnapshot {
  readonly id: string;
  readonly url: string;
  readonly zone?: string;
  readonly metadata?: Readonly<Record<string, string>>;
  /** Configured weight. */
  readonly weight: number;
  /** Weight in use now (after slow start). */
  readonly effectiveWeight: number;
  readonly state: BackendState;
  /** Active health state (`unknown` before the first check or without health checks). */
  readonly health: HealthState;
  readonly ejected: boolean;
  readonly draining: boolean;
  readonly circuit: CircuitState | 'disabled';
  readonly activeRequests: number;
  /** Requests ended since the backend joined (results recorded with `lease.end()`). */
  readonly requests: number;
  /** Of which failed: 5xx, connect failures, timeouts, resets. */
  readonly errors: number;
  /** Latency of ended requests (ms): count and quantiles from a fixed-bucket histogram. */
  readonly latency: LatencySummary;
}

/** Latency summary of a backend, from a fixed-bucket histogram (upper-bound estimates). */
export interface LatencySummary {
  readonly count: number;
  readonly meanMs: number | undefined;
  readonly p50Ms: number | undefined;
  readonly p90Ms: number | undefined;
  readonly p99Ms: number | undefined;
}

/** `pool.stats()`: a snapshot of the pool. */
export interface PoolStats {
  readonly name: string;
  readonly strategy: string;
  /** Backends that can take picks now. */
  readonly eligible: number;
  readonly total: number;
  /** True when fewer than `panicThresholdPercent` are eligible and the pool routes to all. */
  readonly panic: boolean;
  readonly backends: readonly BackendSnapshot[];
}

/** `onBackendStateChange` event. */
export interface BackendStateChange {
  readonly pool: string;
  readonly id: string;
  readonly from: BackendState;
  readonly to: BackendState;
  /** What caused it, e.g. `health: status 503`, `ejected: consecutive-5xx`, `drain`. */
  readonly reason: string;
  readonly at: number;
}

/** Kinds of entries in the event log. */
export type PoolEventKind =
  | 'added'
  | 'removed'
  | 'weight'
  | 'state'
  | 'ejected'
  | 'unejected'
  | 'circuit'
  | 'health'
  | 'panic';

/** One entry of `pool.events()`. */
export interface PoolEvent {
  readonly kind: PoolEventKind;
  readonly id?: string;
  readonly message: string;
  /** Clock time of the pool clock. */
  readonly at: number;
  /** Wall-clock time (epoch ms). */
  readonly time: number;
}

/** Options of `pool.acquire()`. */
export interface AcquireOptions {
  /** Hash key for consistent-hashing strategies (sticky sessions). */
  readonly key?: string;
  /** Backends not to pick (e.g. ones that failed this request already). */
  readonly exclude?: ReadonlySet<string>;
  /** Try number of the request: 0 (default) for the first, > 0 counts in `loadbalancer_retries_total`. */
  readonly attempt?: number;
}

/**
 * One request to one backend, from `pool.acquire()`: counts as active until ended. Call exactly one
 * of `end()` (the backend answered or failed: feeds strategy, outlier detection, breaker,
 * statistics and metrics) or `cancel()` (the caller gave up before an outcome: only the active
 * count is released). Later calls are ignored.
 */
export interface Lease {
  readonly backend: BackendView;
  /** Pool clock time at which the lease was taken. */
  readonly startedAt: number;
  /** Records the outcome: an HTTP status, or `connect-failure`, `timeout`, `reset`. */
  end(outcome: RequestOutcome, at?: number): void;
  /** Releases the lease without recording an outcome. */
  cancel(): void;
}

/** Context of one try of `pool.execute()`. */
export interface ExecuteTry {
  /** 0 for the first try. */
  readonly attempt: number;
  /** Aborted on per-try timeout, deadline or the caller's signal. */
  readonly signal: AbortSignal;
}

/** Options of `pool.execute()`. */
export interface ExecuteOptions<T> {
  /** Hash key (sticky). */
  readonly key?: string;
  /** HTTP method of the call; only idempotent methods are retried unless `retryNonIdempotent`. Default `GET`. */
  readonly method?: string;
  /** Retry a non-idempotent call too (its body must be replayable). Default false. */
  readonly retryNonIdempotent?: boolean;
  /** Retries after the first try; overrides the pool's `retry.maxRetries`. */
  readonly maxRetries?: number;
  /** Timeout of each try in ms. */
  readonly perTryTimeoutMs?: number;
  /** Timeout of the whole call in ms. */
  readonly deadlineMs?: number;
  readonly signal?: AbortSignal;
  /**
   * Hedged requests ("The Tail at Scale") instead of sequential retries: when a try has not
   * answered after `delayMs` (about the p95 latency), another backend is tried as well, up to
   * `maxHedges` (default 1) more; the first answer wins, the others are cancelled. Idempotent
   * calls only (or `retryNonIdempotent`). `perTryTimeoutMs`, `maxRetries` and the retry budget
   * do not apply; `deadlineMs` and `signal` do.
   */
  readonly hedge?: { readonly delayMs: number; readonly maxHedges?: number };
  /**
   * The outcome of a successful try for the pool's records: an HTTP status when `T` carries one.
   * Default: 200 (a resolved try is a success); a rejected try counts as `connect-failure`,
   * `timeout` or `reset` by its error code.
   */
  readonly outcomeOf?: (result: T) => RequestOutcome;
}

export type { RequestOutcome };
