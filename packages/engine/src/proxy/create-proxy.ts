import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Context, context } from '@opentelemetry/api';
import { timeoutError } from '../errors.js';
import type { Lease, RequestOutcome } from '../pool/types.js';
import { backoffDelay } from '../retry/backoff.js';
import { IDEMPOTENT_METHODS, isRetryable, type RetryDecision } from '../retry/is-retryable.js';
import { RetryBudget } from '../retry/retry-budget.js';
import { PROXY_DEFAULTS } from './defaults.js';
import { clientInfo, requestHeaders, responseHeaders } from './headers.js';
import { type ResolvedProxyOptions, resolveProxyOptions } from './options.js';
import { PROXY_ERROR_CODES, type ProxyErrorCode, sendProblem } from './problem.js';
import { hasBody, RequestBody } from './request-body.js';
import { endSpanWithError, endSpanWithStatus, startTrySpan } from './tracing.js';
import type {
  ProxyCloseOptions,
  ProxyCloseResult,
  ProxyHandler,
  ProxyOptions,
  ProxyPool,
} from './types.js';
import { createUpgradeHandler } from './upgrade.js';
import { classifyFailure, type FailureKind, type TryHead, UpstreamTry } from './upstream-try.js';
import { Upstreams } from './upstreams.js';

/** A backend URL split into what a try needs. */
export interface BackendTarget {
  /** `scheme://host:port`. */
  readonly origin: string;
  /** Path prefix of the backend URL, without a trailing slash (often empty). */
  readonly basePath: string;
  /** `host[:port]` of the backend URL (the `Host` sent when `preserveHost` is off). */
  readonly host: string;
  readonly url: URL;
}

/** Something in flight that `close()` waits for and may destroy. */
export interface InFlight {
  destroy(): void;
}

const OUTCOME_OF: Record<FailureKind, RequestOutcome> = {
  connect: 'connect-failure',
  timeout: 'timeout',
  reset: 'reset',
  malformed: 'reset',
};

const CODE_OF: Record<FailureKind, ProxyErrorCode> = {
  connect: PROXY_ERROR_CODES.UPSTREAM_UNAVAILABLE,
  timeout: PROXY_ERROR_CODES.UPSTREAM_TIMEOUT,
  reset: PROXY_ERROR_CODES.UPSTREAM_UNAVAILABLE,
  malformed: PROXY_ERROR_CODES.BAD_UPSTREAM_RESPONSE,
};

const DETAIL_OF: Record<FailureKind, string> = {
  connect: 'The backend refused the connection or could not be reached.',
  timeout: 'The backend did not answer in time.',
  reset: 'The backend closed the connection before answering.',
  malformed: 'The backend answered with an invalid HTTP response.',
};

/** The decision for a status that is not in `retryStatuses` (most responses: no call needed). */
const NOT_RETRYABLE: RetryDecision = { retryable: false, reason: 'status-not-retryable' };

/** Time between sweeps that close connection pools of backends that left the pool. */
const SWEEP_INTERVAL_MS = 30_000;

/** The path to request: origin-form, also for an absolute-form request target. */
function requestPath(url: string | undefined): string {
  if (url === undefined || url === '') return '/';
  if (url.startsWith('/')) return url;
  try {
    const parsed = new URL(url);
    return `${parsed.pathname}${parsed.search}`;
  } catch {
    return `/${url}`;
  }
}

