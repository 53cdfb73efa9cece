import { TraceFlags } from '@opentelemetry/api';
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import { OTLPTraceExporter as OtlpHttpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import {
  BatchSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { Counter, type Registry } from 'prom-client';
import { getOrCreate } from './http-metrics.js';
import { METRICS } from './metrics.js';

/** Why a span was not exported: the label values of `srekit_tracing_spans_dropped_total`. */
export const SPAN_DROP_REASONS = {
  /** The batch processor's queue was full when the span ended (the exporter cannot keep up). */
  queueFull: 'queue_full',
  /** The exporter reported the batch failed (endpoint down, refused, timed out, rejected). */
  exportFailed: 'export_failed',
} as const;

/** The batch processor's defaults (OpenTelemetry's), used when no `OTEL_BSP_*` variable is set. */
const BSP_DEFAULTS = {
  maxQueueSize: 2048,
  maxExportBatchSize: 512,
  scheduledDelayMillis: 5000,
  exportTimeoutMillis: 30000,
} as const;

function envInt(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  return Number.isInteger(value) && value > 0 ? value : undefined;
}

/**
 * The OTLP exporter the standard variables ask for, when core can count what it does: only
 * `otlp` named (or nothing named) in `OTEL_TRACES_EXPORTER`, over `http/protobuf` (the default)
 * or `http/json`. Anything else (gRPC, several exporters, zipkin, console) is left to the
 * OpenTelemetry SDK's own set-up, uncounted.
 */
export function countableOtlpExporter(
  env: NodeJS.ProcessEnv = process.env,
): SpanExporter | undefined {
  const named = env.OTEL_TRACES_EXPORTER?.trim();
  if (named !== undefined && named !== '' && named !== 'otlp') return undefined;
  const protocol = (
    env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL?.trim() ||
    env.OTEL_EXPORTER_OTLP_PROTOCOL?.trim() ||
    'http/protobuf'
  ).toLowerCase();
  if (protocol === 'http/protobuf') return new OtlpProtobufExporter();
  if (protocol === 'http/json') return new OtlpHttpJsonExporter();
  return undefined;
}

/** The counters of span export, registered once per registry. */
function exportCounters(registry: Registry): { exported: Counter; dropped: Counter<'reason'> } {
  const exported = getOrCreate(
    registry,
    METRICS.tracingSpansExported.name,
    'counter',
    () =>
      new Counter({
        name: METRICS.tracingSpansExported.name,
        help: METRICS.tracingSpansExported.help,
        registers: [registry],
      }),
    { labelNames: METRICS.tracingSpansExported.labels },
  );
  const dropped = getOrCreate(
    registry,
    METRICS.tracingSpansDropped.name,
    'counter',
    () =>
      new Counter({
        name: METRICS.tracingSpansDropped.name,
        help: METRICS.tracingSpansDropped.help,
        labelNames: [...METRICS.tracingSpansDropped.labels],
        registers: [registry],
      }),
    { labelNames: METRICS.tracingSpansDropped.labels },
  );
  // Both reasons exist from the start, so `rate()` and alerts see a 0 rather than no series.
  for (const reason of Object.values(SPAN_DROP_REASONS)) dropped.inc({ reason }, 0);
  return { exported, dropped };
}

/**
 * A batch span processor over `exporter` that counts every sampled span's fate on `registry`:
 * exported, dropped because the queue was full, or dropped because the export failed. The
 * OpenTelemetry batch processor drops silently; this one keeps the same behaviour (and the same
 * `OTEL_BSP_*` settings) and makes the drops visible.
 */
export function countingBatchProcessor(
  exporter: SpanExporter,
  registry: Registry,
  env: NodeJS.ProcessEnv = process.env,
): BatchSpanProcessor {
  const config = {
    maxQueueSize: envInt(env, 'OTEL_BSP_MAX_QUEUE_SIZE') ?? BSP_DEFAULTS.maxQueueSize,
    maxExportBatchSize:
      envInt(env, 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE') ?? BSP_DEFAULTS.maxExportBatchSize,
    scheduledDelayMillis:
      envInt(env, 'OTEL_BSP_SCHEDULE_DELAY') ?? BSP_DEFAULTS.scheduledDelayMillis,
    exportTimeoutMillis: envInt(env, 'OTEL_BSP_EXPORT_TIMEOUT') ?? BSP_DEFAULTS.exportTimeoutMillis,
  };
  // The SDK takes a batch no larger than the queue.
  config.maxExportBatchSize = Math.min(config.maxExportBatchSize, config.maxQueueSize);
  const counters = exportCounters(registry);
  // Spans ended and queued but not yet handed to the exporter. The batch processor drops a span
  // when its queue already holds `maxQueueSize`: the same test here tells which ones it drops.
  let queued = 0;
  const counting: SpanExporter = {
    export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
      queued = Math.max(0, queued - spans.length);
      exporter.export(spans, (result) => {
        if (result.code === ExportResultCode.SUCCESS) counters.exported.inc(spans.length);
        else counters.dropped.inc({ reason: SPAN_DROP_REASONS.exportFailed }, spans.length);
        resultCallback(result);
      });
    },
    shutdown: () => exporter.shutdown(),
    ...(exporter.forceFlush
      ? { forceFlush: () => (exporter.forceFlush as () => Promise<void>)() }
      : {}),
  };

  class CountingBatchSpanProcessor extends BatchSpanProcessor {
    #shutDown = false;

    override onEnd(span: ReadableSpan): void {
      if (!this.#shutDown && (span.spanContext().traceFlags & TraceFlags.SAMPLED) !== 0) {
        if (queued >= config.maxQueueSize) {
          counters.dropped.inc({ reason: SPAN_DROP_REASONS.queueFull });
        } else {
          queued++;
        }
      }
      super.onEnd(span);
    }

    override shutdown(): Promise<void> {
      this.#shutDown = true;
      return super.shutdown();
    }
  }
  return new CountingBatchSpanProcessor(counting, config);
}
