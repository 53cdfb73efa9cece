/**
 * Defaults of the mixin alerts, in one place: the runbook and Grafana bases, the uids of the
 * dashboards alerts link to, and every threshold. Docs (`docs/runbooks.md`) and tests read these.
 */

/** Default `runbookBaseUrl`: the repository's runbook page. */
export const DEFAULT_RUNBOOK_BASE_URL =
  'https://github.com/srekit/srekit/blob/main/docs/runbooks.md';

/** Default `grafanaUrl`: `/`, so `dashboard_url` is a path relative to the Grafana a team uses. */
export const DEFAULT_GRAFANA_URL = '/';

export { DASHBOARD_UIDS, type DashboardUid } from '../mixins/dashboard-uids.js';

/**
 * Thresholds, windows and `for:` durations of every mixin alert. Windows are explicit ranges
 * (alert rules cannot use Grafana's `$__rate_interval`); `for` is how long the condition must
 * hold before the alert fires.
 */
export const ALERT_THRESHOLDS = {
  /** `up == 0` for 5 minutes. */
  targetDown: { for: '5m' },
  /** No `process_start_time_seconds` series at all for 10 minutes. */
  scrapeMissing: { for: '10m' },
  /** 5xx responses above 5 % of requests over 5 minutes, for 5 minutes. */
  high5xxRatio: { ratio: 0.05, window: '5m', for: '5m' },
  /** p99 request duration above 1 s over 5 minutes, for 10 minutes. */
  highP99Latency: { seconds: 1, quantile: 0.99, window: '5m', for: '10m' },
  /** Event-loop delay p99 above 200 ms for 10 minutes. */
  eventLoopLag: { seconds: 0.2, for: '10m' },
  /** Used heap above 90 % of the heap V8 has committed, for 15 minutes. */
  heapNearLimit: { ratio: 0.9, for: '15m' },
  /** 3 or more process restarts within 30 minutes. */
  restarts: { count: 3, window: '30m' },
  /** Any observation folded into an overflow series within 15 minutes. */
  droppedSeries: { window: '15m' },
  /** More than 1 % of sampled spans dropped (queue full or failed export) over 15 minutes, for 15 minutes. */
  spansDropped: { ratio: 0.01, window: '15m', for: '15m' },
  /** More than 1 rate-limited request per second (per policy) over 5 minutes, for 5 minutes. */
  rateLimitSpike: { perSecond: 1, window: '5m', for: '5m' },
  /** More than 1 failed login per second (per method, JWT excluded) over 5 minutes, for 5 minutes. */
  authFailureSpike: { perSecond: 1, window: '5m', for: '5m' },
  /** More than 10 lockouts within 15 minutes. */
  lockouts: { count: 10, window: '15m' },
  /** Any refresh-token reuse within 10 minutes. */
  refreshTokenReuse: { window: '10m' },
  /**
   * More than 1 rejected JWT per second (per reason) over 5 minutes, for 5 minutes. `expired`
   * and `missing` are left out: clients refresh expired tokens and anonymous requests carry none.
   */
  jwtRejectionSpike: {
    perSecond: 1,
    window: '5m',
    for: '5m',
    ignoredReasons: ['expired', 'missing'],
  },
  /** Any shared-store failure (Redis) over 5 minutes, for 5 minutes. */
  securityStoreErrors: { window: '5m', for: '5m' },
  /** No backend of a pool can take traffic, for 1 minute. */
  noHealthyBackends: { for: '1m' },
  /** Any outlier ejection of a backend within 15 minutes. */
  backendEjected: { window: '15m' },
  /** A backend's circuit open at some point of every 5-minute window, for 5 minutes. */
  circuitOpen: { window: '5m', for: '5m' },
  /**
   * Retries above 10 % of the requests a pool sends, over 5 minutes, for 5 minutes. The engine
   * exports no metric for retries its budget refused, so the share of retries stands in for it.
   */
  retryBudget: { ratio: 0.1, window: '5m', for: '5m' },
  /**
   * Fallback SLO alerts on the in-process tracker: the SRE Workbook's page and ticket tiers with
   * the burn factors of a 30-day period (the tracker does not export its period).
   */
  sloTrackerPeriod: '30d',
  /** Error budget left below 25 % of the period's budget. */
  sloBudgetLow: { ratio: 0.25 },
} as const;
