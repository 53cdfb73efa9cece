/**
 * Small PromQL text helpers shared by the generators: label filters written the way Sloth (Go's
 * `model.LabelSet.String()`) writes them, `{{.window}}` templates, label merging.
 */

const WINDOW_PLACEHOLDER = /\{\{\s*\.window\s*\}\}/g;

/** Replaces every `{{.window}}` (spaces allowed, as Sloth's template engine does) with `window`. */
export function renderWindow(template: string, window: string): string {
  return template.replace(WINDOW_PLACEHOLDER, window);
}

/** True when the text contains the `{{.window}}` placeholder. */
export function hasWindowPlaceholder(template: string): boolean {
  WINDOW_PLACEHOLDER.lastIndex = 0;
  const found = WINDOW_PLACEHOLDER.test(template);
  WINDOW_PLACEHOLDER.lastIndex = 0;
  return found;
}

const GO_ESCAPES: Readonly<Record<string, string>> = {
  '\u0007': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\u000b': '\\v',
  '\\': '\\\\',
  '"': '\\"',
};

/**
 * A double-quoted string as Go's `strconv.Quote` writes it, which is also a valid PromQL string
 * literal: printable characters as they are, the usual escapes, `\xNN`/`\uNNNN` for the rest.
 */
export function quote(value: string): string {
  let out = '"';
  for (const char of value) {
    const escaped = GO_ESCAPES[char];
    if (escaped !== undefined) {
      out += escaped;
      continue;
    }
    const code = char.codePointAt(0) ?? 0;
    if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (code >= 0x80 && code < 0xa0) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += char;
  }
  return `${out}"`;
}

/**
 * A label filter `{a="1", b="2"}`, keys sorted, `", "` between matchers: byte for byte what
 * Sloth writes, so selectors in both modes read the same.
 */
export function labelFilter(labels: Readonly<Record<string, string>>): string {
  const names = Object.keys(labels).sort();
  return `{${names.map((name) => `${name}=${quote(labels[name] ?? '')}`).join(', ')}}`;
}

/** Merges label maps left to right (later maps win), keys sorted for deterministic output. */
export function mergeLabels(
  ...maps: ReadonlyArray<Readonly<Record<string, string>> | undefined>
): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const map of maps) {
    if (!map) continue;
    for (const [key, value] of Object.entries(map)) merged[key] = value;
  }
  return sortKeys(merged);
}

/** A copy of a string map with keys in code-point order. */
export function sortKeys(map: Readonly<Record<string, string>>): Record<string, string> {
  const sorted: Record<string, string> = {};
  for (const key of Object.keys(map).sort()) sorted[key] = map[key] as string;
  return sorted;
}

/** Sorted unique positive numbers. */
export function uniqueSorted(values: Iterable<number>): number[] {
  return [...new Set(values)].sort((a, b) => a - b);
}

/**
 * Renders the `{{ $labels.NAME }}` parts of an alert template with the given labels, the way
 * Prometheus does for templates that only read labels. Returns `undefined` when the template
 * uses anything else (`$value`, functions, pipelines), whose output cannot be predicted.
 */
export function renderLabelTemplate(
  template: string,
  labels: Readonly<Record<string, string>>,
): string | undefined {
  let unpredictable = false;
  const out = template.replace(/\{\{(-?)\s*([^}]*?)\s*(-?)\}\}/g, (_match, _l, body: string) => {
    const label = /^\$labels\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(body);
    if (!label) {
      unpredictable = true;
      return '';
    }
    return labels[label[1] as string] ?? '';
  });
  return unpredictable ? undefined : out;
}
