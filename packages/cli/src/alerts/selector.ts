import { SrekitError } from '@srekit/core';
import { CLI_ERROR_CODES } from '../cli/errors.js';

/** Error code thrown when `options.selector` is not a list of PromQL label matchers. */
export const INVALID_SELECTOR = CLI_ERROR_CODES.INVALID_SELECTOR;

/** One PromQL label matcher of `options.selector`. */
export interface LabelMatcher {
  readonly name: string;
  readonly op: '=' | '!=' | '=~' | '!~';
  /** The value, unquoted. */
  readonly value: string;
  /** The matcher as written (`job=~"orders.*"`), inserted into expressions unchanged. */
  readonly text: string;
}

const MATCHER =
  /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)\s*(,|$)/;

function unquote(quoted: string): string {
  const body = quoted.slice(1, -1);
  if (quoted.startsWith('`')) return body;
  return body.replace(/\\(.)/g, (_, c: string) =>
    c === 'n' ? '\n' : c === 't' ? '\t' : c === 'r' ? '\r' : c,
  );
}

function invalid(selector: string, problem: string): never {
  throw new SrekitError(
    INVALID_SELECTOR,
    `Invalid selector \`${selector}\`: ${problem}. Give comma-separated PromQL label matchers, e.g. job=~"orders.*",env="prod"`,
  );
}

/**
 * Parses `options.selector`: comma-separated PromQL label matchers, optionally in braces.
 * Throws `ERR_SREKIT_CLI_INVALID_SELECTOR` on anything else, so a typo fails at generation time
 * rather than producing rules Prometheus rejects.
 */
export function parseSelector(selector: string | undefined): LabelMatcher[] {
  if (selector === undefined) return [];
  let rest = selector.trim();
  if (rest.startsWith('{')) {
    if (!rest.endsWith('}')) invalid(selector, 'the opening brace is not closed');
    rest = rest.slice(1, -1);
  }
  const matchers: LabelMatcher[] = [];
  while (rest.trim() !== '') {
    const match = MATCHER.exec(rest);
    if (match === null) invalid(selector, `cannot read a matcher at \`${rest.trim()}\``);
    const [whole, name, op, quoted] = match as unknown as [
      string,
      string,
      LabelMatcher['op'],
      string,
    ];
    if (name === '__name__') invalid(selector, 'it may not select the metric name');
    matchers.push({ name, op, value: unquote(quoted), text: `${name}${op}${quoted}` });
    rest = rest.slice(whole.length);
  }
  return matchers;
}

function satisfies(value: string, matcher: LabelMatcher): boolean {
  switch (matcher.op) {
    case '=':
      return value === matcher.value;
    case '!=':
      return value !== matcher.value;
    case '=~':
      return new RegExp(`^(?:${matcher.value})$`).test(value);
    case '!~':
      return !new RegExp(`^(?:${matcher.value})$`).test(value);
  }
}

/** Strings a regular expression plausibly matches: its first alternative with wildcards filled. */
function regexCandidates(regex: string): string[] {
  const alternatives = [regex, ...regex.replace(/^\((.*)\)$/, '$1').split('|')];
  return alternatives.flatMap((alternative) => {
    const filled = alternative
      .replace(/[()^$]/g, '')
      .replace(/\.\+/g, 'x')
      .replace(/\.[*?]/g, '')
      .replace(/\\(.)/g, '$1');
    return [filled, alternative];
  });
}

/**
 * Labels a test series needs so that every matcher of the selector selects it, starting from
 * `base` (labels it has anyway). Used by the promtool tests of the alerts, which must hold for
 * the same selector as the rules. Throws `ERR_SREKIT_CLI_INVALID_SELECTOR` when no value is found
 * (a regular expression too clever for the simple search).
 */
export function selectorExampleLabels(
  matchers: readonly LabelMatcher[],
  base: Readonly<Record<string, string>>,
): Record<string, string> {
  const labels: Record<string, string> = { ...base };
  const names = [...new Set(matchers.map((m) => m.name))];
  for (const name of names) {
    const own = matchers.filter((m) => m.name === name);
    const candidates = [
      labels[name] ?? '',
      ...own.flatMap((m) =>
        m.op === '=' ? [m.value] : m.op === '=~' ? regexCandidates(m.value) : [],
      ),
      'srekit-test',
      'srekit-test-1',
    ];
    const value = candidates.find((candidate) => own.every((m) => satisfies(candidate, m)));
    if (value === undefined) {
      invalid(
        own.map((m) => m.text).join(','),
        `no label value was found that matches it, so the alert tests cannot be written`,
      );
    }
    if (value === '') delete labels[name];
    else labels[name] = value;
  }
  return labels;
}
