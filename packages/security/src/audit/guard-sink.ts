import type { AuditEvent, AuditSink, SecurityLogger } from '../types.js';

/**
 * Wraps an application's audit sink so that a sink that throws is logged instead of breaking the
 * request that produced the event, and events without a client address do not carry `ip:
 * undefined`. Every security part wraps the `audit` option it is given with this.
 */
export function guardAuditSink(
  sink: AuditSink | undefined,
  logger: SecurityLogger | undefined,
): AuditSink | undefined {
  if (sink === undefined) return undefined;
  return {
    record(event: AuditEvent): void {
      const clean = event.ip === undefined ? (({ ip: _, ...rest }) => rest)(event) : event;
      try {
        sink.record(clean);
      } catch (error) {
        logger?.warn(
          { event: event.event, err: error instanceof Error ? error.message : String(error) },
          'audit sink failed',
        );
      }
    },
  };
}
