import { type ServerResponse, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { helpUrl } from '@srekit/core';
import { ENGINE_ERROR_CODES } from '../errors.js';

/**
 * Error codes the proxy puts in the `code` member of its problem bodies (RFC 9457). They are
 * answers to the client, not thrown errors; each is listed in `docs/error-codes.md`.
 */
export const PROXY_ERROR_CODES = {
  /** No backend can take traffic (all unhealthy, ejected, open or draining; or none configured). */
  NO_HEALTHY_BACKEND: ENGINE_ERROR_CODES.NO_HEALTHY_BACKEND,
  /** The backend refused or reset the connection before answering. */
  UPSTREAM_UNAVAILABLE: ENGINE_ERROR_CODES.UPSTREAM_UNAVAILABLE,
  /** The backend answered with something that is not valid HTTP. */
  BAD_UPSTREAM_RESPONSE: ENGINE_ERROR_CODES.BAD_UPSTREAM_RESPONSE,
  /** The backend did not answer within the per-try timeout or the overall deadline. */
  UPSTREAM_TIMEOUT: ENGINE_ERROR_CODES.UPSTREAM_TIMEOUT,
  /** `proxy.close()` was called: the proxy takes no new requests. */
  PROXY_CLOSING: ENGINE_ERROR_CODES.PROXY_CLOSING,
} as const;

/** Union of the proxy's problem codes. */
export type ProxyErrorCode = (typeof PROXY_ERROR_CODES)[keyof typeof PROXY_ERROR_CODES];

/** The problem body (RFC 9457) the proxy answers with when it cannot relay a response. */
export interface ProxyProblem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: ProxyErrorCode;
}

const STATUS_OF: Record<ProxyErrorCode, number> = {
  [PROXY_ERROR_CODES.NO_HEALTHY_BACKEND]: 503,
  [PROXY_ERROR_CODES.UPSTREAM_UNAVAILABLE]: 502,
  [PROXY_ERROR_CODES.BAD_UPSTREAM_RESPONSE]: 502,
  [PROXY_ERROR_CODES.UPSTREAM_TIMEOUT]: 504,
  [PROXY_ERROR_CODES.PROXY_CLOSING]: 503,
};

/** Builds the problem body for `code`. */
export function proxyProblem(code: ProxyErrorCode, detail: string): ProxyProblem {
  const status = STATUS_OF[code];
  return { type: helpUrl(code), title: STATUS_CODES[status] ?? 'Error', status, detail, code };
}

/**
 * Answers with a problem body, or, when the response head already went out, destroys the
 * connection: appending a problem to a half-sent body would hand the client a corrupt answer
 * that looks complete.
 */
export function sendProblem(
  res: ServerResponse,
  code: ProxyErrorCode,
  detail: string,
  extraHeaders: Record<string, string> = {},
): void {
  if (res.headersSent || res.writableEnded || res.destroyed) {
    res.destroy();
    return;
  }
  const problem = proxyProblem(code, detail);
  const body = JSON.stringify(problem);
  res.writeHead(problem.status, {
    ...extraHeaders,
    'content-type': 'application/problem+json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  res.end(body);
}

/** Answers an upgrade request on its raw socket with a problem body, then closes the socket. */
export function sendSocketProblem(socket: Duplex, code: ProxyErrorCode, detail: string): void {
  if (socket.destroyed || !socket.writable) {
    socket.destroy();
    return;
  }
  const problem = proxyProblem(code, detail);
  const body = JSON.stringify(problem);
  socket.end(
    `HTTP/1.1 ${problem.status} ${problem.title}\r\n` +
      'content-type: application/problem+json; charset=utf-8\r\n' +
      `content-length: ${Buffer.byteLength(body)}\r\n` +
      'cache-control: no-store\r\nconnection: close\r\n\r\n' +
      body,
  );
}
