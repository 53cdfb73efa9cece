import { isSpanContextValid, trace } from '@opentelemetry/api';
import { currentRequestContext } from '@srekit/core';
import { invalidOption } from '../errors.js';
import type {
  AuditEvent,
  AuditEventName,
  AuditOutcome,
  AuditSink,
  SecurityLogger,
} from '../types.js';
import { auditRecordHash, GENESIS_HASH } from './audit-chain.js';
import {
  DEFAULT_SANITIZE_OPTIONS,
  type SanitizeOptions,
  sanitizeForAudit,
  sanitizeString,
} from './sanitize.js';

/** One audit event as written: sanitised, with the request's correlation ids. */
export interface AuditRecord {
  /** When the event was recorded (ISO 8601). */
  readonly ts: string;
  readonly event: AuditEventName;
  readonly outcome: AuditOutcome;
  readonly actor?: string;
  readonly ip?: string;
  /** Request id of the request being handled (core's `currentRequestContext()`). */
  readonly request_id?: string;
  /** Trace id of the request's span, so an audit line leads to its trace. */
  readonly trace_id?: string;
  readonly details?: Readonly<Record<string, unknown>>;
  /** With `chain: true`: position in the chain. */
  readonly seq?: number;
  /** With `chain: true`: `hash` of the previous record. */
  readonly prev_hash?: string;
  /** With `chain: true`: SHA-256 over this record's fields and `prev_hash`. */
  readonly hash?: string;
}

/** Options of {@link auditLog}. */
export interface AuditLogOptions {
  /**
   * Where audit lines go: core's `telemetry.logger` (pino). Success is written at `info`, every
   * other outcome at `warn`, with the message `audit <event>`.
   */
  readonly logger: SecurityLogger;
  /**
   * Chain the records: each carries `seq`, `prev_hash` and `hash` (SHA-256 over the canonical
   * record and the previous hash), so editing, removing or reordering a line shows in
   * {@link verifyAuditChain}. Default `false`.
   */
  readonly chain?: boolean;
  /**
   * Continue an earlier chain (e.g. the `head()` saved before a restart). Default: a new chain
   * at `seq` 0 with a `prev_hash` of 64 zeros.
   */
  readonly chainStart?: { readonly seq: number; readonly hash: string };
  /** More key names or fragments to redact, besides `AUDIT_DEFAULTS.secretKeyFragments`. */
  readonly redactKeys?: readonly string[];
  /** The clock, for tests. Default `Date.now`. */
  readonly now?: () => number;
}

/** A disposable subscription. */
export interface AuditSubscription {
  dispose(): void;
}

/** What {@link auditLog} returns: an `AuditSink` for every security part, plus observation. */
export interface AuditLog extends AuditSink {
  /** Calls `listener` with every record after it is written. Listener errors are logged, never thrown. */
  onEvent(listener: (record: AuditRecord) => void): AuditSubscription;
  /** The last chained record's `seq` and `hash` (to persist and pass as `chainStart`); `undefined` when not chaining or before the first record. */
  head(): { seq: number; hash: string } | undefined;
}

const HEX64 = /^[0-9a-f]{64}$/;

/**
 * The audit log: security events as structured lines through the service logger, with the
 * request and trace ids of the request they happened in, secrets stripped, CR/LF neutralised,
 * and optionally hash-chained.
 *
 * `record()` never throws: a failing logger or listener is reported on the logger and the
 * request goes on.
 *
 * @example
 * ```ts
 * const audit = auditLog({ logger: telemetry.logger, chain: true });
 * app.use(sessions({ audit }));
 * app.delete('/orders/:id', requirePermission('orders:delete', { rbac, audit }));
 * audit.onEvent((r) => { if (r.event === 'token.refresh_reuse') pageSecurityOnCall(r); });
 * ```
 */
