// The server variants of the request-path benchmark and its targets, shared by
// core-overhead/run.mjs (wrk) and instructions/run.mjs (callgrind instruction counts).
// `args` are the node arguments, relative to bench/core-overhead/ (the servers' working directory).

export const VARIANTS = [
  { name: 'bare', args: ['bare.mjs'], description: 'express 5, no instrumentation' },
  {
    name: 'srekit-metrics',
    args: ['srekit-metrics.mjs'],
    srekit: true,
    description: 'srekit: RED metrics + default metrics; tracing and access log off',
  },
  {
    name: 'srekit-tracing',
    args: ['srekit-tracing.mjs'],
    srekit: true,
    tracing: true,
    instructions: false,
    description:
      'srekit: metrics + tracing (BatchSpanProcessor, discarding exporter); access log off',
  },
  {
    name: 'srekit-full',
    args: ['srekit-full.mjs'],
    srekit: true,
    tracing: true,
    description:
      'srekit: metrics + tracing (BatchSpanProcessor, discarding exporter) + access log to a file',
  },
  {
    name: 'srekit-stack',
    args: ['srekit-stack.mjs'],
    srekit: true,
    tracing: true,
    authorization: true,
    instructions: false,
    description:
      'the full srekit stack: srekit-full + @srekit/security on the route (securityHeaders api preset, memory rateLimit, jwtAuth HS256 verifying a bearer token)',
  },
  {
    name: 'express-prom-bundle',
    args: ['express-prom-bundle.mjs'],
    description: 'express-prom-bundle 8: histogram by method, route template, status',
  },
  {
    name: 'otel-auto',
    args: ['--require', './otel-preload.cjs', 'otel-auto.cjs'],
    tracing: true,
    description:
      'OpenTelemetry http + express auto-instrumentation, same span processor and exporter',
  },
];

/**
 * The variants instructions/run.mjs measures by default: the steps added for the issue-8 table
 * (`instructions: false`) stay wrk-only to keep the callgrind run inside the bench time budget.
 */
export const INSTRUCTION_VARIANTS = VARIANTS.filter((v) => v.instructions !== false);

export const TARGETS = { metricsOnlyPct: 5, fullPct: 15 };

/** The variants named in a comma-separated list; throws on an unknown name. */
export function selectVariants(list) {
  return list.split(',').map((name) => {
    const v = VARIANTS.find((x) => x.name === name.trim());
    if (!v) {
      throw new Error(
        `unknown variant "${name}"; known: ${VARIANTS.map((x) => x.name).join(', ')}`,
      );
    }
    return v;
  });
}
