import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import {
  type Context,
  context,
  defaultTextMapGetter,
  isSpanContextValid,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { getRPCMetadata, RPCType } from '@opentelemetry/core';
import type { Logger } from 'pino';
import type { HttpServerMetrics } from './http-metrics.js';
import { truncateForLog } from './logger.js';
import { runInRequestContext, withRequestId } from './request-context.js';
import { resolveRequestId } from './request-id.js';
import { routeTemplate } from './route.js';
import type { Tracing } from './tracing.js';

/** An express-compatible middleware function. */
export type Middleware = (
  req: IncomingMessage,
  res: ServerResponse,
  next: (err?: unknown) => void,
) => void;

/** Request methods known to the OpenTelemetry HTTP semantic conventions; others become `_OTHER`. */
export const KNOWN_METHODS: ReadonlySet<string> = new Set([
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'CONNECT',
  'OPTIONS',
  'TRACE',
  'PATCH',
]);

/** The `http_request_method` label value for a request method. */
export function normalizeMethod(method: string | undefined): string {
  return method !== undefined && KNOWN_METHODS.has(method) ? method : '_OTHER';
}

/** Status code recorded for a request whose client went away before the response finished. */
export const CLIENT_CLOSED_REQUEST = 499;

/** Lifecycle hooks the middleware reports to (implemented by the shutdown coordinator). */
export interface RequestLifecycle {
  readonly shuttingDown: boolean;
  requestStarted(server: Server | undefined): void;
  requestEnded(): void;
}

interface MiddlewareDeps {
  metrics: HttpServerMetrics;
  /** Attach `{trace_id}` exemplars to sampled requests. */
  exemplars: boolean;
  /** Keep the request id in an async context when tracing is off (for log correlation). */
  requestContext: boolean;
  tracing: Tracing | undefined;
  logger: Logger;
  accessLog: boolean;
  ignorePaths: readonly (string | RegExp)[];
  requestIdHeader: string;
  unmatchedRouteLabel: string;
  lifecycle: RequestLifecycle;
}

type RoutedRequest = IncomingMessage & {
  route?: { path: unknown };
  baseUrl?: string;
  originalUrl?: string;
  app?: unknown;
  ip?: string;
  id?: string;
};

/** Builds the request middleware; see `Telemetry.middleware()`. */
export function createMiddleware(deps: MiddlewareDeps): Middleware {
  const { metrics, tracing, logger, accessLog, lifecycle, exemplars } = deps;
  const keepRequestContext = deps.requestContext;
  const header = deps.requestIdHeader.toLowerCase();
  const exactIgnores = new Set(deps.ignorePaths.filter((p): p is string => typeof p === 'string'));
  const patternIgnores = deps.ignorePaths.filter((p): p is RegExp => p instanceof RegExp);

  const ignored = (url: string | undefined): boolean => {
    if (url === undefined) return false;
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    if (exactIgnores.has(path)) return true;
    for (const pattern of patternIgnores) if (pattern.test(path)) return true;
    return false;
  };

  return function srekitTelemetry(incoming, res, next) {
    const req = incoming as RoutedRequest;
    const requestId = resolveRequestId(req.headers[header]);
    req.id = requestId;
    res.setHeader(header, requestId);
    lifecycle.requestStarted((req.socket as { server?: Server } | undefined)?.server);
    if (lifecycle.shuttingDown) res.setHeader('connection', 'close');

    if (ignored(req.url)) {
      res.once('close', () => lifecycle.requestEnded());
      if (tracing !== undefined) context.with(withRequestId(context.active(), requestId), next);
      else if (keepRequestContext) runInRequestContext({ requestId }, next);
      else next();
      return;
    }

    const method = normalizeMethod(req.method);
    const start = performance.now();
    metrics.requestStarted(method);

    let span: Span | undefined;
    let ownSpan = false;
    let requestContext = context.active();
    if (tracing !== undefined) {
      // The http instrumentation, when the application runs it, already made the server span.
      span = trace.getSpan(requestContext);
      if (span !== undefined) adoptSpan(span, req, res, method, requestContext);
      else {
        const parent = tracing.propagator.extract(ROOT_CONTEXT, req.headers, defaultTextMapGetter);
        span = tracing.tracer.startSpan(
          method === '_OTHER' ? 'HTTP' : method,
          {
            kind: SpanKind.SERVER,
            attributes: {
              'http.request.method': method,
              'url.path': pathOf(req.url),
              'url.scheme':
                (req.socket as { encrypted?: boolean }).encrypted === true ? 'https' : 'http',
              'user_agent.original': truncateForLog(req.headers['user-agent']) ?? '',
              'network.protocol.version': req.httpVersion,
            },
          },
          parent,
        );
        ownSpan = true;
        requestContext = trace.setSpan(parent, span);
      }
    }

    let finished = false;
    // `on` rather than `once` (no wrapper per request); `finished` guards against a repeat.
    res.on('close', () => {
      if (finished) return;
      finished = true;
      lifecycle.requestEnded();
      try {
        record();
      } catch (error) {
        // Telemetry must never take the process down: report and move on.
        logger.error({ err: error, request_id: requestId }, 'recording request telemetry failed');
      }
    });

    const record = (): void => {
      const seconds = (performance.now() - start) / 1000;
      const status = res.writableFinished ? res.statusCode : CLIENT_CLOSED_REQUEST;
      const matched = routeTemplate(req);
      const route = matched ?? deps.unmatchedRouteLabel;
      const ids = span?.spanContext();
      const sc = ids !== undefined && isSpanContextValid(ids) ? ids : undefined;
      const exemplar =
        exemplars && sc !== undefined && (sc.traceFlags & 1) === 1 ? sc.traceId : undefined;
      metrics.requestFinished(method, route, status, seconds, exemplar);

      if (span !== undefined && ownSpan) {
        span.setAttribute('http.response.status_code', status);
        if (matched !== undefined) {
          span.setAttribute('http.route', matched);
          span.updateName(`${method === '_OTHER' ? 'HTTP' : method} ${matched}`);
        }
        if (status >= 500) {
          span.setAttribute('error.type', String(status));
          span.setStatus({ code: SpanStatusCode.ERROR });
        }
        span.end();
      }

      if (accessLog) {
        const fields = {
          request_id: requestId,
          ...(sc !== undefined ? { trace_id: sc.traceId, span_id: sc.spanId } : {}),
          method: req.method,
          route,
          path: truncateForLog(pathOf(req.originalUrl ?? req.url)),
          status_code: status,
          duration_ms: Math.round(seconds * 1e6) / 1e3,
          client_address: req.ip ?? req.socket.remoteAddress,
          user_agent: truncateForLog(req.headers['user-agent']),
        };
        if (status >= 500) logger.error(fields, 'request completed');
        else logger.info(fields, 'request completed');
      }
    };

    // One async context per request: with tracing, OpenTelemetry's (which also carries the
    // request id); without, srekit's own.
    if (tracing !== undefined) context.with(withRequestId(requestContext, requestId), next);
    else if (keepRequestContext) runInRequestContext({ requestId }, next);
    else next();
  };
}

/**
 * Names the server span that OpenTelemetry's http instrumentation made after the route template.
 * That instrumentation ends its span inside `res.end()` and takes the route from the RPC metadata
 * in the context (which its express instrumentation would fill), so srekit wraps `res.end` for
 * this request to fill both in just before.
 */
function adoptSpan(
  span: Span,
  req: RoutedRequest,
  res: ServerResponse,
  method: string,
  ctx: Context,
): void {
  const end = res.end;
  res.end = function endWithRoute(this: ServerResponse, ...args: unknown[]) {
    res.end = end;
    const matched = routeTemplate(req);
    if (matched !== undefined) {
      span.setAttribute('http.route', matched);
      span.updateName(`${method === '_OTHER' ? 'HTTP' : method} ${matched}`);
      const rpc = getRPCMetadata(ctx);
      if (rpc?.type === RPCType.HTTP) rpc.route = matched;
    }
    return (end as (...a: unknown[]) => ServerResponse).apply(this, args);
  } as ServerResponse['end'];
}

/** The path of a URL without its query string (query strings often carry secrets). */
function pathOf(url: string | undefined): string {
  if (url === undefined) return '';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}
