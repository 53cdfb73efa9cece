/** One sample of a scraped exposition. */
export interface ParsedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
  exemplar?: { labels: Record<string, string>; value: number; timestamp?: number };
}

/** One metric family of a scraped exposition. */
export interface ParsedFamily {
  name: string;
  type?: string;
  help?: string;
  samples: ParsedSample[];
}

/** A parsed exposition, keyed by family name. */
export interface ParsedExposition {
  families: Map<string, ParsedFamily>;
  samples: ParsedSample[];
  /** True when the text ended with `# EOF` (OpenMetrics). */
  eof: boolean;
}

/**
 * Parses the Prometheus text format or OpenMetrics (including exemplars) into samples, for
 * assertions in tests. Strict about syntax: a malformed line throws with its line number.
 */
export function parseExposition(text: string): ParsedExposition {
  const families = new Map<string, ParsedFamily>();
  const samples: ParsedSample[] = [];
  let eof = false;
  const family = (name: string): ParsedFamily => {
    let f = families.get(name);
    if (f === undefined) {
      f = { name, samples: [] };
      families.set(name, f);
    }
    return f;
  };
  const lines = text.split('\n');
  lines.forEach((line, index) => {
    if (line === '') return;
    if (line === '# EOF') {
      eof = true;
      return;
    }
    if (line.startsWith('# HELP ') || line.startsWith('# TYPE ') || line.startsWith('# UNIT ')) {
      const rest = line.slice(7);
      const space = rest.indexOf(' ');
      const name = space === -1 ? rest : rest.slice(0, space);
      const value = space === -1 ? '' : rest.slice(space + 1);
      if (line.startsWith('# HELP ')) family(name).help = value;
      else if (line.startsWith('# TYPE ')) family(name).type = value;
      return;
    }
    if (line.startsWith('#')) return;
    const sample = parseSampleLine(line, index + 1);
    samples.push(sample);
    family(familyOf(sample.name, families)).samples.push(sample);
  });
  return { families, samples, eof };
}

function familyOf(sampleName: string, families: Map<string, ParsedFamily>): string {
  if (families.has(sampleName)) return sampleName;
  for (const suffix of ['_bucket', '_sum', '_count', '_total', '_created', '_info']) {
    if (sampleName.endsWith(suffix)) {
      const base = sampleName.slice(0, -suffix.length);
      if (families.has(base)) return base;
    }
  }
  return sampleName;
}

function parseSampleLine(line: string, lineNumber: number): ParsedSample {
  let i = 0;
  while (i < line.length && line[i] !== '{' && line[i] !== ' ') i++;
  const name = line.slice(0, i);
  let labels: Record<string, string> = {};
  if (line[i] === '{') {
    const parsed = parseLabels(line, i, lineNumber);
    labels = parsed.labels;
    i = parsed.end;
  }
  const rest = line.slice(i).trim();
  const hash = rest.indexOf(' # ');
  const valuePart = hash === -1 ? rest : rest.slice(0, hash);
  const [valueText] = valuePart.split(' ');
  const value = parseNumber(valueText ?? '', lineNumber);
  const sample: ParsedSample = { name, labels, value };
  if (hash !== -1) {
    const exemplarText = rest.slice(hash + 3);
    const parsed = parseLabels(exemplarText, 0, lineNumber);
    const [exValue, exTimestamp] = exemplarText.slice(parsed.end).trim().split(' ');
    sample.exemplar = {
      labels: parsed.labels,
      value: parseNumber(exValue ?? '', lineNumber),
      ...(exTimestamp !== undefined ? { timestamp: parseNumber(exTimestamp, lineNumber) } : {}),
    };
  }
  return sample;
}

function parseLabels(
  text: string,
  start: number,
  lineNumber: number,
): { labels: Record<string, string>; end: number } {
  if (text[start] !== '{')
    throw new Error(`line ${lineNumber}: expected "{" at column ${start + 1}`);
  const labels: Record<string, string> = {};
  let i = start + 1;
  while (i < text.length && text[i] !== '}') {
    const eq = text.indexOf('=', i);
    if (eq === -1 || text[eq + 1] !== '"')
      throw new Error(`line ${lineNumber}: malformed label at column ${i + 1}`);
    const key = text.slice(i, eq);
    let j = eq + 2;
    let value = '';
    while (j < text.length && text[j] !== '"') {
      if (text[j] === '\\') {
        const next = text[j + 1];
        value += next === 'n' ? '\n' : (next ?? '');
        j += 2;
      } else {
        value += text[j];
        j++;
      }
    }
    if (j >= text.length)
      throw new Error(`line ${lineNumber}: unterminated label value for ${key}`);
    labels[key] = value;
    i = j + 1;
    if (text[i] === ',') i++;
  }
  if (text[i] !== '}') throw new Error(`line ${lineNumber}: unterminated label set`);
  return { labels, end: i + 1 };
}

function parseNumber(text: string, lineNumber: number): number {
  if (text === '+Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  if (text === 'NaN') return Number.NaN;
  const value = Number(text);
  if (text === '' || Number.isNaN(value))
    throw new Error(`line ${lineNumber}: "${text}" is not a number`);
  return value;
}
