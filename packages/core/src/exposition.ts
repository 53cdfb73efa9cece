import type { Registry } from 'prom-client';

/** Content type of the Prometheus text format 0.0.4. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
/** Content type of OpenMetrics 1.0 (the only format that carries exemplars). */
export const OPENMETRICS_CONTENT_TYPE =
  'application/openmetrics-text; version=1.0.0; charset=utf-8';

/** Exposition formats {@link serializeRegistry} writes. */
export type ExpositionFormat = 'prometheus' | 'openmetrics';

interface MetricValue {
  value: number;
  labels?: Record<string, string | number | undefined>;
  metricName?: string;
  exemplar?: {
    labelSet: Record<string, string | number>;
    value: number;
    timestamp?: number;
  } | null;
}

interface MetricData {
  name: string;
  help: string;
  type: string;
  values: MetricValue[];
}

/** Longest stretch of synchronous serialisation before yielding to the event loop. */
const SLICE_MS = 8;

/**
 * Picks the exposition format from a scraper's `Accept` header: OpenMetrics when it is asked
 * for (as Prometheus does), the classic text format otherwise.
 */
export function negotiateFormat(accept: string | undefined): ExpositionFormat {
  if (accept === undefined) return 'prometheus';
  for (const part of accept.split(',')) {
    const [type, ...params] = part.split(';');
    if (type?.trim().toLowerCase() !== 'application/openmetrics-text') continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (q === undefined || Number(q.slice(2)) > 0) return 'openmetrics';
  }
  return 'prometheus';
}

/**
 * Serialises every metric of a prom-client registry in the Prometheus text format or in
 * OpenMetrics (with exemplars), yielding to the event loop every few milliseconds so that a
 * scrape of a large registry does not stall requests being served at the same time.
 *
 * Works with registries in either content-type mode; the registry itself is not modified.
 */
export async function serializeRegistry(
  registry: Registry,
  format: ExpositionFormat,
): Promise<string> {
  const chunks: string[] = [];
  await writeRegistry(registry, format, (chunk) => {
    chunks.push(chunk);
  });
  return chunks.join('');
}

/**
 * Like {@link serializeRegistry}, but hands the exposition to `write` in pieces as it is
 * produced (one piece per slice of work), so a large scrape is neither joined into one string
 * nor written in one call. `write` may return a promise to apply backpressure.
 */
export async function writeRegistry(
  registry: Registry,
  format: ExpositionFormat,
  write: (chunk: string) => void | Promise<void>,
): Promise<void> {
  const openMetrics = format === 'openmetrics';
  const defaultLabels =
    (registry as unknown as { _defaultLabels?: Record<string, string> })._defaultLabels ?? {};
  const hasDefaultLabels = Object.keys(defaultLabels).length > 0;
  let pending = '';
  let sliceStart = performance.now();
  const flushSlice = async (): Promise<void> => {
    if (pending !== '') {
      const chunk = pending;
      pending = '';
      await write(chunk);
    }
    await yieldToEventLoop();
    sliceStart = performance.now();
  };

  for (const metric of registry.getMetricsAsArray() as unknown as {
    get(): Promise<MetricData>;
  }[]) {
    const data = await metric.get();
    const type = openMetrics ? openMetricsType(data.type) : data.type;
    const isCounter = data.type === 'counter';
    const family = openMetrics && isCounter ? data.name.replace(/_total$/, '') : data.name;
    let out = `# HELP ${family} ${escapeHelp(data.help)}\n# TYPE ${family} ${type}\n`;
    let lines = 0;
    for (const sample of data.values) {
      let name = sample.metricName ?? data.name;
      if (openMetrics && isCounter && !name.endsWith('_total')) name = `${name}_total`;
      const labels = hasDefaultLabels ? { ...defaultLabels, ...sample.labels } : sample.labels;
      out += name;
      out += formatLabels(labels);
      out += ' ';
      out += formatValue(sample.value);
      const exemplar = sample.exemplar;
      if (
        openMetrics &&
        exemplar != null &&
        exemplar.value != null &&
        Object.keys(exemplar.labelSet).length > 0
      ) {
        out += ` # ${formatLabels(exemplar.labelSet) || '{}'} ${formatValue(exemplar.value)}`;
        if (exemplar.timestamp !== undefined) out += ` ${exemplar.timestamp.toFixed(3)}`;
      }
      out += '\n';
      if (++lines % 512 === 0 && performance.now() - sliceStart > SLICE_MS) {
        pending += out;
        out = '';
        await flushSlice();
      }
    }
    pending += out;
    if (performance.now() - sliceStart > SLICE_MS) await flushSlice();
  }
  if (openMetrics) pending += '# EOF\n';
  if (pending !== '') await write(pending);
}

function openMetricsType(type: string): string {
  switch (type) {
    case 'counter':
    case 'gauge':
    case 'histogram':
    case 'summary':
      return type;
    default:
      return 'unknown';
  }
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function formatLabels(labels: Record<string, string | number | undefined> | undefined): string {
  if (labels === undefined) return '';
  let out = '';
  for (const name in labels) {
    const value = labels[name];
    if (value === undefined) continue;
    out += out === '' ? '{' : ',';
    out += `${name}="${escapeLabelValue(typeof value === 'number' ? formatValue(value) : value)}"`;
  }
  return out === '' ? '' : `${out}}`;
}

/** Formats a sample value the way Prometheus and OpenMetrics parsers expect. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

const LABEL_ESCAPES = /[\\"\n]/;

function escapeLabelValue(value: string): string {
  if (!LABEL_ESCAPES.test(value)) return value;
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function escapeHelp(help: string): string {
  return help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}