export function auditLog(options: AuditLogOptions): AuditLog {
  if (options === undefined || typeof options.logger?.info !== 'function') {
    invalidOption(
      'auditLog.logger',
      'no logger was given',
      'Pass the service logger, e.g. `auditLog({ logger: telemetry.logger })`',
    );
  }
  const { logger, chain = false } = options;
  if (options.chainStart !== undefined) {
    const { seq, hash } = options.chainStart;
    if (!Number.isSafeInteger(seq) || seq < 0 || !HEX64.test(hash)) {
      invalidOption(
        'auditLog.chainStart',
        'it must be `{ seq: integer ≥ 0, hash: 64 lower-case hex digits }`',
        'Pass the value `head()` returned',
      );
    }
  }
  const sanitize: SanitizeOptions =
    options.redactKeys === undefined
      ? DEFAULT_SANITIZE_OPTIONS
      : {
          ...DEFAULT_SANITIZE_OPTIONS,
          secretKeyFragments: [
            ...DEFAULT_SANITIZE_OPTIONS.secretKeyFragments,
            ...options.redactKeys.map((k) => k.toLowerCase().replace(/[-_.\s]/g, '')),
          ],
        };
  const now = options.now ?? Date.now;
  const listeners = new Set<(record: AuditRecord) => void>();
  let head = options.chainStart;
  let nextSeq = options.chainStart === undefined ? 0 : options.chainStart.seq + 1;
  let prevHash = options.chainStart?.hash ?? GENESIS_HASH;

  const build = (event: AuditEvent): AuditRecord => {
    const ctx = currentRequestContext();
    // A child span of the application's wins; it carries the same trace id as the request's.
    const spanContext = (trace.getActiveSpan() ?? ctx?.span)?.spanContext();
    const traceId =
      spanContext !== undefined && isSpanContextValid(spanContext)
        ? spanContext.traceId
        : undefined;
    const details =
      event.details === undefined
        ? undefined
        : (sanitizeForAudit(event.details, sanitize) as Record<string, unknown>);
    const record: Record<string, unknown> = {
      ts: new Date(now()).toISOString(),
      event: sanitizeString(String(event.event), sanitize),
      outcome: sanitizeString(String(event.outcome), sanitize),
    };
    if (event.actor !== undefined) record.actor = sanitizeString(String(event.actor), sanitize);
    if (event.ip !== undefined) record.ip = sanitizeString(String(event.ip), sanitize);
    if (ctx !== undefined) record.request_id = sanitizeString(ctx.requestId, sanitize);
    if (traceId !== undefined) record.trace_id = traceId;
    if (details !== undefined) record.details = details;
    if (chain) {
      record.seq = nextSeq;
      record.prev_hash = prevHash;
      record.hash = auditRecordHash(record);
      nextSeq += 1;
      prevHash = record.hash as string;
      head = { seq: record.seq as number, hash: prevHash };
    }
    return deepFreeze(record) as unknown as AuditRecord;
  };

  return {
    record(event: AuditEvent): void {
      let record: AuditRecord;
      try {
        record = build(event);
        const message = `audit ${record.event}`;
        if (record.outcome === 'success') logger.info({ ...record }, message);
        else logger.warn({ ...record }, message);
      } catch (error) {
        safeError(logger, error, 'audit record could not be written');
        return;
      }
      for (const listener of listeners) {
        try {
          listener(record);
        } catch (error) {
          safeError(logger, error, 'audit listener failed');
        }
      }
    },
    onEvent(listener) {
      listeners.add(listener);
      return { dispose: () => listeners.delete(listener) };
    },
    head: () => (chain && head !== undefined ? { ...head } : undefined),
  };
}

/** Freezes the sanitised copy a record is made of, so no listener can change what others see. */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

function safeError(logger: SecurityLogger, error: unknown, message: string): void {
  try {
    logger.error(
      {
        err: {
          name: (error as Error)?.name,
          message: sanitizeString(String((error as Error)?.message)),
        },
      },
      message,
    );
  } catch {
    // The logger itself is what failed; there is nowhere left to report to.
  }
}
