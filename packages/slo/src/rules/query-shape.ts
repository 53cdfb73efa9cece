import { parser } from '@prometheus-io/lezer-promql';

type SyntaxNode = ReturnType<typeof parser.parse>['topNode'];

/**
 * What the rule and test generators need to know about a user's PromQL query, read from the
 * Prometheus project's own Lezer grammar: whether its result carries labels, and which series
 * selectors it reads.
 */

/** A label matcher of a series selector. `name` is `__name__` for the metric name. */
export interface LabelMatcher {
  readonly name: string;
  readonly op: '=' | '!=' | '=~' | '!~';
  readonly value: string;
}

/** A series selector found in a query. */
export interface SeriesSelector {
  /** Every matcher, the metric name included as `__name__="…"`. */
  readonly matchers: readonly LabelMatcher[];
  /** The function the selector's range vector is passed to (`rate`, `increase`, …), if any. */
  readonly rangeFunction?: string;
}

/** The parsed shape of a query, or `undefined` when the text does not parse. */
export interface QueryShape {
  /** True when every result series has no labels (e.g. `sum(rate(x[5m]))` without `by`). */
  readonly labelless: boolean;
  readonly selectors: readonly SeriesSelector[];
}

function text(query: string, node: SyntaxNode): string {
  return query.slice(node.from, node.to);
}

function unquote(literal: string): string {
  const body = literal.slice(1, -1);
  if (literal.startsWith('`')) return body;
  return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|.)/g, (_m, esc: string) => {
    if (esc.length > 1) return String.fromCharCode(Number.parseInt(esc.slice(1), 16));
    const map: Record<string, string> = {
      n: '\n',
      t: '\t',
      r: '\r',
      a: '\u0007',
      b: '\b',
      f: '\f',
      v: '\u000b',
    };
    return map[esc] ?? esc;
  });
}

function childrenOf(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) out.push(child);
  return out;
}

function hasError(node: SyntaxNode): boolean {
  if (node.type.isError) return true;
  return childrenOf(node).some(hasError);
}

function exprChild(node: SyntaxNode): SyntaxNode | undefined {
  return childrenOf(node).find((child) => !['(', ')'].includes(child.type.name));
}

const NUMERIC = new Set(['NumberDurationLiteral', 'NumberLiteral', 'StringLiteral']);

function isLabelless(query: string, node: SyntaxNode | undefined): boolean {
  if (!node) return false;
  switch (node.type.name) {
    case 'PromQL':
    case 'ParenExpr':
      return isLabelless(
        query,
        childrenOf(node).find((c) => !'()'.includes(c.type.name)),
      );
    case 'AggregateExpr': {
      const modifier = childrenOf(node).find((c) => c.type.name === 'AggregateModifier');
      if (!modifier) return true;
      const kids = childrenOf(modifier);
      const grouping = kids.find((c) => c.type.name === 'GroupingLabels');
      const labels = grouping
        ? childrenOf(grouping).filter((c) => c.type.name.includes('LabelName'))
        : [];
      return kids.some((c) => c.type.name === 'By') && labels.length === 0;
    }
    case 'BinaryExpr': {
      const operands = childrenOf(node).filter(
        (c) =>
          !['BoolModifier', 'MatchingModifierClause'].includes(c.type.name) &&
          !/^(Add|Sub|Mul|Div|Mod|Pow|Eql|Neq|Gtr|Lss|Gte|Lte|And|Or|Unless|Atan2)$/.test(
            c.type.name,
          ),
      );
      return operands.every((c) => NUMERIC.has(c.type.name) || isLabelless(query, c));
    }
    case 'NumberDurationLiteral':
    case 'NumberLiteral':
      return true;
    case 'FunctionCall': {
      const name = text(query, childrenOf(node)[0] as SyntaxNode);
      if (name === 'vector' || name === 'time') return true;
      const body = childrenOf(node).find((c) => c.type.name === 'FunctionCallBody');
      const first = body ? exprChild(body) : undefined;
      return ['clamp_min', 'clamp_max', 'clamp', 'abs', 'round', 'ceil', 'floor'].includes(name)
        ? isLabelless(query, first)
        : false;
    }
    default:
      return false;
  }
}

function collectSelectors(
  query: string,
  node: SyntaxNode,
  fn: string | undefined,
  out: SeriesSelector[],
): void {
  if (node.type.name === 'VectorSelector') {
    const matchers: LabelMatcher[] = [];
    for (const child of childrenOf(node)) {
      if (child.type.name === 'Identifier') {
        matchers.push({ name: '__name__', op: '=', value: text(query, child) });
      } else if (child.type.name === 'LabelMatchers') {
        for (const matcher of childrenOf(child)) {
          const parts = childrenOf(matcher);
          const name = parts.find(
            (p) => p.type.name === 'LabelName' || p.type.name === 'QuotedLabelName',
          );
          const op = parts.find((p) => p.type.name === 'MatchOp');
          const value = parts.filter((p) => p.type.name === 'StringLiteral').at(-1);
          if (!op || !value) continue;
          const labelName = name
            ? name.type.name === 'QuotedLabelName'
              ? unquote(text(query, name))
              : text(query, name)
            : '__name__';
          matchers.push({
            name: labelName,
            op: text(query, op) as LabelMatcher['op'],
            value: unquote(text(query, value)),
          });
        }
      }
    }
    out.push(fn === undefined ? { matchers } : { matchers, rangeFunction: fn });
    return;
  }
  let nextFn = fn;
  if (node.type.name === 'FunctionCall') {
    nextFn = text(query, childrenOf(node)[0] as SyntaxNode);
  } else if (node.type.name !== 'FunctionCallBody' && node.type.name !== 'MatrixSelector') {
    nextFn = node.type.name === 'SubqueryExpr' ? undefined : fn;
  }
  for (const child of childrenOf(node)) collectSelectors(query, child, nextFn, out);
}

/** Parses a query (with windows already filled in). */
export function queryShape(query: string): QueryShape | undefined {
  const tree = parser.parse(query);
  const top = tree.topNode;
  if (hasError(top)) return undefined;
  const selectors: SeriesSelector[] = [];
  collectSelectors(query, top, undefined, selectors);
  return { labelless: isLabelless(query, top), selectors };
}
