/**
 * @srekit/engine — client-side load balancing and reliability for Node.js services: strategies,
 * health checks, outlier detection, circuit breakers and retries over one per-backend record.
 *
 * @packageDocumentation
 */
export { BrokenCircuitError, isBrokenCircuitError } from './breaker/broken-circuit-error.js';
export type {
  BreakerMode,
  BreakerPermit,
  CircuitBreakerOptions,
  CircuitBreakerStats,
  CircuitState,
  CircuitStateChange,
} from './breaker/circuit-breaker.js';
export { CircuitBreaker } from './breaker/circuit-breaker.js';
export { ENGINE_DEFAULTS, STRATEGY_DEFAULTS } from './defaults.js';
export type { EngineErrorCode } from './errors.js';
export { ENGINE_ERROR_CODES, isNoHealthyBackendError, isTimeoutError } from './errors.js';
export type {
  HealthCheckerOptions,
  HealthCheckResult,
  HealthCheckTarget,
  HealthState,
  HealthStateChange,
} from './health/health-checker.js';
export { HealthChecker } from './health/health-checker.js';
export { CIRCUIT_STATES, FAILURE_OUTCOMES, LABELS, METRICS, OUTCOMES } from './metrics.js';
export type {
  EjectEvent,
  EjectionReason,
  OutlierDetectorOptions,
  RequestOutcome,
  UnejectEvent,
} from './outlier/outlier-detector.js';
export { OutlierDetector } from './outlier/outlier-detector.js';
export { isPanic } from './outlier/panic.js';
export { outcomeOfError } from './pool/outcome.js';
export { Pool } from './pool/pool.js';
export type {
  AcquireOptions,
  BackendSnapshot,
  BackendState,
  BackendStateChange,
  ExecuteOptions,
  ExecuteTry,
  LatencySummary,
  Lease,
  PoolEvent,
  PoolEventKind,
  PoolOptions,
  PoolRetryOptions,
  PoolStats,
  SlowStartPoolOptions,
} from './pool/types.js';
export { createProxy } from './proxy/create-proxy.js';
export { PROXY_DEFAULTS } from './proxy/defaults.js';
export type { ProxyErrorCode, ProxyProblem } from './proxy/problem.js';
export { PROXY_ERROR_CODES } from './proxy/problem.js';
export type {
  ProxyCloseOptions,
  ProxyCloseResult,
  ProxyHandler,
  ProxyOptions,
  ProxyPool,
  ProxyTlsOptions,
  StickyOption,
} from './proxy/types.js';
export type { BackoffJitter, BackoffOptions } from './retry/backoff.js';
export { backoffDelay } from './retry/backoff.js';
export type { HedgeOptions } from './retry/hedge.js';
export { hedge } from './retry/hedge.js';
export type {
  RetryableInput,
  RetryableOptions,
  RetryDecision,
  RetryReason,
} from './retry/is-retryable.js';
export {
  IDEMPOTENT_METHODS,
  isRetryable,
  parseRetryAfter,
  RETRYABLE_ERROR_CODES,
} from './retry/is-retryable.js';
export type { RetryAsyncOptions, RetryEvent, TryContext } from './retry/retry-async.js';
export { retryAsync } from './retry/retry-async.js';
export type { Release, RetryBudgetOptions } from './retry/retry-budget.js';
export { RetryBudget } from './retry/retry-budget.js';
export type { SlowStartOptions } from './slow-start.js';
export { slowStartWeight } from './slow-start.js';
export { createStrategy, STRATEGY_NAMES } from './strategies/create-strategy.js';
export { hashString } from './strategies/hash.js';
export { LeastRequestStrategy } from './strategies/least-request.js';
export { MaglevStrategy } from './strategies/maglev.js';
export type { StrategyOptions } from './strategies/options.js';
export { PeakEwmaStrategy } from './strategies/p2c-ewma.js';
export { RandomStrategy } from './strategies/random.js';
export { RingHashStrategy } from './strategies/ring-hash.js';
export { RoundRobinStrategy } from './strategies/round-robin.js';
export { WeightedRoundRobinStrategy } from './strategies/weighted-round-robin.js';
export type {
  BackendConfig,
  BackendView,
  Clock,
  Disposable,
  Random,
  Strategy,
  StrategyName,
} from './types.js';
