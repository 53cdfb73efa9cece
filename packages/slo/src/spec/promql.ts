import { parser } from '@prometheus-io/lezer-promql';

/** `{{.window}}` as Sloth's template engine matches it (spaces inside the braces allowed). */
export const WINDOW_PLACEHOLDER = /\{\{ *\.window *\}\}/g;

/** Whether a query template contains the `{{.window}}` placeholder. */
export function hasWindowPlaceholder(template: string): boolean {
  return new RegExp(WINDOW_PLACEHOLDER.source).test(template);
}

/** A syntax error in a query, at a character offset of the template as written. */
export interface PromqlError {
  readonly offset: number;
  readonly message: string;
}

/** The window substituted for `{{.window}}` before parsing (any valid duration parses alike). */
const SAMPLE_WINDOW = '5m';

/**
 * Checks the PromQL syntax of a query template. `{{.window}}` is replaced with a duration first;
 * offsets in the result refer to the template as written. Any other `{{ … }}` action is an error:
 * the only variable a template can use is `.window`.
 */
export function checkPromql(template: string): PromqlError | undefined {
  const leftover = /\{\{[^}]*\}\}/.exec(
    template.replace(WINDOW_PLACEHOLDER, (match) => ' '.repeat(match.length)),
  );
  if (leftover) {
    return {
      offset: leftover.index,
      message: `unknown template action \`${leftover[0]}\`; the only variable is \`{{.window}}\``,
    };
  }
  if (template.trim().length === 0) return { offset: 0, message: 'the query is empty' };
  // Map each offset of the substituted text back to the template.
  const toTemplate: number[] = [];
  let query = '';
  let last = 0;
  for (const match of template.matchAll(WINDOW_PLACEHOLDER)) {
    for (let i = last; i < match.index; i += 1) toTemplate.push(i);
    query += template.slice(last, match.index);
    for (let i = 0; i < SAMPLE_WINDOW.length; i += 1) toTemplate.push(match.index);
    query += SAMPLE_WINDOW;
    last = match.index + match[0].length;
  }
  for (let i = last; i <= template.length; i += 1) toTemplate.push(i);
  query += template.slice(last);

  const tree = parser.parse(query);
  let error: { from: number; to: number } | undefined;
  tree.iterate({
    enter(node) {
      if (error) return false;
      if (node.type.isError) {
        error = { from: node.from, to: node.to };
        return false;
      }
      return undefined;
    },
  });
  if (!error) return undefined;
  const offset = toTemplate[error.from] ?? template.length;
  const found = query.slice(error.from, Math.max(error.to, error.from + 1)).trim();
  const message =
    error.from >= query.trimEnd().length
      ? 'the query ends too early (an operand or a closing bracket is missing)'
      : `unexpected \`${truncate(found || query.slice(error.from, error.from + 10))}\``;
  return { offset, message };
}

function truncate(text: string): string {
  return text.length > 30 ? `${text.slice(0, 30)}…` : text;
}

/**
 * Whether a query is nothing but a vector selector (`http_requests_total{code=~"5.."}`), the form
 * OpenSLO metric sources often give for a counter.
 */
export function isPlainVectorSelector(query: string): boolean {
  const tree = parser.parse(query.trim());
  const top = tree.topNode.firstChild;
  if (!top || top.nextSibling || top.name !== 'VectorSelector') return false;
  let clean = true;
  tree.iterate({
    enter(node) {
      if (node.type.isError) clean = false;
    },
  });
  return clean;
}
