/**
 * Series a service instrumented with @srekit/core exposes without core naming them: prom-client's
 * default process and Node.js metrics (core calls `collectDefaultMetrics`), and the series
 * Prometheus writes itself. @srekit/core's `METRICS` does not list these, so they are named once
 * here, as prom-client 15 and Prometheus spell them.
 */
export const RUNTIME_METRICS = {
  /** Counter: user + system CPU seconds of the process. */
  processCpuSeconds: 'process_cpu_seconds_total',
  /** Gauge: Unix time the process started (a change is a restart). */
  processStartTime: 'process_start_time_seconds',
  /** Gauge: resident memory in bytes. */
  processResidentMemory: 'process_resident_memory_bytes',
  /** Gauge: event-loop lag, 99th percentile, seconds (perf_hooks histogram). */
  eventLoopLagP99: 'nodejs_eventloop_lag_p99_seconds',
  /** Gauge: event-loop lag, median, seconds. */
  eventLoopLagP50: 'nodejs_eventloop_lag_p50_seconds',
  /** Gauge: V8 heap in use, bytes. */
  heapUsed: 'nodejs_heap_size_used_bytes',
  /** Gauge: V8 heap allocated, bytes. */
  heapTotal: 'nodejs_heap_size_total_bytes',
  /** Gauge: V8 heap space limit, bytes, by `space`. */
  heapSpaceSize: 'nodejs_heap_space_size_total_bytes',
} as const;

/** Series Prometheus itself writes. */
export const PROMETHEUS_SERIES = {
  /** 1 when the last scrape of a target succeeded. */
  up: 'up',
  /** Pending and firing alerts, with `alertname`, `alertstate` and the alert's labels. */
  alerts: 'ALERTS',
} as const;
