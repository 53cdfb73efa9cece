import { Counter, Gauge, Histogram, Registry, Summary } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { negotiateFormat, serializeRegistry } from './exposition.js';
import { createOpenMetricsRegistry } from './telemetry.js';
import { parseExposition } from './testing/exposition-parser.js';

function populate(registry: Registry) {
  const c = new Counter({
    name: 'jobs_total',
    help: 'Jobs done.',
    labelNames: ['queue'],
    registers: [registry],
  });
  c.inc({ queue: 'a "quoted" \\ back\nslash' }, 3);
  c.inc({ queue: 'b' });
  const g = new Gauge({
    name: 'temperature_celsius',
    help: 'Help with \\ and\nnewline.',
    registers: [registry],
  });
  g.set(-1.5);
  const h = new Histogram({
    name: 'latency_seconds',
    help: 'Latency.',
    labelNames: ['op'],
    buckets: [0.1, 1],
    registers: [registry],
  });
  h.observe({ op: 'read' }, 0.05);
  h.observe({ op: 'read' }, 5);
  const s = new Summary({
    name: 'size_bytes',
    help: 'Sizes.',
    percentiles: [0.5],
    registers: [registry],
  });
  s.observe(10);
  const inf = new Gauge({
    name: 'weird',
    help: 'Non-finite.',
    labelNames: ['k'],
    registers: [registry],
  });
  inf.set({ k: 'inf' }, Number.POSITIVE_INFINITY);
  inf.set({ k: 'nan' }, Number.NaN);
}

describe('serializeRegistry', () => {
  it('writes the text format exactly as prom-client does', async () => {
    const registry = new Registry();
    populate(registry);
    const ours = await serializeRegistry(registry, 'prometheus');
    const theirs = await registry.metrics();
    // Two intended differences: prom-client separates families with a blank line (not needed),
    // and writes NaN as "Nan"; srekit writes the canonical "NaN".
    expect(ours).toBe(theirs.replace(/\n\n/g, '\n').replace(/ Nan$/gm, ' NaN'));
    expect(ours).toContain('weird{k="nan"} NaN\n');
  });

  it('writes OpenMetrics with counter families, exemplars and # EOF', async () => {
    const registry = createOpenMetricsRegistry();
    const h = new Histogram({
      name: 'req_seconds',
      help: 'Requests.',
      labelNames: ['route'],
      buckets: [0.1, 1],
      enableExemplars: true,
      registers: [registry],
    });
    // prom-client's typings tie exemplar label names to the metric's label names; they are free.
    h.observe({
      labels: { route: '/a' },
      value: 0.5,
      exemplarLabels: { trace_id: 'abc123' },
    } as never);
    const c = new Counter({ name: 'hits_total', help: 'Hits.', registers: [registry] });
    c.inc(2);
    const text = await serializeRegistry(registry, 'openmetrics');
    expect(text.endsWith('# EOF\n')).toBe(true);
    expect(text).toContain('# TYPE hits counter\nhits_total 2\n');
    const parsed = parseExposition(text);
    const bucket = parsed.samples.find(
      (s) => s.name === 'req_seconds_bucket' && s.labels.le === '1',
    );
    expect(bucket?.value).toBe(1);
    expect(bucket?.exemplar?.labels).toEqual({ trace_id: 'abc123' });
    expect(bucket?.exemplar?.value).toBe(0.5);
    expect(Math.abs((bucket?.exemplar?.timestamp ?? 0) - Date.now() / 1000)).toBeLessThan(60);
    // The same registry still serialises as plain text, without exemplars.
    expect(await serializeRegistry(registry, 'prometheus')).not.toContain('#{');
    expect(registry.contentType).toBe(Registry.OPENMETRICS_CONTENT_TYPE);
  });

  it('includes registry default labels', async () => {
    const registry = new Registry();
    registry.setDefaultLabels({ region: 'eu' });
    new Gauge({ name: 'up_flag', help: 'Up.', registers: [registry] }).set(1);
    const parsed = parseExposition(await serializeRegistry(registry, 'prometheus'));
    expect(parsed.samples[0]?.labels).toEqual({ region: 'eu' });
  });

  it('yields to the event loop while serialising a large registry', async () => {
    const registry = new Registry();
    const c = new Counter({
      name: 'many_total',
      help: 'Many.',
      labelNames: ['id'],
      registers: [registry],
    });
    for (let i = 0; i < 200_000; i++) c.inc({ id: String(i) });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const text = await serializeRegistry(registry, 'prometheus');
    clearInterval(timer);
    expect(text.split('\n').filter((l) => l.startsWith('many_total')).length).toBe(200_000);
    expect(ticks).toBeGreaterThan(0);
  });
});

describe('negotiateFormat', () => {
  it('picks OpenMetrics when the scraper asks for it, text otherwise', () => {
    const prometheus =
      'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';
    expect(negotiateFormat(prometheus)).toBe('openmetrics');
    expect(negotiateFormat('text/plain')).toBe('prometheus');
    expect(negotiateFormat(undefined)).toBe('prometheus');
    expect(negotiateFormat('*/*')).toBe('prometheus');
    expect(negotiateFormat('application/openmetrics-text;q=0')).toBe('prometheus');
  });
});
