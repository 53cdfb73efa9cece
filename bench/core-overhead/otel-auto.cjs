'use strict';
// Peer: OpenTelemetry auto-instrumentation (http + express). CommonJS on purpose: the
// instrumentation patches modules through `require`, so the server must `require('express')`
// after otel-preload.cjs ran (`node --require ./otel-preload.cjs otel-auto.cjs`).
const otel = globalThis.__srekitBenchOtel;
if (!otel) {
  process.stderr.write('otel-auto.cjs must be started with --require ./otel-preload.cjs\n');
  process.exit(1);
}
const express = require('express');
const { serve } = require('./server-util.cjs');

const app = express();
app.get('/users/:id', (req, res) => {
  res.json({ id: req.params.id });
});
serve(app, {
  name: 'otel-auto',
  shutdown: async () => {
    await otel.provider.shutdown(); // flushes the BatchSpanProcessor
    return { exportedSpans: otel.exporter.exported };
  },
});
