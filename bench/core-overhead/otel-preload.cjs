'use strict';
// Loaded with `node --require ./otel-preload.cjs otel-auto.cjs`: registers the OpenTelemetry
// http + express auto-instrumentation before the server requires `http` and `express`, which is
// when require-in-the-middle can patch them. Spans go through the same BatchSpanProcessor and
// discarding exporter as srekit-full.
const { NodeTracerProvider } = require('@opentelemetry/sdk-trace-node');
const { BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base');
const { registerInstrumentations } = require('@opentelemetry/instrumentation');
const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http');
const { ExpressInstrumentation } = require('@opentelemetry/instrumentation-express');
const { DiscardExporter } = require('./discard-exporter.cjs');

const exporter = new DiscardExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter)] });
provider.register();
registerInstrumentations({
  tracerProvider: provider,
  instrumentations: [new HttpInstrumentation(), new ExpressInstrumentation()],
});

globalThis.__srekitBenchOtel = { provider, exporter };
