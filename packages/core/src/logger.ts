import pino, { type DestinationStream, type Logger } from 'pino';
import { DEFAULT_REDACT_KEYS, DEFAULTS, REDACTED } from './defaults.js';
import { LOG_FIELDS } from './metrics.js';
import type { LoggingOptions } from './types.js';

/** Correlation fields of the request or span a log line is written in. */
export interface LogCorrelation {
  trace_id?: string;
  span_id?: string;
  request_id?: string;
}

/** What {@link createLogger} returns: the logger and a way to flush its destination. */
export interface CreatedLogger {
  logger: Logger;
  flush(): Promise<void>;
}

/**
 * Creates the service logger: pino JSON lines with `time` (ISO 8601), `level` (a name),
 * `msg`, `service`, and the `trace_id`/`span_id`/`request_id` of the active request, with
 * secrets redacted.
 *
 * Log-injection safety comes from the format: every value is JSON-encoded, so a CR or LF in
 * user input is written as `\r`/`\n` escapes and can never start a forged line.
 */
export function createLogger(
  options: LoggingOptions,
  service: { name: string; version?: string; environment?: string },
  correlation: () => LogCorrelation | undefined,
): CreatedLogger {
  const mixin = (): object => correlation() ?? {};
  const redactKeys = new Set(
    [...DEFAULT_REDACT_KEYS, ...(options.redactKeys ?? [])].map((k) => k.toLowerCase()),
  );
  const redactLog = (object: Record<string, unknown>): Record<string, unknown> =>
    redactByKey(object, redactKeys, DEFAULTS.maxRedactDepth);
  if (options.logger !== undefined) {
    // pino children cannot take a mixin; the `log` formatter adds the same fields and applies the
    // key redaction. The parent's own redaction and destination stay as they are.
    const logger = options.logger.child(
      { [LOG_FIELDS.service]: service.name },
      {
        formatters: {
          log: (object: object) =>
            redactLog({ ...correlation(), ...(object as Record<string, unknown>) }),
        },
      },
    );
    return { logger, flush: () => flushLogger(logger) };
  }
  const destination = toDestination(options.destination);
  const flush = () => flushDestination(destination, logger);
  const logger = pino(
    {
      level: options.level ?? process.env.LOG_LEVEL ?? DEFAULTS.logLevel,
      messageKey: LOG_FIELDS.msg,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ [LOG_FIELDS.level]: label }), log: redactLog },
      base: {
        [LOG_FIELDS.service]: service.name,
        ...(service.version !== undefined ? { service_version: service.version } : {}),
        ...(service.environment !== undefined ? { environment: service.environment } : {}),
      },
      // pino's path redaction only for paths the application adds: its wildcards cost several
      // times the rest of a log line, so the default secrets are redacted by key instead.
      ...(options.redact !== undefined && options.redact.length > 0
        ? { redact: { paths: [...options.redact], censor: REDACTED } }
        : {}),
      mixin,
    },
    destination,
  );
  return { logger, flush };
}

interface SonicBoomLike {
  fd?: number;
  once?(event: 'ready' | 'error', listener: (...args: unknown[]) => void): void;
  flush?(cb: (err?: Error | null) => void): void;
}

/** Waits for a file destination to open (it opens asynchronously), then flushes its buffer. */
async function flushDestination(destination: DestinationStream, logger: Logger): Promise<void> {
  const stream = destination as SonicBoomLike;
  if (typeof stream.flush !== 'function') return flushLogger(logger);
  if (typeof stream.fd === 'number' && stream.fd < 0 && typeof stream.once === 'function') {
    await new Promise<void>((resolve) => {
      stream.once?.('ready', () => resolve());
      stream.once?.('error', () => resolve());
    });
  }
  await new Promise<void>((resolve) => {
    try {
      stream.flush?.(() => resolve());
    } catch {
      resolve();
    }
  });
}

function toDestination(destination: LoggingOptions['destination']): DestinationStream {
  if (destination === undefined) return pino.destination({ dest: 1, sync: false });
  if (typeof destination === 'number') return pino.destination({ dest: destination, sync: false });
  if (typeof destination === 'string')
    return pino.destination({ dest: destination, sync: false, mkdir: true });
  return destination;
}

function flushLogger(logger: Logger): Promise<void> {
  return new Promise((resolve) => {
    try {
      logger.flush((err) => {
        // A destination that cannot be flushed (already closed, or a plain stream) loses nothing
        // more by being skipped: resolve either way.
        void err;
        resolve();
      });
    } catch {
      resolve();
    }
  });
}

/**
 * Replaces the values of `keys` (lower-case) with `[REDACTED]` in plain objects and arrays down
 * to `maxDepth`, copying only the objects on the way to a redacted value: the caller's objects
 * are never modified, and a line without secrets costs one walk and no copies.
 */
export function redactByKey(
  object: Record<string, unknown>,
  keys: ReadonlySet<string>,
  maxDepth: number,
): Record<string, unknown> {
  return (redactValue(object, keys, maxDepth) ?? object) as Record<string, unknown>;
}

/** Returns a redacted copy of `value`, or `undefined` when nothing in it needed redaction. */
function redactValue(value: unknown, keys: ReadonlySet<string>, depth: number): unknown {
  if (depth <= 0 || value === null || typeof value !== 'object') return undefined;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const replaced = redactValue(value[i], keys, depth - 1);
      if (replaced !== undefined) {
        copy ??= [...value];
        copy[i] = replaced;
      }
    }
    return copy;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return undefined;
  const record = value as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined;
  for (const key in record) {
    const child = record[key];
    let replaced: unknown;
    if (keys.has(key.toLowerCase())) replaced = child === undefined ? undefined : REDACTED;
    else replaced = redactValue(child, keys, depth - 1);
    if (replaced !== undefined) {
      copy ??= { ...record };
      copy[key] = replaced;
    }
  }
  return copy;
}

/** Shortens a string copied from a request so that one request cannot flood the log. */
export function truncateForLog(
  value: string | undefined,
  max: number = DEFAULTS.maxLoggedValueLength,
): string | undefined {
  if (value === undefined || value.length <= max) return value;
  return `${value.slice(0, max)}…[truncated ${value.length - max} chars]`;
}
