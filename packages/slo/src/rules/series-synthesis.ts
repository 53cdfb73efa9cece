import type { LabelMatcher, SeriesSelector } from './query-shape.js';
import { sampleRegex } from './regex-sample.js';

const POOL = ['', 'x', 'ok', '0', '200', '500', 'GET', 'true', 'false', 'a', 'other', 'none'];

function anchored(pattern: string): RegExp | undefined {
  try {
    return new RegExp(`^(?:${pattern})$`);
  } catch {
    return undefined;
  }
}

/** Whether a label value (`''` = label absent) satisfies a matcher, as Prometheus decides it. */
export function matches(matcher: LabelMatcher, value: string): boolean {
  switch (matcher.op) {
    case '=':
      return value === matcher.value;
    case '!=':
      return value !== matcher.value;
    case '=~':
      return anchored(matcher.value)?.test(value) ?? false;
    case '!~':
      return !(anchored(matcher.value)?.test(value) ?? true);
  }
}

/** Whether a label set is selected by a selector. */
export function selects(
  selector: SeriesSelector,
  labels: Readonly<Record<string, string>>,
): boolean {
  return selector.matchers.every((matcher) => matches(matcher, labels[matcher.name] ?? ''));
}

function candidates(matchers: readonly LabelMatcher[]): string[] {
  const out: string[] = [];
  for (const matcher of matchers) {
    if (matcher.op === '=' || matcher.op === '!=') out.push(matcher.value);
    else out.push(...sampleRegex(matcher.value));
  }
  out.push(...POOL, 'srekit_synthetic');
  return [...new Set(out)];
}

/**
 * Labels that satisfy every matcher of `must` and, when `violate` is given, fail that one
 * matcher. `undefined` when no candidate value works.
 */
export function labelSet(
  must: readonly LabelMatcher[],
  violate?: LabelMatcher,
): Record<string, string> | undefined {
  const names = new Set(must.map((matcher) => matcher.name));
  if (violate) names.add(violate.name);
  const labels: Record<string, string> = {};
  for (const name of [...names].sort()) {
    const constraints = must.filter((matcher) => matcher.name === name);
    const against = violate?.name === name ? violate : undefined;
    const pool = candidates(against ? [...constraints, against] : constraints);
    const value = pool.find(
      (candidate) =>
        constraints.every((matcher) => matches(matcher, candidate)) &&
        (!against || !matches(against, candidate)) &&
        (name !== '__name__' || /^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(candidate)),
    );
    if (value === undefined) return undefined;
    if (value !== '') labels[name] = value;
  }
  return labels.__name__ ? labels : undefined;
}

/**
 * Two series that make a selector pair measurable: one counted by `marked` (and by `total`
 * when possible), one counted by `total` but not by `marked`. With rates m and t − m (or t when
 * the marked series is outside `total`), `marked ÷ total` is m ÷ t. Every label set is checked
 * against both selectors; `undefined` when no such pair exists.
 */
export function synthesizePair(
  marked: SeriesSelector,
  total: SeriesSelector,
):
  | { marked: Record<string, string>; rest: Record<string, string>; markedInTotal: boolean }
  | undefined {
  const both = labelSet([...marked.matchers, ...total.matchers]);
  const markedOnly = both ?? labelSet(marked.matchers);
  if (!markedOnly || !selects(marked, markedOnly)) return undefined;
  const markedInTotal = selects(total, markedOnly);
  for (const matcher of marked.matchers) {
    const rest = labelSet(total.matchers, matcher);
    if (rest && selects(total, rest) && !selects(marked, rest)) {
      return { marked: markedOnly, rest, markedInTotal };
    }
  }
  return undefined;
}