/** Value of cookie `name` in a `Cookie` header. */
function cookieValue(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq === -1) continue;
    if (pair.slice(0, eq).trim() === name) return pair.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * Creates a reverse proxy in front of `pool`: each request goes to the backend the pool picks,
 * streamed both ways with backpressure over keep-alive undici connection pools (one per
 * backend origin).
 *
 * - Outcomes: the lease of a try ends with the response status once the response body has
 *   been relayed completely (so least-request strategies count a streaming response as
 *   active), with `connect-failure`, `timeout` or `reset` when the try fails, and is cancelled
 *   when the client goes away first.
 * - Retries: idempotent methods (and, with `retryNonIdempotent`, others whose body is buffered)
 *   on connect failures, resets, timeouts and retryable statuses, on another backend when
 *   there is one, within a retry budget shared by the proxy and with backoff, and only before
 *   any response byte went to the client. A connection refused before the request went out is
 *   retried for every method, and without charging the retry budget (nothing was sent).
 * - Errors are RFC 9457 problem bodies: 503 no healthy backend or closing, 502 refused, reset
 *   or malformed, 504 timeout. When the response head was already relayed, the client
 *   connection is destroyed instead.
 * - Headers: hop-by-hop headers removed both ways; `x-forwarded-for`, `x-forwarded-proto`,
 *   `x-forwarded-host` and `forwarded` set (replacing the client's unless `trustForwarded`);
 *   the client's `Host` kept unless `preserveHost: false`.
 * - Tracing: a CLIENT span per try under the active context, injected as `traceparent`.
 * - Request bodies: small bodies of retryable requests (≤ `maxReplayBodyBytes`) are buffered
 *   so a retry can send them again; larger ones stream. A body that body-parsing middleware
 *   already read is sent again from `req.body` (JSON unless a string or buffer).
 * - Not relayed: response trailers and 1xx informational responses (103 Early Hints); the
 *   proxy speaks HTTP/1.1 to backends. `next` is never called: the proxy answers every request.
 *
 * @example
 * ```ts
 * const pool = new Pool([{ id: 'a', url: 'http://10.0.0.7:8080' }], { strategy: 'p2c-ewma' });
 * const proxy = createProxy(pool, { retries: 2, timeoutMs: 2000 });
 * app.use('/api', proxy);                // express: forwards the URL below the mount path
 * server.on('upgrade', proxy.upgrade);   // WebSocket pass-through
 * await proxy.close({ timeoutMs: 5000 }); // on shutdown
 * ```
 */
export function createProxy(pool: ProxyPool, options: ProxyOptions = {}): ProxyHandler {
  const o = resolveProxyOptions(pool, options);
  const upstreams = new Upstreams(
    {
      connections: o.connectionsPerBackend,
      keepAliveTimeoutMs: o.keepAliveTimeoutMs,
      headersTimeoutMs: o.headersTimeoutMs,
      bodyTimeoutMs: o.bodyTimeoutMs,
      connectTimeoutMs: o.connectTimeoutMs,
      tls: o.tls,
    },
    () => safeSweep(),
  );
  const budget = budgetOf(pool, o.retryBudget);
  const inFlight = new Set<InFlight>();
  /** Set while `close()` waits: called when the last request or tunnel ends. */
  let onIdle: (() => void) | undefined;
  const untrack = (item: InFlight): void => {
    inFlight.delete(item);
    if (inFlight.size === 0) onIdle?.();
  };
  const targets = new Map<string, BackendTarget>();
  let closing: Promise<ProxyCloseResult> | undefined;

  const sweep = (): void => {
    const keep = new Set<string>();
    for (const backend of pool.stats().backends) {
      const target = targetOf(backend.url);
      if (target !== undefined) keep.add(target.origin);
    }
    upstreams.retain(keep);
    for (const url of targets.keys()) {
      const target = targets.get(url);
      if (target !== undefined && !keep.has(target.origin)) targets.delete(url);
    }
  };
  const safeSweep = (): void => {
    try {
      sweep();
    } catch {
      // A failing stats() must not take the proxy down; the next sweep tries again.
    }
  };
  // A new origin shows membership changed and triggers a sweep at once; the timer catches
  // backends removed without a replacement.
  const sweeper = setInterval(safeSweep, SWEEP_INTERVAL_MS);
  sweeper.unref();

  function targetOf(url: string): BackendTarget | undefined {
    let target = targets.get(url);
    if (target === undefined) {
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        return undefined;
      }
      target = {
        origin: parsed.origin,
        basePath: parsed.pathname.replace(/\/+$/, ''),
        host: parsed.host,
        url: parsed,
      };
      targets.set(url, target);
    }
    return target;
  }

  function stickyKey(req: IncomingMessage): string | undefined {
    const sticky = o.sticky;
    if (sticky === undefined) return undefined;
    if ('cookie' in sticky) return cookieValue(req.headers.cookie, sticky.cookie);
    const value = req.headers[sticky.header.toLowerCase()];
    return Array.isArray(value) ? value.join(',') : value;
  }

  /**
   * A lease on a backend not tried yet; when every backend was tried, on any backend (Envoy's
   * previous-hosts predicate also falls back after its attempts).
   */
  function acquire(
    key: string | undefined,
    tried: ReadonlySet<string>,
    attempt: number,
  ): Lease | undefined {
    const options = key === undefined ? { attempt } : { key, attempt };
    if (tried.size === 0) return pool.acquire(options);
    return pool.acquire({ ...options, exclude: tried }) ?? pool.acquire(options);
  }

  async function handle(req: IncomingMessage, res: ServerResponse, entry: Exchange): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const idempotent = IDEMPOTENT_METHODS.has(method);
    const parent: Context = context.active();
    let body: RequestBody;
    if (!hasBody(req)) body = RequestBody.empty(req);
    // Body-parsing middleware ran first: the stream is spent, its result is on req.body.
    else if (req.readableEnded) body = RequestBody.consumed(req);
    else if (o.retries > 0 && (idempotent || o.retryNonIdempotent)) {
      const buffered = await RequestBody.buffer(req, o.maxReplayBodyBytes);
      if (buffered === undefined || entry.gone) return;
      body = buffered;
    } else body = RequestBody.streamed(req);

    const startedAt = performance.now();
    const deadlineAt = o.timeoutMs > 0 ? startedAt + o.timeoutMs : Number.POSITIVE_INFINITY;
    const key = stickyKey(req);
    const tried = new Set<string>();
    const client = clientInfo(req);
    const path = requestPath(req.url);
    const releaseRequest = budget?.startRequest();
    const releaseRetries: (() => void)[] = [];
    entry.onDone(() => {
      releaseRequest?.();
      for (const release of releaseRetries) release();
    });

    let lease = acquire(key, tried, 0);
    if (lease === undefined) {
      sendProblem(
        res,
        PROXY_ERROR_CODES.NO_HEALTHY_BACKEND,
        `No backend of pool "${pool.name}" can take traffic.`,
      );
      return;
    }
    for (let attempt = 0; ; attempt++) {
      const current: Lease = lease;
      tried.add(current.backend.id);
      const target = targetOf(current.backend.url);
      if (target === undefined) {
        current.end('connect-failure');
        sendProblem(res, PROXY_ERROR_CODES.UPSTREAM_UNAVAILABLE, 'The backend URL is invalid.');
        return;
      }
      const headers = requestHeaders(req.headers, {
        client,
        trustForwarded: o.trustForwarded,
        host: o.preserveHost ? (req.headers.host ?? target.host) : target.host,
        via: o.via,
        httpVersion: req.httpVersion,
      });
      const rewritten = body.rewrittenLength;
      if (rewritten !== undefined) {
        headers['content-length'] = String(rewritten);
        delete headers['content-encoding'];
      }
      const fullPath = `${target.basePath}${path}`;
      const span = startTrySpan(
        parent,
        {
          method,
          target: target.url,
          fullUrl: `${target.origin}${fullPath}`,
          backendId: current.backend.id,
          attempt,
        },
        headers,
      );
      const upstream = new UpstreamTry(
        upstreams.get(target.origin),
        { origin: target.origin, path: fullPath, method, headers, body: body.forTry() },
        o.headersTimeoutMs,
      );
      entry.current = upstream;
      const now = performance.now();
      const tryBudgetMs = Math.min(o.perTryTimeoutMs ?? Number.POSITIVE_INFINITY, deadlineAt - now);
      const deadlineHit = deadlineAt - now <= (o.perTryTimeoutMs ?? Number.POSITIVE_INFINITY);
      let timer: ReturnType<typeof setTimeout> | undefined;
      if (Number.isFinite(tryBudgetMs)) {
        timer = setTimeout(
          () => upstream.abort(timeoutError('proxy try', Math.round(tryBudgetMs))),
          Math.max(0, tryBudgetMs),
        );
      }
      let head: TryHead | undefined;
      let failure: Error | undefined;
      try {
        head = await upstream.head;
      } catch (error) {
        failure = error instanceof Error ? error : new Error(String(error));
      } finally {
        clearTimeout(timer);
      }

      if (entry.gone) {
        current.cancel();
        upstream.abort(new Error('client closed the connection'));
        endSpanWithError(span, 'client_aborted', 'client closed the connection');
        return;
      }

      const retriesLeft = attempt < o.retries;
      if (head !== undefined) {
        const decision = !o.retryStatuses.includes(head.status)
          ? NOT_RETRYABLE
          : isRetryable(
              {
                method,
                status: head.status,
                bodyReplayable: body.replayable,
                optIn: o.retryNonIdempotent && body.buffered,
                retryAfter: headerValue(head.headers['retry-after']),
              },
              { statuses: o.retryStatuses },
            );
        if (decision.retryable && retriesLeft) {
          const next = startRetry(decision.retryAfterMs, attempt, deadlineAt, key, tried);
          if (next !== undefined) {
            current.end(head.status);
            endSpanWithStatus(span, head.status);
            upstream.abort(new Error('retried on another backend'));
            releaseRetries.push(next.release);
            if (!(await pause(next.delayMs, entry))) {
              next.lease.cancel();
              return;
            }
            lease = next.lease;
            continue;
          }
        }
        relay(res, head, upstream, current, span, entry);
        return;
      }

      const error = failure ?? new Error('upstream try failed');
      const kind = classifyFailure(error, upstream.sent);
      current.end(OUTCOME_OF[kind]);
      endSpanWithError(span, errorType(error, kind), error.message);
      const timedOutOverall = kind === 'timeout' && deadlineHit;
      if (!timedOutOverall && retriesLeft) {
        // An invalid answer is the 502 the client would get: retried like one (idempotent methods).
        const retryable =
          kind === 'connect'
            ? body.replayable
            : kind === 'malformed'
              ? isRetryable(
                  {
                    method,
                    status: 502,
                    bodyReplayable: body.replayable,
                    optIn: o.retryNonIdempotent && body.buffered,
                  },
                  { statuses: o.retryStatuses },
                ).retryable
              : isRetryable(
                  {
                    method,
                    error: kind === 'timeout' ? timeoutError('proxy try', 0, error) : error,
                    bodyReplayable: body.replayable,
                    optIn: o.retryNonIdempotent && body.buffered,
                  },
                  { statuses: o.retryStatuses },
                ).retryable;
        if (retryable) {
          // A refused connection sent nothing: retrying it elsewhere adds no load, so it is not
          // charged to the retry budget (a killed backend must not spend it for everyone).
          const next = startRetry(undefined, attempt, deadlineAt, key, tried, kind !== 'connect');
          if (next !== undefined) {
            releaseRetries.push(next.release);
            if (!(await pause(next.delayMs, entry))) {
              next.lease.cancel();
              return;
            }
            lease = next.lease;
            continue;
          }
        }
      }
      sendProblem(res, CODE_OF[kind], DETAIL_OF[kind], closing ? { connection: 'close' } : {});
      return;
    }
  }

  /**
   * Everything a retry needs, or `undefined` when it may not happen: no time left for the
   * backoff, retry budget spent, or no backend.
   */
  function startRetry(
    retryAfterMs: number | undefined,
    attempt: number,
    deadlineAt: number,
    key: string | undefined,
    tried: ReadonlySet<string>,
    charged = true,
  ): { lease: Lease; release: () => void; delayMs: number } | undefined {
    const delayMs = retryAfterMs ?? backoffDelay(attempt, o.backoff);
    if (performance.now() + delayMs >= deadlineAt) return undefined;
    const release = budget === undefined || !charged ? () => undefined : budget.tryStartRetry();
    if (release === undefined) return undefined;
    const lease = acquire(key, tried, attempt + 1);
    if (lease === undefined) {
      release();
      return undefined;
    }
    return { lease, release, delayMs };
  }

  function relay(
    res: ServerResponse,
    head: TryHead,
    upstream: UpstreamTry,
    lease: Lease,
    span: ReturnType<typeof startTrySpan>,
    entry: Exchange,
  ): void {
    const headers = responseHeaders(head.headers, o.via);
    if (closing !== undefined) headers.connection = 'close';
    try {
      if (head.statusMessage) res.writeHead(head.status, head.statusMessage, headers);
      else res.writeHead(head.status, headers);
    } catch (error) {
      // Node refuses some header values that undici let through.
      lease.end('reset');
      upstream.abort(error instanceof Error ? error : new Error(String(error)));
      endSpanWithError(span, 'invalid_response_header', String(error));
      sendProblem(res, PROXY_ERROR_CODES.BAD_UPSTREAM_RESPONSE, DETAIL_OF.malformed);
      return;
    }
    const onDrain = (): void => upstream.resume();
    res.on('drain', onDrain);
    entry.onDone(() => res.off('drain', onDrain));
    upstream.pipe({
      write: (chunk) => res.write(chunk),
      end: () => {
        lease.end(head.status);
        endSpanWithStatus(span, head.status);
        res.end();
      },
      error: (error, kind) => {
        if (entry.gone) {
          // The client left: says nothing about the backend.
          lease.cancel();
          endSpanWithError(span, 'client_aborted', 'client closed the connection');
          return;
        }
        lease.end(OUTCOME_OF[kind]);
        span.setAttribute('http.response.status_code', head.status);
        endSpanWithError(span, errorType(error, kind), error.message);
        // The head is out: the only honest signal left is a cut connection.
        res.destroy();
      },
    });
  }

  const upgrade = createUpgradeHandler({
    pool,
    options: o,
    acquire: (req) => acquire(stickyKey(req), new Set(), 0),
    targetOf,
    track: (item) => {
      inFlight.add(item);
      return () => untrack(item);
    },
    closing: () => closing !== undefined,
  });

  const handler = ((req: IncomingMessage, res: ServerResponse) => {
    if (closing !== undefined) {
      sendProblem(res, PROXY_ERROR_CODES.PROXY_CLOSING, 'The proxy is shutting down.', {
        connection: 'close',
      });
      return;
    }
    const entry = new Exchange(res);
    inFlight.add(entry);
    entry.onDone(() => untrack(entry));
    handle(req, res, entry).catch(() => {
      // Nothing should throw here; if something does, the client must not hang.
      sendProblem(res, PROXY_ERROR_CODES.BAD_UPSTREAM_RESPONSE, 'The proxy failed to relay.');
    });
  }) as ProxyHandler & { inFlight: number };

  const close = (closeOptions: ProxyCloseOptions = {}): Promise<ProxyCloseResult> => {
    closing ??= (async () => {
      clearInterval(sweeper);
      const timeoutMs = closeOptions.timeoutMs ?? PROXY_DEFAULTS.closeTimeoutMs;
      const initial = inFlight.size;
      const until = performance.now() + timeoutMs;
      if (inFlight.size > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.max(0, until - performance.now()));
          onIdle = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        onIdle = undefined;
      }
      const destroyed = inFlight.size;
      for (const item of [...inFlight]) item.destroy();
      inFlight.clear();
      await upstreams.closeAll(destroyed > 0);
      return { drained: Math.max(0, initial - destroyed), destroyed };
    })();
    return closing;
  };

  Object.defineProperties(handler, {
    upgrade: { value: upgrade, enumerable: true },
    close: { value: close, enumerable: true },
    inFlight: { get: () => inFlight.size, enumerable: true },
  });
  return handler;
}

