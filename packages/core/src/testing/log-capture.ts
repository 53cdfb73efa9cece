import type { DestinationStream } from 'pino';

/** One parsed log line. */
export type LogRecord = Record<string, unknown> & { level?: string; msg?: string };

/**
 * A pino destination that keeps every line in memory, for assertions in tests.
 *
 * @example
 * ```ts
 * const logs = new LogCapture();
 * const telemetry = createTelemetry({ logging: { destination: logs } });
 * expect(logs.find((r) => r.msg === 'request completed')?.trace_id).toBe(traceId);
 * ```
 */
export class LogCapture implements DestinationStream {
  /** The raw lines as written (each ends with a newline). */
  readonly raw: string[] = [];

  write(line: string): void {
    this.raw.push(line);
  }

  /** Every line, parsed. */
  records(): LogRecord[] {
    return this.raw.map((line) => JSON.parse(line) as LogRecord);
  }

  /** The first record matching `predicate`. */
  find(predicate: (record: LogRecord) => boolean): LogRecord | undefined {
    return this.records().find(predicate);
  }

  /** Every record matching `predicate`. */
  filter(predicate: (record: LogRecord) => boolean): LogRecord[] {
    return this.records().filter(predicate);
  }

  /** Forgets what was captured. */
  clear(): void {
    this.raw.length = 0;
  }
}
