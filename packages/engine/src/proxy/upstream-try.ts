import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { isTimeoutError } from '../errors.js';

/** How a try failed: it decides the answer (502 / 504), the lease outcome and the retry. */
export type FailureKind = 'connect' | 'timeout' | 'reset' | 'malformed';

/** The response head of a try. */
export interface TryHead {
  readonly status: number;
  readonly statusMessage: string | undefined;
  readonly headers: Record<string, string | string[] | undefined>;
}

/** Where a relayed response body goes. `write` returns false to ask for a pause. */
export interface BodySink {
  write(chunk: Buffer): boolean;
  end(): void;
  error(error: Error, kind: FailureKind): void;
}

/** One request to one backend. */
export interface TryRequest {
  readonly origin: string;
  readonly path: string;
  readonly method: string;
  readonly headers: Record<string, string | string[]>;
  readonly body: Buffer | Readable | null;
}

const TIMEOUT_CODES = new Set([
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'ETIMEDOUT',
]);

const MALFORMED_CODES = new Set([
  'UND_ERR_HEADERS_OVERFLOW',
  'UND_ERR_RES_EXCEEDED_MAX_SIZE',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  'UND_ERR_INVALID_ARG',
]);

/**
 * Classifies a failure. `sent` says whether the request had reached a connected socket: any
 * error before that (refused, unreachable, TLS handshake) is a connect failure, which is safe
 * to retry for every method since the backend saw nothing.
 */
export function classifyFailure(error: unknown, sent: boolean): FailureKind {
  const code = (error as { code?: unknown } | null)?.code;
  if (isTimeoutError(error) || (typeof code === 'string' && TIMEOUT_CODES.has(code))) {
    return 'timeout';
  }
  if (!sent) return 'connect';
  if (typeof code === 'string' && (code.startsWith('HPE_') || MALFORMED_CODES.has(code))) {
    return 'malformed';
  }
  const name = (error as Error | null)?.name;
  if (name === 'HTTPParserError' || (error as Error | null)?.message === 'bad response') {
    return 'malformed';
  }
  return 'reset';
}

/**
 * One try, dispatched through undici with backpressure both ways: the request body is a stream
 * undici reads as the socket drains, and the response body is paused whenever the sink says so.
 *
 * `head` settles when the response head arrives (the body is held paused until {@link pipe}) or
 * rejects when the try fails first. `abort()` can be called at any time, even before undici
 * has a connection for the request.
 */
export class UpstreamTry {
  readonly head: Promise<TryHead>;
  #resolveHead!: (head: TryHead) => void;
  #rejectHead!: (error: Error) => void;
  #controller: Dispatcher.DispatchController | undefined;
  #aborted: Error | undefined;
  #headArrived = false;
  #settled = false;
  #sink: BodySink | undefined;
  readonly #pending: Buffer[] = [];
  #ended = false;
  #bodyError: Error | undefined;
  /** True once the request went out on a connected socket. */
  sent = false;

  constructor(dispatcher: Dispatcher, request: TryRequest, headersTimeoutMs?: number) {
    this.head = new Promise<TryHead>((resolve, reject) => {
      this.#resolveHead = resolve;
      this.#rejectHead = reject;
    });
    // The caller may abandon `head` (e.g. on a deadline); its rejection is then expected.
    this.head.catch(() => undefined);
    try {
      dispatcher.dispatch(
        {
          origin: request.origin,
          path: request.path,
          method: request.method as Dispatcher.HttpMethod,
          headers: request.headers,
          body: request.body,
          ...(headersTimeoutMs !== undefined ? { headersTimeout: headersTimeoutMs } : {}),
        },
        this.#handler(),
      );
    } catch (error) {
      this.#fail(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** Aborts the try (undici closes its connection); a pending `head` rejects with `reason`. */
  abort(reason: Error): void {
    if (this.#aborted !== undefined) return;
    this.#aborted = reason;
    this.#controller?.abort(reason);
    if (!this.#headArrived) this.#fail(reason);
  }

  /** Starts relaying the body into `sink`; call {@link resume} when the sink drains. */
  pipe(sink: BodySink): void {
    this.#sink = sink;
    let drained = true;
    for (const chunk of this.#pending.splice(0)) {
      if (!sink.write(chunk)) drained = false;
    }
    if (this.#bodyError !== undefined) {
      sink.error(this.#bodyError, classifyFailure(this.#bodyError, true));
      return;
    }
    if (this.#ended) {
      sink.end();
      return;
    }
    // Otherwise the sink's drain event resumes.
    if (drained) this.#controller?.resume();
  }

  /** Resumes reading the response body after the sink drained. */
  resume(): void {
    this.#controller?.resume();
  }

  #fail(error: Error): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#rejectHead(error);
  }

  #handler(): Dispatcher.DispatchHandler {
    return {
      onRequestStart: (controller) => {
        this.#controller = controller;
        this.sent = true;
        if (this.#aborted !== undefined) controller.abort(this.#aborted);
      },
      onResponseStart: (controller, statusCode, headers, statusMessage) => {
        // 1xx heads are informational: the final head follows.
        if (statusCode < 200 || this.#aborted !== undefined) return;
        this.#headArrived = true;
        this.#settled = true;
        // Held until the caller decides to relay or retry.
        controller.pause();
        this.#resolveHead({
          status: statusCode,
          statusMessage,
          headers: headers as Record<string, string | string[] | undefined>,
        });
      },
      onResponseData: (controller, chunk) => {
        if (this.#sink === undefined) {
          this.#pending.push(chunk);
          controller.pause();
          return;
        }
        if (!this.#sink.write(chunk)) controller.pause();
      },
      onResponseEnd: () => {
        this.#ended = true;
        this.#sink?.end();
      },
      onResponseError: (_controller, error) => {
        if (!this.#headArrived) {
          this.#fail(error);
          return;
        }
        this.#bodyError = error;
        this.#sink?.error(error, classifyFailure(error, true));
      },
    };
  }
}
