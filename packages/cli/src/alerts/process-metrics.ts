/**
 * Series that srekit services expose without `@srekit/core` naming them: prom-client 15's default
 * Node.js and process metrics (which `createTelemetry()` registers unless `defaultMetrics` is off)
 * and the `up` series Prometheus writes for every scrape. `@srekit/core`'s `METRICS` covers only the
 * metrics core itself registers, so these names are kept here, in one place.
 */
export const PROCESS_METRICS = {
  /** Prometheus: 1 when the last scrape of a target succeeded, 0 when it failed. */
  up: 'up',
  /** prom-client: start time of the process, seconds since the Unix epoch. */
  processStartTime: 'process_start_time_seconds',
  /** prom-client: 99th percentile of the event-loop delay since the previous scrape, seconds. */
  eventLoopLagP99: 'nodejs_eventloop_lag_p99_seconds',
  /** prom-client: V8 heap in use, bytes. */
  heapUsed: 'nodejs_heap_size_used_bytes',
  /** prom-client: V8 heap committed, bytes. */
  heapTotal: 'nodejs_heap_size_total_bytes',
} as const;
