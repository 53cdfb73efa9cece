/**
 * Test kit for services instrumented with `@srekit/core`: capture spans and logs in memory,
 * scrape and parse the registry, start an app on an ephemeral loopback port, start a throw-away
 * Redis.
 *
 * @packageDocumentation
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ExportResult } from '@opentelemetry/core';
import {
  type ReadableSpan,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { Registry } from 'prom-client';
import { type ExpositionFormat, serializeRegistry } from '../exposition.js';
import { type ParsedExposition, parseExposition } from './exposition-parser.js';

export type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
export { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
export {
  type ParsedExposition,
  type ParsedFamily,
  type ParsedSample,
  parseExposition,
} from './exposition-parser.js';
export { LogCapture, type LogRecord } from './log-capture.js';
export {
  freePort,
  type StartRedisOptions,
  startRedisServer,
  type TestRedis,
} from './redis-server.js';

/**
 * A span exporter that keeps every finished span in memory. Unlike OpenTelemetry's
 * `InMemorySpanExporter`, it keeps the spans after shutdown, so a test can check what was
 * flushed by `telemetry.shutdown()`.
 */
export class SpanRecorder implements SpanExporter {
  readonly #spans: ReadableSpan[] = [];
  #stopped = false;

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    if (this.#stopped) {
      resultCallback({ code: 1, error: new Error('exporter is shut down') });
      return;
    }
    this.#spans.push(...spans);
    resultCallback({ code: 0 });
  }

  shutdown(): Promise<void> {
    this.#stopped = true;
    return Promise.resolve();
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  /** Every span exported so far, oldest first. */
  getFinishedSpans(): ReadableSpan[] {
    return [...this.#spans];
  }

  /** Forgets the recorded spans. */
  reset(): void {
    this.#spans.length = 0;
  }
}

/** In-memory tracing for tests: pass `spanProcessors` to `createTelemetry({ tracing })`. */
export interface InMemoryTracing {
  readonly exporter: SpanRecorder;
  readonly spanProcessors: SpanProcessor[];
}

/**
 * Spans exported synchronously into memory as they end.
 *
 * @example
 * ```ts
 * const spans = createInMemoryTracing();
 * const telemetry = createTelemetry({ tracing: { spanProcessors: spans.spanProcessors } });
 * // … requests …
 * expect(spans.exporter.getFinishedSpans()[0]?.name).toBe('GET /users/:id');
 * ```
 */
export function createInMemoryTracing(): InMemoryTracing {
  const exporter = new SpanRecorder();
  return { exporter, spanProcessors: [new SimpleSpanProcessor(exporter)] };
}

/** Serialises a registry the way `metricsHandler()` does, and parses it. */
export async function scrapeRegistry(
  registry: Registry,
  format: ExpositionFormat = 'prometheus',
): Promise<ParsedExposition & { text: string }> {
  const text = await serializeRegistry(registry, format);
  return { ...parseExposition(text), text };
}

/** A server listening on an ephemeral loopback port. */
export interface TestServer {
  readonly server: Server;
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  close(): Promise<void>;
}

/** Starts `app` (an express app or any request listener) on 127.0.0.1 with an ephemeral port. */
export async function listen(app: {
  listen: (port: number, host: string, cb: () => void) => Server;
}): Promise<TestServer> {
  let server: Server | undefined;
  await new Promise<void>((resolve) => {
    server = app.listen(0, '127.0.0.1', resolve);
  });
  const s = server as Server;
  const { port } = s.address() as AddressInfo;
  return {
    server: s,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        if (!s.listening) return resolve();
        s.close(() => resolve());
        s.closeAllConnections();
      }),
  };
}
