/** Defaults of `createProxy()`; docs and tests import them from here. */
export const PROXY_DEFAULTS = {
  /** Retries after the first try, when the pool gives none. */
  retries: 2,
  /** Deadline for the response head over all tries (Envoy's route timeout). */
  timeoutMs: 15_000,
  /** Largest request body buffered for replay. */
  maxReplayBodyBytes: 65_536,
  /** Send the client's `Host` to the backend (Envoy's default). */
  preserveHost: true,
  /** Incoming forwarded headers are replaced, not extended. */
  trustForwarded: false,
  /** Response head wait once the request is sent (undici's default). */
  headersTimeoutMs: 300_000,
  /** Largest gap between response body chunks (undici's default; Envoy's stream idle timeout). */
  bodyTimeoutMs: 300_000,
  /** Connect timeout (undici's default). */
  connectTimeoutMs: 10_000,
  /** Connections per backend. */
  connectionsPerBackend: 128,
  /** Idle keep-alive time of a backend connection (undici's default). */
  keepAliveTimeoutMs: 4_000,
  /** Drain time of `proxy.close()`. */
  closeTimeoutMs: 10_000,
} as const;
