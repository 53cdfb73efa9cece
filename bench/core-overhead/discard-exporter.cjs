'use strict';
// A SpanExporter that drops every span but counts them, so a run can prove that spans were
// really produced (an unpatched peer would make the comparison meaningless).
// CommonJS so that both the CJS otel preload and the ESM srekit server can load it.

class DiscardExporter {
  constructor() {
    this.exported = 0;
  }
  export(spans, resultCallback) {
    this.exported += spans.length;
    resultCallback({ code: 0 }); // ExportResultCode.SUCCESS
  }
  shutdown() {
    return Promise.resolve();
  }
  forceFlush() {
    return Promise.resolve();
  }
}

module.exports = { DiscardExporter };
