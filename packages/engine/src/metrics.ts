import type { MetricDescriptor } from '@srekit/core';

/** Label names of the engine's metrics. */
export const LABELS = {
  pool: 'pool',
  backend: 'backend',
  outcome: 'outcome',
  state: 'state',
  reason: 'reason',
} as const;

/** Values of the `outcome` label of `loadbalancer_requests_total`. */
export const OUTCOMES = [
  'success',
  'client_error',
  'server_error',
  'connect_failure',
  'timeout',
  'reset',
] as const;

/** The outcomes that count as failures (5xx and local-origin failures; 4xx are the client's). */
export const FAILURE_OUTCOMES = ['server_error', 'connect_failure', 'timeout', 'reset'] as const;

/** Values of the `state` label of `loadbalancer_circuit_state`. */
export const CIRCUIT_STATES = ['closed', 'open', 'half-open'] as const;

/** Every metric `@srekit/engine` registers (DESIGN.md names). */
export const METRICS = {
  requests: {
    name: 'loadbalancer_requests_total',
    help: 'Requests sent to a backend, by outcome.',
    type: 'counter',
    labels: [LABELS.pool, LABELS.backend, LABELS.outcome],
  },
  requestDuration: {
    name: 'loadbalancer_request_duration_seconds',
    help: 'Duration of requests to a backend.',
    type: 'histogram',
    unit: 'seconds',
    labels: [LABELS.pool, LABELS.backend],
  },
  backendUp: {
    name: 'loadbalancer_backend_up',
    help: 'Whether a backend can take traffic (1) or not (0: unhealthy, ejected or draining).',
    type: 'gauge',
    labels: [LABELS.pool, LABELS.backend],
  },
  backendActiveRequests: {
    name: 'loadbalancer_backend_active_requests',
    help: 'Requests in flight to a backend.',
    type: 'gauge',
    labels: [LABELS.pool, LABELS.backend],
  },
  circuitState: {
    name: 'loadbalancer_circuit_state',
    help: 'Circuit breaker state of a backend (1 for the current state, 0 for the others).',
    type: 'gauge',
    labels: [LABELS.pool, LABELS.backend, LABELS.state],
  },
  ejections: {
    name: 'loadbalancer_ejections_total',
    help: 'Outlier ejections of a backend, by reason.',
    type: 'counter',
    labels: [LABELS.pool, LABELS.backend, LABELS.reason],
  },
  retries: {
    name: 'loadbalancer_retries_total',
    help: 'Requests retried on a backend after a failed try.',
    type: 'counter',
    labels: [LABELS.pool],
  },
  healthcheckFailures: {
    name: 'loadbalancer_healthcheck_failures_total',
    help: 'Active health checks that failed.',
    type: 'counter',
    labels: [LABELS.pool, LABELS.backend],
  },
} as const satisfies Record<string, MetricDescriptor>;
