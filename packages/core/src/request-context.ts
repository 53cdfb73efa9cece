import { AsyncLocalStorage } from 'node:async_hooks';
import {
  type Context,
  context,
  createContextKey,
  isSpanContextValid,
  type Span,
  trace,
} from '@opentelemetry/api';
import type { LogCorrelation } from './logger.js';

/** What srekit knows about the request being handled in the current async context. */
export interface RequestContext {
  readonly requestId: string;
  readonly span?: Span;
}

const storage = new AsyncLocalStorage<RequestContext>();
const REQUEST_ID = createContextKey('srekit.request_id');

/** `ctx` with the request id attached (used when OpenTelemetry carries the request context). */
export function withRequestId(ctx: Context, requestId: string): Context {
  return ctx.setValue(REQUEST_ID, requestId);
}

/** Runs `fn` with `ctx` as the current request context. */
export function runInRequestContext<T>(ctx: RequestContext, fn: () => T): T {
  return storage.run(ctx, fn);
}

/**
 * The request context of the caller, or `undefined` outside a request handled by
 * `telemetry.middleware()`.
 */
export function currentRequestContext(): RequestContext | undefined {
  const own = storage.getStore();
  if (own !== undefined) return own;
  const active = context.active();
  const requestId = active.getValue(REQUEST_ID);
  if (typeof requestId !== 'string') return undefined;
  const span = trace.getSpan(active);
  return span === undefined ? { requestId } : { requestId, span };
}

/**
 * The correlation fields for a log line written now: the active span (a child span created by
 * application code wins over the request's server span) and the request id.
 */
export function currentCorrelation(): LogCorrelation | undefined {
  const ctx = currentRequestContext();
  const span = trace.getActiveSpan() ?? ctx?.span;
  const spanContext = span?.spanContext();
  if (ctx === undefined && (spanContext === undefined || !isSpanContextValid(spanContext)))
    return undefined;
  const fields: LogCorrelation = {};
  if (spanContext !== undefined && isSpanContextValid(spanContext)) {
    fields.trace_id = spanContext.traceId;
    fields.span_id = spanContext.spanId;
  }
  if (ctx !== undefined) fields.request_id = ctx.requestId;
  return fields;
}
