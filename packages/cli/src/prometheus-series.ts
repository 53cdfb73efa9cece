/** Series Prometheus itself writes (not any package's metrics). */
export const PROMETHEUS_SERIES = {
  /** 1 when the last scrape of a target succeeded, 0 when it failed. */
  up: 'up',
  /** Pending and firing alerts, with `alertname`, `alertstate` and the alert's labels. */
  alerts: 'ALERTS',
} as const;
