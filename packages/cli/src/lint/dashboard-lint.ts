import {
  childrenNamed,
  type PromqlNode,
  parsePromql,
  type Substitution,
  substituteGrafanaVariables,
} from './promql.js';

/**
 * The rules of the dashboard lint: Grafana's dashboard-linter rules (same names) plus srekit's
 * own (`dashboard-editable-rule`, `dashboard-rows-rule`, `target-exemplar-rule`).
 */
export const DASHBOARD_LINT_RULES = [
  'dashboard-editable-rule',
  'dashboard-rows-rule',
  'template-datasource-rule',
  'template-job-rule',
  'template-instance-rule',
  'panel-datasource-rule',
  'panel-title-description-rule',
  'panel-units-rule',
  'panel-no-targets-rule',
  'target-promql-rule',
  'target-rate-interval-rule',
  'target-counter-agg-rule',
  'target-job-rule',
  'target-instance-rule',
  'target-exemplar-rule',
] as const;

/** Name of a dashboard lint rule. */
export type DashboardLintRule = (typeof DASHBOARD_LINT_RULES)[number];

/** One problem the lint found. */
export interface DashboardLintProblem {
  readonly rule: DashboardLintRule;
  /** What is wrong, naming the fix. */
  readonly message: string;
  /** Title of the panel (or its id when it has none), when the problem is in a panel. */
  readonly panel?: string;
  /** `refId` of the query, when the problem is in one. */
  readonly refId?: string;
}

type Json = Record<string, unknown>;

