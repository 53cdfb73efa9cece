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
  /** Circuit breaker (`new CircuitBreaker(options)`). */
  breaker: {
    /** Failure-counting mode. */
    mode: 'consecutive',
    /** `consecutive` mode: consecutive failures that open the circuit. */
    consecutiveFailures: 5,
    /** `count` mode: size of the window of most recent calls. */
    countWindowCalls: 20,
    /** `count` mode: failures among the last `countWindowCalls` calls that open the circuit. */
    countFailures: 10,
    /** `sampling` mode: length of the rolling window (opossum's `rollingCountTimeout`). */
    samplingWindowMs: 10_000,
    /** `sampling` mode: buckets in the window (opossum's `rollingCountBuckets`). */
    samplingBuckets: 10,
    /** `sampling` mode: opens when failures / calls × 100 is strictly greater than this. */
    samplingThresholdPercent: 50,
    /** `sampling` mode: calls in the window before the ratio is considered. */
    samplingVolumeThreshold: 20,
    /** Time the circuit stays open before admitting half-open probes. */
    openMs: 30_000,
    /** Probes admitted concurrently while half-open. */
    halfOpenMaxProbes: 1,
    /** Successful probes that close the circuit. */
    halfOpenSuccessThreshold: 1,
  },
  /** Passive outlier detection (`new OutlierDetector(options)`), Envoy's defaults. */
  outlier: {
    /** Evaluation interval of success-rate and failure-percentage ejection. */
    intervalMs: 10_000,
    /** Consecutive 5xx (or local-origin failures) that eject a backend; 0 turns it off. */
    consecutive5xx: 5,
    /** Consecutive gateway errors (502, 503, 504, local-origin failures) that eject; 0 turns it off. */
    consecutiveGatewayFailure: 5,
    /** Whether success-rate ejection is enforced (Envoy: `enforcing_success_rate` 100 %). */
    successRateEnabled: true,
    /** Whether failure-percentage ejection is enforced (Envoy: `enforcing_failure_percentage` 0 %). */
    failurePercentageEnabled: false,
    /** Base ejection time, multiplied by the number of times the backend was ejected. */
    baseEjectionTimeMs: 30_000,
    /** Cap of the ejection time. */
    maxEjectionTimeMs: 300_000,
    /** Largest share of backends ejected at once (at least one backend can always be ejected). */
    maxEjectionPercent: 10,
    /** Success-rate ejection: `sr < mean − stdev × successRateStdevFactor`. */
    successRateStdevFactor: 1.9,
    /** Success-rate ejection: backends with enough volume needed for the statistic. */
    successRateMinimumHosts: 5,
    /** Success-rate ejection: requests a backend needs in the interval to count. */
    successRateRequestVolume: 100,
    /** Failure-percentage ejection: failure percentage at or above which a backend is ejected. */
    failurePercentageThreshold: 85,
    /** Failure-percentage ejection: backends with enough volume needed. */
    failurePercentageMinimumHosts: 5,
    /** Failure-percentage ejection: requests a backend needs in the interval to count. */
    failurePercentageRequestVolume: 50,
    /** Below this share of eligible backends the pool routes to all of them (panic). */
    panicThresholdPercent: 50,
  },
  /** Slow start (`slowStartWeight()`), Envoy's defaults. */
  slowStart: {
    /** Curve exponent: 1 is linear, larger ramps up faster at first. */
    aggression: 1,
    /** Floor of the weight during the window, in percent of the configured weight. */
    minWeightPercent: 10,
  },
} as const;

/** Defaults of the load-balancing strategies (`createStrategy()` options). */
export const STRATEGY_DEFAULTS = {
  /** least-request: exponent of `active + 1` in Envoy's weighted formula. */
  activeRequestBias: 1,
  /** p2c-ewma: decay time τ of the peak EWMA, in ms (Finagle's default, 10 s). */
  decayTimeMs: 10_000,
  /** p2c-ewma: the smallest latency sample (ms) a failed request counts as; 0 turns it off. */
  failurePenaltyMs: 1_000,
  /** ring-hash: smallest ring, in entries (Envoy's `minimum_ring_size`). */
  minRingSize: 1_024,
  /** ring-hash: largest ring, in entries (Envoy's `maximum_ring_size`, 8 Mi). */
  maxRingSize: 8_388_608,
  /** maglev: lookup table size, a prime (Envoy's default). */
  tableSize: 65_537,
  /**
   * ring-hash and maglev: bounded-load factor `c` (> 1); `undefined` turns bounded load off.
   * A host with `c` × its fair share of active requests is skipped.
   */
  boundedLoadFactor: undefined as number | undefined,
} as const;
