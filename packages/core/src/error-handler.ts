import { type IncomingMessage, type ServerResponse, STATUS_CODES } from 'node:http';
import { SpanStatusCode } from '@opentelemetry/api';
import type { Logger } from 'pino';
import { currentRequestContext } from './request-context.js';

/** An express error-handling middleware (four arguments). */
export type ErrorHandler = (
  err: unknown,
  req: IncomingMessage,
  res: ServerResponse,
  next: (err?: unknown) => void,
) => void;

/** RFC 9457 problem details, as the error handler writes them. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  request_id?: string;
}

interface HttpErrorLike {
  status?: unknown;
  statusCode?: unknown;
  expose?: unknown;
  message?: unknown;
  type?: unknown;
}

/** The HTTP status an error asks for (`status` or `statusCode` in 400–599), else 500. */
export function statusOf(err: unknown): number {
  const e = (typeof err === 'object' && err !== null ? err : {}) as HttpErrorLike;
  const status = typeof e.status === 'number' ? e.status : e.statusCode;
  return typeof status === 'number' && Number.isInteger(status) && status >= 400 && status <= 599
    ? status
    : 500;
}

/**
 * Builds the error handler: it answers with an RFC 9457 `application/problem+json` body (never a
 * stack trace), records the exception on the request's span, and logs it with the request's
 * correlation fields. Client errors (4xx) show the error's message only when the error says it
 * may be exposed (`expose: true`, as http-errors and express's body parsers set it); server
 * errors never show it.
 */
export function createErrorHandler(logger: Logger): ErrorHandler {
  return function srekitErrorHandler(err, req, res, next) {
    const status = statusOf(err);
    const ctx = currentRequestContext();
    const span = ctx?.span;
    if (span !== undefined && status >= 500) {
      span.recordException(err instanceof Error ? err : String(err));
      span.setStatus({
        code: SpanStatusCode.ERROR,
        message: err instanceof Error ? err.message : String(err),
      });
    }
    const e = (typeof err === 'object' && err !== null ? err : {}) as HttpErrorLike;
    if (status >= 500) logger.error({ err, status_code: status }, 'request failed');
    else
      logger.warn(
        {
          status_code: status,
          error_type: typeof e.type === 'string' ? e.type : undefined,
          err_message: String(e.message ?? ''),
        },
        'request rejected',
      );

    if (res.headersSent) {
      // Too late for a clean answer: let express end the connection.
      next(err);
      return;
    }
    const url = (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '';
    const q = url.indexOf('?');
    const problem: ProblemDetails = {
      type: 'about:blank',
      title: STATUS_CODES[status] ?? 'Error',
      status,
      ...(status < 500 && e.expose === true && typeof e.message === 'string'
        ? { detail: e.message }
        : {}),
      instance: q === -1 ? url : url.slice(0, q),
      ...(ctx !== undefined ? { request_id: ctx.requestId } : {}),
    };
    const body = JSON.stringify(problem);
    res.statusCode = status;
    res.setHeader('content-type', 'application/problem+json; charset=utf-8');
    res.setHeader('content-length', Buffer.byteLength(body));
    res.setHeader('cache-control', 'no-store');
    res.end(body);
  };
}
