import {
  context,
  isSpanContextValid,
  ProxyTracerProvider,
  propagation,
  type TextMapPropagator,
  type Tracer,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';
import { logs } from '@opentelemetry/api-logs';
import {
  defaultResource,
  detectResources,
  envDetector,
  hostDetector,
  processDetector,
  resourceFromAttributes,
} from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { NoopSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { ERROR_CODES } from './errors.js';
import { countableOtlpExporter, countingBatchProcessor } from './span-export.js';
import type { TracingOptions } from './types.js';

/** Name of the tracer (instrumentation scope) under which core creates server spans. */
export const TRACER_NAME = '@srekit/core';

/** The running tracing set-up of one telemetry instance. */
export interface Tracing {
  /** False when no SDK could be started (e.g. `OTEL_SDK_DISABLED=true`): spans are no-ops. */
  readonly active: boolean;
  readonly tracer: Tracer;
  readonly propagator: TextMapPropagator;
  /** Flushes pending spans and stops the SDK this instance started (if any). */
  shutdown(): Promise<void>;
}

/** Whether the standard OTEL_* variables ask for spans to be exported. */
export function exportRequestedByEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  const exporters = env.OTEL_TRACES_EXPORTER?.trim();
  if (exporters !== undefined && exporters !== '') {
    return exporters.split(',').some((name) => name.trim() !== 'none');
  }
  return Boolean(
    env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim(),
  );
}

/**
 * The span processors for an export the environment asks for: core's own counting batch
 * processor over the OTLP/HTTP exporter when it can build it (so dropped spans show in
 * `srekit_tracing_spans_dropped_total`), else the SDK's set-up from the same variables.
 */
function envSpanProcessors(registry: Registry | undefined): {
  spanProcessors?: ReturnType<typeof countingBatchProcessor>[];
} {
  if (registry === undefined) return {};
  const exporter = countableOtlpExporter();
  return exporter === undefined
    ? {}
    : { spanProcessors: [countingBatchProcessor(exporter, registry)] };
}

/**
 * Starts tracing: the OpenTelemetry NodeSDK with srekit's resource, a batch span processor and
 * OTLP exporter when the environment names an endpoint, and no exporter otherwise (spans are
 * still created so logs and exemplars carry trace ids). The NodeSDK registers the global
 * context manager and propagator; when another SDK was registered first, its globals stay and
 * srekit still traces through its own provider.
 */
export function startTracing(
  options: TracingOptions,
  service: { name: string; version?: string; environment?: string },
  logger: Logger,
  check: (validation: 'globalTracerProvider' | 'tracerProvider') => boolean,
  registry?: Registry,
): Tracing {
  if (options.useGlobalProvider === true) {
    const tracer = trace.getTracer(TRACER_NAME);
    const probe = tracer.startSpan('srekit.probe');
    const active = isSpanContextValid(probe.spanContext());
    // Ending a sampled probe would export it; a span that never ends is simply dropped.
    if (!probe.isRecording()) probe.end();
    if (!active && check('tracerProvider')) {
      logger.warn(
        { code: ERROR_CODES.NO_TRACER_PROVIDER },
        'tracing.useGlobalProvider is set but no OpenTelemetry tracer provider is registered; requests get no spans. Start the OpenTelemetry SDK before createTelemetry() or drop useGlobalProvider',
      );
    }
    return {
      active,
      tracer,
      propagator: options.propagator ?? propagation,
      shutdown: async () => {},
    };
  }

  const attributes: Record<string, string> = { [ATTR_SERVICE_NAME]: service.name };
  if (service.version !== undefined) attributes[ATTR_SERVICE_VERSION] = service.version;
  if (service.environment !== undefined)
    attributes['deployment.environment.name'] = service.environment;
  // Detected attributes first, srekit's resolved identity last: the identity already gives
  // options precedence over OTEL_RESOURCE_ATTRIBUTES, so spans, logs and metrics agree.
  const resource = defaultResource()
    .merge(detectResources({ detectors: [envDetector, processDetector, hostDetector] }))
    .merge(resourceFromAttributes(attributes));

  const sdk = new NodeSDK({
    resource,
    autoDetectResources: false,
    // Metrics go through prom-client only; no OpenTelemetry meter provider, no log exporter.
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [],
    ...(options.sampler !== undefined ? { sampler: options.sampler } : {}),
    ...(options.propagator !== undefined ? { textMapPropagator: options.propagator } : {}),
    ...(options.spanProcessors !== undefined
      ? { spanProcessors: options.spanProcessors }
      : exportRequestedByEnv()
        ? envSpanProcessors(registry)
        : { spanProcessors: [new NoopSpanProcessor()] }),
  });
  sdk.start();

  // The NodeSDK keeps its provider private; the version is pinned exactly, so reading the field
  // is safe, and the global API is the fallback.
  const provider = (sdk as unknown as { _tracerProvider?: TracerProvider })._tracerProvider;
  const globalProvider = trace.getTracerProvider();
  const registered =
    provider !== undefined &&
    globalProvider instanceof ProxyTracerProvider &&
    globalProvider.getDelegate() === provider;
  if (provider !== undefined && !registered && check('globalTracerProvider')) {
    logger.warn(
      { code: ERROR_CODES.GLOBAL_TRACER_PROVIDER },
      'another OpenTelemetry tracer provider is registered globally; srekit traces through its own provider and leaves the global one in place. Set tracing.useGlobalProvider to use the global provider instead.',
    );
  }
  const tracer = (provider ?? trace.getTracerProvider()).getTracer(TRACER_NAME);

  const flushable = provider as (TracerProvider & { forceFlush?: () => Promise<void> }) | undefined;
  let done: Promise<void> | undefined;
  return {
    active: provider !== undefined,
    tracer,
    propagator: options.propagator ?? propagation,
    shutdown() {
      // forceFlush first: processors' shutdown() does not wait for exports already under way.
      done ??= Promise.resolve(flushable?.forceFlush?.())
        .then(() => sdk.shutdown())
        .catch((error: unknown) => {
          logger.warn(
            { err: error },
            'tracing shutdown failed; some spans may not have been exported',
          );
        })
        .finally(() => {
          // Undo the global registration so that a later instance (tests, hot reload) can register.
          if (registered) {
            trace.disable();
            propagation.disable();
            context.disable();
            logs.disable();
          }
        });
      return done;
    },
  };
}
