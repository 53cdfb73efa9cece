import type { AuditEvent, AuditSink, SecurityLogger } from '../../src/types.js';

/** One logged line. */
export interface LoggedLine {
  readonly level: 'info' | 'warn' | 'error';
  readonly object: object;
  readonly message: string;
}

/** A `SecurityLogger` that keeps every line, for assertions. */
export class RecordingLogger implements SecurityLogger {
  readonly lines: LoggedLine[] = [];
  info(object: object, message: string): void {
    this.lines.push({ level: 'info', object, message });
  }
  warn(object: object, message: string): void {
    this.lines.push({ level: 'warn', object, message });
  }
  error(object: object, message: string): void {
    this.lines.push({ level: 'error', object, message });
  }
  /** Everything logged, as one string (to check that no secret leaked). */
  text(): string {
    return JSON.stringify(this.lines);
  }
}

/** An `AuditSink` that keeps every event. */
export class RecordingAudit implements AuditSink {
  readonly events: AuditEvent[] = [];
  record(event: AuditEvent): void {
    this.events.push(event);
  }
  names(): string[] {
    return this.events.map((e) => e.event);
  }
}
