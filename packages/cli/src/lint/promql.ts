import { parser } from '@prometheus-io/lezer-promql';

/** A parsed PromQL expression (lezer's `Tree`, named without depending on `@lezer/common`). */
export type PromqlTree = ReturnType<typeof parser.parse>;
/** A node of a {@link PromqlTree}. */
export type PromqlNode = PromqlTree['topNode'];

/**
 * Values given to Grafana's built-in variables before an expression is parsed as PromQL; every
 * other variable (`$job`, `${pool}`, `[[instance]]`) becomes `x`.
 */
export const GRAFANA_VARIABLE_SAMPLES: Readonly<Record<string, string>> = {
  $__rate_interval: '5m',
  $__interval_ms: '60000',
  $__interval: '1m',
  $__range_ms: '3600000',
  $__range_s: '3600',
  $__range: '1h',
};

/** Where a variable was replaced: `from`/`to` are offsets in the substituted text. */
export interface Substitution {
  readonly variable: string;
  readonly from: number;
  readonly to: number;
}

/** An expression with its Grafana variables replaced, and where they were. */
export interface SubstitutedExpr {
  readonly text: string;
  readonly substitutions: readonly Substitution[];
}

const VARIABLE =
  /\$__rate_interval|\$__interval_ms|\$__interval|\$__range_ms|\$__range_s|\$__range|\$\{[A-Za-z_][A-Za-z0-9_]*(?::[^}]*)?\}|\$[A-Za-z_][A-Za-z0-9_]*|\[\[[A-Za-z_][A-Za-z0-9_]*(?::[^\]]*)?\]\]/y;

/**
 * Replaces Grafana template variables with values PromQL accepts (see
 * {@link GRAFANA_VARIABLE_SAMPLES}). Inside string literals variables are left alone unless
 * `inStrings` is true: there they parse as they are, and the lint reads them (`job=~"$job"`).
 */
export function substituteGrafanaVariables(
  expr: string,
  options: { readonly inStrings?: boolean } = {},
): SubstitutedExpr {
  let text = '';
  const substitutions: Substitution[] = [];
  let quote: string | undefined;
  let i = 0;
  while (i < expr.length) {
    const c = expr[i] as string;
    if (quote !== undefined) {
      if (c === '\\' && quote !== '`') {
        text += expr.slice(i, i + 2);
        i += 2;
        continue;
      }
      if (c === quote) quote = undefined;
      else if (options.inStrings === true && c === '$') {
        VARIABLE.lastIndex = i;
        const match = VARIABLE.exec(expr);
        if (match) {
          const value = GRAFANA_VARIABLE_SAMPLES[match[0]] ?? 'x';
          substitutions.push({
            variable: match[0],
            from: text.length,
            to: text.length + value.length,
          });
          text += value;
          i += match[0].length;
          continue;
        }
      }
      text += c;
      i++;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') {
      quote = c;
      text += c;
      i++;
      continue;
    }
    VARIABLE.lastIndex = i;
    const match = c === '$' || c === '[' ? VARIABLE.exec(expr) : null;
    if (match) {
      const value = GRAFANA_VARIABLE_SAMPLES[match[0]] ?? 'x';
      substitutions.push({ variable: match[0], from: text.length, to: text.length + value.length });
      text += value;
      i += match[0].length;
      continue;
    }
    text += c;
    i++;
  }
  return { text, substitutions };
}

/** A PromQL syntax error: the offsets of an error node in the parsed text. */
export interface PromqlSyntaxError {
  readonly from: number;
  readonly to: number;
}

/** Parses PromQL with `@prometheus-io/lezer-promql`; `errors` lists the error nodes (`⚠`). */
export function parsePromql(text: string): { tree: PromqlTree; errors: PromqlSyntaxError[] } {
  const tree = parser.parse(text);
  const errors: PromqlSyntaxError[] = [];
  tree.iterate({
    enter: (node) => {
      if (node.type.isError) errors.push({ from: node.from, to: node.to });
    },
  });
  return { tree, errors };
}

/** The children of `node` named `name`. */
export function childrenNamed(node: PromqlNode, name: string): PromqlNode[] {
  const out: PromqlNode[] = [];
  for (let child = node.firstChild; child !== null; child = child.nextSibling) {
    if (child.name === name) out.push(child);
  }
  return out;
}
