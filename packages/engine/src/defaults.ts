/**
 * Defaults of `@srekit/engine`, one block per part; docs and tests import them from here. Each
 * part adds its block below.
 */
export const ENGINE_DEFAULTS = {
  /** Weight of a backend that gives none. */
  weight: 1,
  /** Active health checks (`new HealthChecker(options)`). */
  healthCheck: {
    /** Path requested with GET on each target's URL. */
    path: '/readyz',
    /** Time between the end of one check of a target and the start of the next. */
    intervalMs: 2_000,
    /** Each interval is drawn uniformly in `intervalMs × (1 ± jitterPercent / 100)`. */
    jitterPercent: 10,
    /** A check that has not answered within this time fails (and is aborted). */
    timeoutMs: 1_000,
    /** Inclusive status ranges that count as healthy. */
    expectedStatuses: [[200, 299]] as readonly (readonly [number, number])[],
    /** Consecutive successes that make an unhealthy target healthy (HAProxy `rise`). */
    healthyThreshold: 2,
    /** Consecutive failures that make a healthy target unhealthy (HAProxy `fall`). */
    unhealthyThreshold: 3,
    /** State of a target before its first check; `unknown` takes traffic. */
    initialState: 'unknown',
  },
  /** Retries (`isRetryable`, `RetryBudget`, `backoffDelay`, `retryAsync`, `hedge`). */
  retry: {
    /** Retries after the first try (`retryAsync`). */
    maxRetries: 2,
    /** Statuses that are retried (429 only within `maxRetryAfterMs`). */
    retryableStatuses: [429, 502, 503, 504] as readonly number[],
    /** Longest `Retry-After` that is honoured; a longer one makes the response final. */
    maxRetryAfterMs: 10_000,
    /** Retry budget: concurrent retries allowed, in percent of the requests in flight (Envoy). */
    budgetPercent: 20,
    /** Retry budget: concurrent retries always allowed, whatever the load (Envoy). */
    minRetryConcurrency: 3,
    /** Backoff: base delay (Envoy's `base_interval`). */
    backoffBaseMs: 25,
    /** Backoff: largest delay (Envoy's default, 10 × base). */
    backoffMaxMs: 250,
    /** Backoff: jitter kind (AWS architecture blog, "Exponential Backoff And Jitter"). */
    backoffJitter: 'full',
    /** Hedging: extra tries started while earlier ones have not answered. */
    maxHedges: 1,
  },
} as const;
