import {
  type Context,
  propagation,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';

/** Instrumentation scope of the engine's spans. */
export const ENGINE_TRACER_NAME = '@srekit/engine';

/** What a try's span describes. */
export interface TrySpanInput {
  readonly method: string;
  /** The backend URL (host and port come from it). */
  readonly target: URL;
  /** The URL requested (`url.full`). */
  readonly fullUrl: string;
  readonly backendId: string;
  /** 0 for the first try. */
  readonly attempt: number;
}

/**
 * Starts the CLIENT span of one try as a child of `parent` (the incoming request's context) and
 * writes `traceparent` / `tracestate` into `headers` so the backend continues the trace. With no
 * tracer provider registered, the span is a no-op and nothing is injected.
 */
export function startTrySpan(
  parent: Context,
  input: TrySpanInput,
  headers: Record<string, string | string[]>,
): Span {
  const tracer = trace.getTracer(ENGINE_TRACER_NAME);
  const { target } = input;
  const port = target.port === '' ? (target.protocol === 'https:' ? 443 : 80) : target.port;
  const span = tracer.startSpan(
    `HTTP ${input.method}`,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'http.request.method': input.method,
        'server.address': target.hostname,
        'server.port': Number(port),
        'url.full': input.fullUrl,
        'srekit.backend.id': input.backendId,
        ...(input.attempt > 0 ? { 'http.request.resend_count': input.attempt } : {}),
      },
    },
    parent,
  );
  propagation.inject(trace.setSpan(parent, span), headers);
  return span;
}

/** Ends a try's span with the response status (4xx and 5xx are errors for a client span). */
export function endSpanWithStatus(span: Span, status: number): void {
  span.setAttribute('http.response.status_code', status);
  if (status >= 400) {
    span.setAttribute('error.type', String(status));
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
}

/** Ends a try's span that failed without a (complete) response. */
export function endSpanWithError(span: Span, errorType: string, message: string): void {
  span.setAttribute('error.type', errorType);
  span.setStatus({ code: SpanStatusCode.ERROR, message });
  span.end();
}