const DATASOURCE_REFS = new Set(['$datasource', `\${datasource}`]);
const RATE_FUNCTIONS = new Set(['rate', 'irate', 'increase']);
const COUNTER_SUFFIX = /_(total|count|sum|bucket)$/;
/** Series that carry no job or instance: recording rules (`level:metric:op`) and ALERTS. */
const AGGREGATED_SERIES = /:|^ALERTS(_FOR_STATE)?$/;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asArray(value: unknown): Json[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function datasourceUid(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  return isObject(value) ? text(value.uid) : undefined;
}

/** Every panel, rows' nested panels included (collapsed rows keep theirs inside). */
function allPanels(dashboard: Json): Json[] {
  const out: Json[] = [];
  for (const panel of asArray(dashboard.panels)) {
    out.push(panel);
    out.push(...asArray(panel.panels));
  }
  return out;
}

function panelName(panel: Json): string {
  return text(panel.title) || `#${String(panel.id ?? '?')}`;
}

function variables(dashboard: Json): Json[] {
  return isObject(dashboard.templating) ? asArray(dashboard.templating.list) : [];
}

function variableQuery(variable: Json): string {
  return isObject(variable.query) ? text(variable.query.query) : text(variable.query);
}

function lintTemplates(dashboard: Json, problems: DashboardLintProblem[]): void {
  const vars = variables(dashboard);
  const datasources = vars.filter((v) => v.type === 'datasource');
  if (datasources.length !== 1 || datasources[0]?.name !== 'datasource') {
    problems.push({
      rule: 'template-datasource-rule',
      message: `dashboard must have exactly one datasource variable named "datasource" (found ${datasources.length}).`,
    });
  } else if (datasources[0].query !== 'prometheus') {
    problems.push({
      rule: 'template-datasource-rule',
      message: 'the datasource variable must be of type prometheus (query: "prometheus").',
    });
  }
  for (const [name, rule] of [
    ['job', 'template-job-rule'],
    ['instance', 'template-instance-rule'],
  ] as const) {
    const variable = vars.find((v) => v.name === name);
    if (variable === undefined) {
      problems.push({ rule, message: `dashboard must have a "${name}" variable.` });
      continue;
    }
    if (
      variable.type !== 'query' ||
      !DATASOURCE_REFS.has(datasourceUid(variable.datasource) ?? '')
    ) {
      problems.push({
        rule,
        message: `the "${name}" variable must be a query variable on $datasource.`,
      });
    }
    if (
      !new RegExp(`^label_values\\(.*,\\s*${name}\\s*\\)$`).test(variableQuery(variable).trim())
    ) {
      problems.push({
        rule,
        message: `the "${name}" variable must list label_values(<metric>, ${name}).`,
      });
    }
  }
}

/** The lowercase name of a function call as written (`rate`, `histogram_quantile`). */
function calledName(call: PromqlNode, source: string): string {
  const identifier = childrenNamed(call, 'FunctionIdentifier')[0];
  return identifier === undefined ? '' : source.slice(identifier.from, identifier.to).toLowerCase();
}

function matcherValue(matchers: PromqlNode, label: string, source: string): string | undefined {
  for (let m = matchers.firstChild; m !== null; m = m.nextSibling) {
    const name = m.getChild('LabelName') ?? m.getChild('QuotedLabelName');
    const value = m.getChild('StringLiteral');
    if (name === null || value === null) continue;
    if (source.slice(name.from, name.to).replace(/^"|"$/g, '') === label)
      return source.slice(value.from + 1, value.to - 1);
  }
  return undefined;
}

function lintExpression(
  expr: string,
  report: (rule: DashboardLintRule, message: string) => void,
): void {
  const { text: source, substitutions } = substituteGrafanaVariables(expr);
  const { tree, errors } = parsePromql(source);
  if (errors.length > 0) {
    const at = errors[0] as { from: number };
    report(
      'target-promql-rule',
      `PromQL does not parse near "${source.slice(at.from, at.from + 20)}".`,
    );
    return;
  }
  const rateIntervals = substitutions.filter(
    (s: Substitution) => s.variable === '$__rate_interval',
  );
  tree.iterate({
    enter: (ref) => {
      const node = ref.node;
      if (node.name === 'FunctionCall') {
        const name = calledName(node, source);
        if (!RATE_FUNCTIONS.has(name)) return;
        const body = node.getChild('FunctionCallBody');
        const matrix = body?.getChild('MatrixSelector');
        const range =
          matrix === null || matrix === undefined
            ? undefined
            : childrenNamed(matrix, 'DurationExpr')[0];
        const fromVariable =
          range !== undefined &&
          rateIntervals.some((s) => s.from === range.from && s.to === range.to);
        if (!fromVariable) {
          report(
            'target-rate-interval-rule',
            `${name}() must range over [$__rate_interval] (found "${range === undefined ? '(no range)' : source.slice(range.from, range.to)}").`,
          );
        }
        return;
      }
      if (node.name !== 'VectorSelector') return;
      const identifier = node.getChild('Identifier');
      const metric = identifier === null ? '' : source.slice(identifier.from, identifier.to);
      if (COUNTER_SUFFIX.test(metric)) {
        let parent = node.parent;
        while (parent !== null && parent.name !== 'FunctionCall' && parent.name !== 'AggregateExpr')
          parent = parent.parent;
        const wrapped =
          parent !== null &&
          parent.name === 'FunctionCall' &&
          RATE_FUNCTIONS.has(calledName(parent, source));
        if (!wrapped) {
          report(
            'target-counter-agg-rule',
            `counter ${metric} must be wrapped in rate(), irate() or increase().`,
          );
        }
      }
      if (metric === '' || AGGREGATED_SERIES.test(metric)) return;
      const matchers = node.getChild('LabelMatchers');
      for (const [label, rule] of [
        ['job', 'target-job-rule'],
        ['instance', 'target-instance-rule'],
      ] as const) {
        const value = matchers === null ? undefined : matcherValue(matchers, label, source);
        if (value === undefined || !new RegExp(`\\$\\{?${label}\\b`).test(value)) {
          report(rule, `selector of ${metric} must match ${label}=~"$${label}".`);
        }
      }
    },
  });
}

function lintPanel(panel: Json, problems: DashboardLintProblem[]): void {
  const name = panelName(panel);
  const at = (rule: DashboardLintRule, message: string, refId?: string): void => {
    problems.push({ rule, message, panel: name, ...(refId === undefined ? {} : { refId }) });
  };
  if (text(panel.title).trim() === '' || text(panel.description).trim() === '') {
    at('panel-title-description-rule', 'panel must have a title and a description.');
  }
  const defaults =
    isObject(panel.fieldConfig) && isObject(panel.fieldConfig.defaults)
      ? panel.fieldConfig.defaults
      : {};
  if (text(defaults.unit).trim() === '')
    at('panel-units-rule', 'panel must set a unit (fieldConfig.defaults.unit).');
  if (!DATASOURCE_REFS.has(datasourceUid(panel.datasource) ?? '')) {
    at('panel-datasource-rule', 'panel must use the $datasource variable.');
  }
  const targets = asArray(panel.targets);
  if (targets.length === 0) at('panel-no-targets-rule', 'panel must have at least one query.');
  for (const target of targets) {
    const refId = text(target.refId) || undefined;
    const expr = text(target.expr);
    if (expr.trim() === '') {
      at('panel-no-targets-rule', 'query must have a PromQL expression.', refId);
      continue;
    }
    if (!DATASOURCE_REFS.has(datasourceUid(target.datasource) ?? '')) {
      at('panel-datasource-rule', 'query must use the $datasource variable.', refId);
    }
    if (/histogram_quantile\s*\(/.test(expr) && target.exemplar !== true) {
      at(
        'target-exemplar-rule',
        'latency query (histogram_quantile) must enable exemplars.',
        refId,
      );
    }
    lintExpression(expr, (rule, message) => at(rule, message, refId));
  }
}

/**
 * Lints a Grafana dashboard (JSON model) against Grafana's dashboard-linter rules and srekit's
 * own: one `datasource` variable (Prometheus) used by every panel and query; `job` and `instance`
 * variables (`label_values`) matched by every selector of a raw series (recording rules and
 * ALERTS carry neither, so they are exempt); a title, description, unit and query on every panel;
 * PromQL that parses; `rate`/`irate`/`increase` over `$__rate_interval`; counters (`_total`,
 * `_count`, `_sum`, `_bucket`) only inside them; exemplars on latency queries; panels in rows;
 * not editable.
 *
 * @param json - The dashboard, as Grafana stores it.
 * @returns Every problem found, in dashboard order; empty when the dashboard is clean.
 * @example
 * ```ts
 * lintDashboard(dashboard).map((p) => `${p.rule}: ${p.panel ?? ''} ${p.message}`);
 * ```
 */
export function lintDashboard(json: unknown): DashboardLintProblem[] {
  const problems: DashboardLintProblem[] = [];
  if (!isObject(json)) {
    return [{ rule: 'panel-no-targets-rule', message: 'a dashboard must be a JSON object.' }];
  }
  if (json.editable !== false) {
    problems.push({
      rule: 'dashboard-editable-rule',
      message: 'dashboard must set editable: false.',
    });
  }
  lintTemplates(json, problems);
  const top = asArray(json.panels);
  if (top.length === 0 || top[0]?.type !== 'row') {
    problems.push({
      rule: 'dashboard-rows-rule',
      message: 'panels must be grouped in rows by concern, starting with a row.',
    });
  }
  top.forEach((panel, i) => {
    if (panel.type !== 'row') return;
    const nested = asArray(panel.panels).length;
    const next = top[i + 1];
    if (nested === 0 && (next === undefined || next.type === 'row')) {
      problems.push({
        rule: 'dashboard-rows-rule',
        message: `row "${panelName(panel)}" is empty.`,
      });
    }
  });
  for (const panel of allPanels(json)) {
    if (panel.type !== 'row') lintPanel(panel, problems);
  }
  return problems;
}
