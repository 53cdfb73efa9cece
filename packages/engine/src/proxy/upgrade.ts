import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import { context } from '@opentelemetry/api';
import { isTimeoutError, timeoutError } from '../errors.js';
import type { Lease } from '../pool/types.js';
import { clientInfo, requestHeaders } from './headers.js';
import type { ResolvedProxyOptions } from './options.js';
import { PROXY_ERROR_CODES, sendSocketProblem } from './problem.js';
import { endSpanWithError, endSpanWithStatus, startTrySpan } from './tracing.js';
import type { ProxyPool } from './types.js';
import { tlsConnectOptions } from './upstreams.js';

/** What the upgrade handler borrows from the proxy. */
export interface UpgradeDeps {
  readonly pool: ProxyPool;
  readonly options: ResolvedProxyOptions;
  readonly acquire: (req: IncomingMessage) => Lease | undefined;
  readonly targetOf: (
    url: string,
  ) => { origin: string; basePath: string; host: string; url: URL } | undefined;
  /** Registers a tunnel with the proxy's drain; returns the function that unregisters it. */
  readonly track: (item: { destroy(): void }) => () => void;
  readonly closing: () => boolean;
}

function rawHead(statusLine: string, rawHeaders: readonly string[], extra = ''): string {
  let head = `${statusLine}\r\n`;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2)
    head += `${rawHeaders[i]}: ${rawHeaders[i + 1]}\r\n`;
  return `${head}${extra}\r\n`;
}

/**
 * Pass-through for `Upgrade` requests (WebSocket): the handshake goes to a backend the pool
 * picks, and once it answers `101 Switching Protocols` the two sockets are piped together. A
 * backend that refuses the upgrade has its answer relayed as is.
 *
 * The handshake uses `node:http` (undici's upgrade API cannot relay a non-101 answer). The lease
 * ends with 101 when the tunnel opens: a tunnel's lifetime is not a latency, and counting it as
 * an active request for hours would skew least-request picks.
 */
export function createUpgradeHandler(
  deps: UpgradeDeps,
): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  const o = deps.options;
  return (req, socket, head) => {
    // A client that vanishes mid-handshake must not become an unhandled 'error'.
    socket.on('error', () => undefined);
    if (deps.closing()) {
      sendSocketProblem(socket, PROXY_ERROR_CODES.PROXY_CLOSING, 'The proxy is shutting down.');
      return;
    }
    const lease = deps.acquire(req);
    if (lease === undefined) {
      sendSocketProblem(
        socket,
        PROXY_ERROR_CODES.NO_HEALTHY_BACKEND,
        `No backend of pool "${deps.pool.name}" can take traffic.`,
      );
      return;
    }
    const target = deps.targetOf(lease.backend.url);
    if (target === undefined) {
      lease.end('connect-failure');
      sendSocketProblem(
        socket,
        PROXY_ERROR_CODES.UPSTREAM_UNAVAILABLE,
        'The backend URL is invalid.',
      );
      return;
    }
    const upgradeProtocol = req.headers.upgrade ?? 'websocket';
    const headers = requestHeaders(req.headers, {
      client: clientInfo(req),
      trustForwarded: o.trustForwarded,
      host: o.preserveHost ? (req.headers.host ?? target.host) : target.host,
      via: o.via,
      httpVersion: req.httpVersion,
      upgrade: upgradeProtocol,
    });
    const path = `${target.basePath}${req.url?.startsWith('/') ? req.url : `/${req.url ?? ''}`}`;
    const method = req.method ?? 'GET';
    const span = startTrySpan(
      context.active(),
      {
        method,
        target: target.url,
        fullUrl: `${target.origin}${path}`,
        backendId: lease.backend.id,
        attempt: 0,
      },
      headers,
    );
    const secure = target.url.protocol === 'https:';
    const tls = secure ? o.tls : undefined;
    const request = (secure ? https : http).request({
      host: target.url.hostname,
      port: target.url.port === '' ? (secure ? 443 : 80) : Number(target.url.port),
      method,
      path,
      headers,
      agent: false,
      ...tlsConnectOptions(tls),
    });
    let upstreamSocket: Duplex | undefined;
    let settled = false;
    const settle = (outcome: Parameters<Lease['end']>[0] | 'cancel'): void => {
      if (settled) return;
      settled = true;
      if (outcome === 'cancel') lease.cancel();
      else lease.end(outcome);
    };
    const untrack = deps.track({
      destroy: () => {
        request.destroy();
        upstreamSocket?.destroy();
        socket.destroy();
      },
    });
    socket.once('close', () => {
      settle('cancel');
      request.destroy();
      upstreamSocket?.destroy();
      untrack();
    });
    const handshakeMs = Math.min(
      o.perTryTimeoutMs ?? Number.POSITIVE_INFINITY,
      o.timeoutMs > 0 ? o.timeoutMs : Number.POSITIVE_INFINITY,
    );
    if (Number.isFinite(handshakeMs)) {
      request.setTimeout(handshakeMs, () =>
        request.destroy(timeoutError('proxy upgrade', handshakeMs)),
      );
    }

    request.on('upgrade', (res, upstream, upstreamHead) => {
      upstreamSocket = upstream;
      upstream.on('error', () => undefined);
      upstream.setTimeout(0);
      settle(101);
      endSpanWithStatus(span, 101);
      if (socket.destroyed) {
        upstream.destroy();
        return;
      }
      socket.write(
        rawHead(`HTTP/1.1 101 ${res.statusMessage ?? 'Switching Protocols'}`, res.rawHeaders),
      );
      if (upstreamHead.length > 0) socket.write(upstreamHead);
      if (head.length > 0) upstream.write(head);
      upstream.on('close', () => socket.destroy());
      socket.pipe(upstream);
      upstream.pipe(socket);
    });

    request.on('response', (res) => {
      // The backend answered without upgrading (e.g. 401): relay its answer and close.
      settle(res.statusCode ?? 502);
      endSpanWithStatus(span, res.statusCode ?? 502);
      const raw: string[] = [];
      for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
        const name = res.rawHeaders[i]?.toLowerCase();
        if (name === 'connection' || name === 'transfer-encoding' || name === 'keep-alive')
          continue;
        raw.push(res.rawHeaders[i] as string, res.rawHeaders[i + 1] as string);
      }
      // `connection: close`: without a length the body ends where the connection does.
      socket.write(
        rawHead(
          `HTTP/1.1 ${res.statusCode} ${res.statusMessage ?? ''}`,
          raw,
          'connection: close\r\n',
        ),
      );
      res.on('error', () => socket.destroy());
      res.pipe(socket);
    });

    request.on('error', (error: Error & { code?: string }) => {
      const timedOut = isTimeoutError(error) || error.code === 'ETIMEDOUT';
      const refused = !timedOut && request.socket?.remoteAddress === undefined;
      settle(timedOut ? 'timeout' : refused ? 'connect-failure' : 'reset');
      endSpanWithError(span, error.code ?? 'error', error.message);
      if (upstreamSocket !== undefined) {
        socket.destroy();
        return;
      }
      sendSocketProblem(
        socket,
        timedOut ? PROXY_ERROR_CODES.UPSTREAM_TIMEOUT : PROXY_ERROR_CODES.UPSTREAM_UNAVAILABLE,
        timedOut
          ? 'The backend did not answer the upgrade in time.'
          : 'The backend could not be reached or closed the connection.',
      );
    });
    request.end();
  };
}
