/**
 * Names, help texts and label names of every metric `@srekit/core` owns. Dashboards, alert
 * rules, tests and docs import these constants rather than repeating the strings.
 */

/** Label names used by core's metrics (OpenTelemetry semantic conventions in Prometheus form). */
export const LABELS = {
  method: 'http_request_method',
  route: 'http_route',
  statusCode: 'http_response_status_code',
  metric: 'metric',
} as const;

/** Description of one metric: what `METRICS` holds for each entry. */
export interface MetricDescriptor {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  readonly unit?: string;
  readonly labels: readonly string[];
}

/** Every metric core registers, besides prom-client's default process and Node.js metrics. */
export const METRICS = {
  /** Histogram of server request durations; OpenTelemetry `http.server.request.duration`. */
  httpServerRequestDuration: {
    name: 'http_server_request_duration_seconds',
    help: 'Duration of HTTP server requests.',
    type: 'histogram',
    unit: 'seconds',
    labels: [LABELS.method, LABELS.route, LABELS.statusCode],
  },
  /** Gauge of requests being handled now; OpenTelemetry `http.server.active_requests`. */
  httpServerActiveRequests: {
    name: 'http_server_active_requests',
    help: 'Number of HTTP server requests in flight.',
    type: 'gauge',
    labels: [LABELS.method],
  },
  /** Observations folded into the overflow series because a metric reached its series cap. */
  droppedSeries: {
    name: 'srekit_metrics_dropped_series_total',
    help: 'Observations whose label set was folded into the overflow series because the metric reached its series cap.',
    type: 'counter',
    labels: [LABELS.metric],
  },
  /** Sampled spans the exporter reported exported (core's OTLP set-up over HTTP). */
  tracingSpansExported: {
    name: 'srekit_tracing_spans_exported_total',
    help: 'Sampled spans the trace exporter reported exported.',
    type: 'counter',
    labels: [],
  },
  /** Sampled spans never exported: the batch queue was full, or the export failed. */
  tracingSpansDropped: {
    name: 'srekit_tracing_spans_dropped_total',
    help: 'Sampled spans that were not exported, by reason: queue_full (the exporter cannot keep up) or export_failed (the endpoint failed or refused the batch).',
    type: 'counter',
    labels: ['reason'],
  },
} as const satisfies Record<string, MetricDescriptor>;

/**
 * OpenTelemetry's recommended buckets for `http.server.request.duration`, in seconds.
 */
export const HTTP_DURATION_BUCKETS_SECONDS: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
];

/**
 * Buckets for latency-critical services: sub-millisecond resolution below 5 ms, then
 * OpenTelemetry's recommended buckets.
 */
export const HTTP_DURATION_BUCKETS_FINE_SECONDS: readonly number[] = [
  0.0001,
  0.00025,
  0.0005,
  0.001,
  0.0025,
  ...HTTP_DURATION_BUCKETS_SECONDS,
];

/**
 * prom-client 15's default process and Node.js metrics, which `createTelemetry()` registers unless
 * `defaultMetrics` is off. Core does not define them, but dashboards and alerts select on them:
 * they are named here, once, as prom-client spells them.
 */
export const RUNTIME_METRICS = {
  /** Counter: user + system CPU seconds of the process. */
  processCpuSeconds: 'process_cpu_seconds_total',
  /** Gauge: Unix time the process started (a change is a restart). */
  processStartTime: 'process_start_time_seconds',
  /** Gauge: resident memory in bytes. */
  processResidentMemory: 'process_resident_memory_bytes',
  /** Gauge: event-loop lag, 99th percentile since the previous scrape, seconds. */
  eventLoopLagP99: 'nodejs_eventloop_lag_p99_seconds',
  /** Gauge: event-loop lag, median, seconds. */
  eventLoopLagP50: 'nodejs_eventloop_lag_p50_seconds',
  /** Gauge: V8 heap in use, bytes. */
  heapUsed: 'nodejs_heap_size_used_bytes',
  /** Gauge: V8 heap committed, bytes. */
  heapTotal: 'nodejs_heap_size_total_bytes',
  /** Gauge: V8 heap space size, bytes, by `space`. */
  heapSpaceSize: 'nodejs_heap_space_size_total_bytes',
} as const;

/** Label value every label takes in the overflow series of a capped metric. */
export const OVERFLOW_LABEL_VALUE = '__overflow__';

/** The exemplar label that carries the trace id (one key everywhere). */
export const EXEMPLAR_TRACE_ID_LABEL = 'trace_id';

/** Names of the fields core writes into every log line (DESIGN.md). */
export const LOG_FIELDS = {
  time: 'time',
  level: 'level',
  msg: 'msg',
  service: 'service',
  traceId: 'trace_id',
  spanId: 'span_id',
  requestId: 'request_id',
} as const;