/** The proxy's own budget, the pool's, or none (`false`). */
function budgetOf(
  pool: ProxyPool,
  option: ResolvedProxyOptions['retryBudget'],
): RetryBudget | undefined {
  if (option === false) return undefined;
  if (option !== undefined) return new RetryBudget(option);
  if ('retryBudget' in pool) return pool.retryBudget;
  return new RetryBudget(pool.retryOptions?.budget || {});
}

/** Waits out the backoff; false when the client went away (or the proxy destroyed the request). */
function pause(delayMs: number, entry: Exchange): Promise<boolean> {
  return delayMs > 0 ? entry.wait(delayMs) : Promise.resolve(!entry.gone);
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function errorType(error: Error, kind: FailureKind): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : kind;
}

/**
 * One proxied request: tracks the client connection and what to release when it ends. (A plain
 * flag rather than an AbortController: this is on every request's path.)
 */
class Exchange implements InFlight {
  readonly #res: ServerResponse;
  readonly #done: (() => void)[] = [];
  #finished = false;
  #onGone: (() => void) | undefined;
  /** True once the client went away before the response was complete. */
  gone = false;
  current: UpstreamTry | undefined;

  constructor(res: ServerResponse) {
    this.#res = res;
    res.once('close', () => {
      if (!res.writableFinished) {
        this.gone = true;
        this.current?.abort(new Error('client closed the connection'));
        this.#onGone?.();
      }
      this.#finish();
    });
  }

  /** Waits `ms`; resolves false at once if the client goes away meanwhile. */
  wait(ms: number): Promise<boolean> {
    if (this.gone) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#onGone = undefined;
        resolve(!this.gone);
      }, ms);
      this.#onGone = () => {
        clearTimeout(timer);
        resolve(false);
      };
    });
  }

  onDone(fn: () => void): void {
    if (this.#finished) fn();
    else this.#done.push(fn);
  }

  destroy(): void {
    this.#res.destroy();
  }

  #finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    for (const fn of this.#done.splice(0)) fn();
  }
}
