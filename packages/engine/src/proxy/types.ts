import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AcquireOptions, Lease, PoolRetryOptions, PoolStats } from '../pool/types.js';
import type { BackoffOptions } from '../retry/backoff.js';
import type { RetryBudget, RetryBudgetOptions } from '../retry/retry-budget.js';

/**
 * What the proxy needs of a pool: the real `Pool` satisfies it, and so can a test double.
 * Retries are counted in `loadbalancer_retries_total` by the pool (`acquire({ attempt })`).
 */
export interface ProxyPool {
  readonly name: string;
  acquire(options?: AcquireOptions): Lease | undefined;
  stats(): Pick<PoolStats, 'strategy' | 'backends'>;
  /** The pool's retry budget (shared with `pool.execute()`); undefined when turned off. */
  readonly retryBudget?: RetryBudget | undefined;
  /** The pool's retry policy (`retry` option), if it exposes one. */
  readonly retryOptions?: PoolRetryOptions;
}

/** Where the sticky-session key comes from. Requires a `ring-hash` or `maglev` pool. */
export type StickyOption = { readonly cookie: string } | { readonly header: string };

/** TLS to `https://` backends (undici's connect options). */
export interface ProxyTlsOptions {
  /** CA certificate(s) that sign the backends' certificates (PEM). Default: Node's CA store. */
  readonly ca?: string | Buffer | readonly (string | Buffer)[];
  /** Client certificate for mutual TLS (PEM). */
  readonly cert?: string | Buffer;
  /** Private key of the client certificate (PEM). */
  readonly key?: string | Buffer;
  /** Server name (SNI) and the name the backend certificate must carry. Default: the backend URL's host. */
  readonly servername?: string;
  /** Verify the backend certificate. Default true; turning it off defeats TLS. */
  readonly rejectUnauthorized?: boolean;
}

/** Options of `createProxy(pool, options)`; defaults in `PROXY_DEFAULTS`. */
export interface ProxyOptions {
  /**
   * Retries after the first try. Default: the pool's `retry.maxRetries`, else 2. Only
   * idempotent requests (and non-idempotent ones with `retryNonIdempotent`) are retried, on
   * another backend when there is one, before any response byte went to the client.
   */
  readonly retries?: number;
  /** Timeout of each try, from dispatch to the response head, in ms. Default: none (the deadline applies). */
  readonly perTryTimeoutMs?: number;
  /**
   * Deadline for the response head, over all tries and backoffs, in ms. Default 15 000 (Envoy's
   * route timeout); 0 turns it off. Once the head is relayed, the body streams for as long as
   * it keeps moving (`bodyTimeoutMs`): a long download is not cut by the deadline.
   */
  readonly timeoutMs?: number;
  /** Retry POST, PATCH… too, when their body is at most `maxReplayBodyBytes`. Default false. */
  readonly retryNonIdempotent?: boolean;
  /** Largest request body buffered so that a retry can replay it. Default 65 536 (64 KiB). */
  readonly maxReplayBodyBytes?: number;
  /**
   * Retry budget of this proxy's requests, or `false` for none. Default: the pool's
   * `retryBudget` (shared with `pool.execute()`), else Envoy's (20 % of requests in flight, min 3).
   */
  readonly retryBudget?: RetryBudgetOptions | false;
  /** Backoff between tries. Default: the pool's, else 25 ms base, 250 ms cap, full jitter. */
  readonly backoff?: BackoffOptions;
  /** Statuses that are retried. Default: the pool's, else 429 (short Retry-After), 502, 503, 504. */
  readonly retryStatuses?: readonly number[];
  /** Sticky sessions: the hash key is this cookie's or header's value. Default: none. */
  readonly sticky?: StickyOption;
  /** Keep and extend incoming `x-forwarded-*` and `forwarded` headers. Default false: replaced, so clients cannot spoof them. */
  readonly trustForwarded?: boolean;
  /** Send the client's `Host` to the backend (as Envoy does). Default true; false sends the backend URL's host. */
  readonly preserveHost?: boolean;
  /** Pseudonym for a `Via` header added both ways, e.g. `'srekit'`. Default: no `Via`. */
  readonly via?: string;
  /** TLS options for `https://` backends. */
  readonly tls?: ProxyTlsOptions;
  /** Time to receive the response head once the request is sent (undici's `headersTimeout`), in ms. Default 300 000. */
  readonly headersTimeoutMs?: number;
  /** Largest gap between two body chunks of the response (undici's `bodyTimeout`), in ms. Default 300 000. */
  readonly bodyTimeoutMs?: number;
  /** Time to connect to a backend, in ms. Default 10 000. */
  readonly connectTimeoutMs?: number;
  /** Connections per backend (undici `Pool` `connections`). Default 128. */
  readonly connectionsPerBackend?: number;
  /** Idle keep-alive time of a backend connection, in ms (undici's `keepAliveTimeout`). Default 4 000. */
  readonly keepAliveTimeoutMs?: number;
}

/** Options of `proxy.close()`. */
export interface ProxyCloseOptions {
  /** Time to wait for in-flight requests before destroying them, in ms. Default 10 000. */
  readonly timeoutMs?: number;
}

/** What `proxy.close()` reports. */
export interface ProxyCloseResult {
  /** Requests and tunnels that finished on their own during the drain. */
  readonly drained: number;
  /** Requests and tunnels still open at the timeout, destroyed. */
  readonly destroyed: number;
}

/**
 * A request handler `(req, res, next?) => void`, usable as express middleware or as the
 * listener of `http.createServer()`.
 */
export interface ProxyHandler {
  (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void): void;
  /** Pass-through for WebSocket (and other `Upgrade`) requests: `server.on('upgrade', proxy.upgrade)`. */
  readonly upgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
  /**
   * Graceful drain: new requests get a 503 problem (`ERR_SREKIT_ENGINE_PROXY_CLOSING`), in-flight
   * ones may finish until `timeoutMs`, then the rest are destroyed and the backend connections
   * closed. The pool itself is left alone (close it yourself).
   */
  readonly close: (options?: ProxyCloseOptions) => Promise<ProxyCloseResult>;
  /** Requests and tunnels in flight now. */
  readonly inFlight: number;
}
