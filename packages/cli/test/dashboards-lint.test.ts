import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { coreDashboards } from '../src/dashboards/core.js';
import { sloDashboards } from '../src/dashboards/slo.js';
import {
  DASHBOARD_LINT_RULES,
  type DashboardLintRule,
  lintDashboard,
} from '../src/lint/dashboard-lint.js';
import { substituteGrafanaVariables } from '../src/lint/promql.js';

interface Target {
  expr: string;
  refId: string;
  exemplar?: boolean;
  datasource?: unknown;
}
interface Panel {
  id: number;
  type: string;
  title?: string;
  description?: string;
  datasource?: unknown;
  fieldConfig?: { defaults: { unit?: string } };
  targets?: Target[];
  panels?: Panel[];
}
interface Board {
  editable?: boolean;
  panels: Panel[];
  templating: { list: { name: string; type: string; query: unknown; datasource?: unknown }[] };
}

/** A fresh, clean dashboard to break: the service overview. */
function board(): Board {
  return structuredClone(coreDashboards({})['srekit-service-overview.json']) as unknown as Board;
}

function panel(b: Board, title: string): Panel {
  const found = b.panels.find((p) => p.title === title);
  if (found === undefined) throw new Error(`no panel ${title}`);
  return found;
}

function target(b: Board, title: string): Target {
  return panel(b, title).targets?.[0] as Target;
}

function rules(b: Board): DashboardLintRule[] {
  return [...new Set(lintDashboard(b).map((p) => p.rule))];
}

describe('lintDashboard', () => {
  it('passes the dashboard it breaks below', () => {
    expect(lintDashboard(board())).toEqual([]);
  });

  it('dashboard-editable-rule: editable dashboards', () => {
    const b = board();
    b.editable = true;
    expect(rules(b)).toEqual(['dashboard-editable-rule']);
    delete b.editable;
    expect(rules(b)).toEqual(['dashboard-editable-rule']);
  });

  it('dashboard-rows-rule: panels before the first row, and empty rows', () => {
    const b = board();
    b.panels.shift();
    expect(rules(b)).toEqual(['dashboard-rows-rule']);
    const c = board();
    c.panels.push({ id: 99, type: 'row', title: 'Empty', panels: [] });
    expect(lintDashboard(c)).toEqual([
      { rule: 'dashboard-rows-rule', message: 'row "Empty" is empty.' },
    ]);
  });

  it('template-datasource-rule: missing, doubled or non-Prometheus datasource variable', () => {
    const b = board();
    b.templating.list = b.templating.list.filter((v) => v.type !== 'datasource');
    expect(rules(b)).toEqual(['template-datasource-rule']);
    const c = board();
    c.templating.list.push({
      ...(c.templating.list[0] as Board['templating']['list'][number]),
      name: 'ds2',
    });
    expect(rules(c)).toEqual(['template-datasource-rule']);
    const d = board();
    (d.templating.list[0] as { query: unknown }).query = 'loki';
    expect(rules(d)).toEqual(['template-datasource-rule']);
  });

  it('template-job-rule: no job variable, or one that is not label_values on $datasource', () => {
    const b = board();
    b.templating.list = b.templating.list.filter((v) => v.name !== 'job');
    expect(rules(b)).toEqual(['template-job-rule']);
    const c = board();
    const job = c.templating.list.find((v) => v.name === 'job') as {
      query: unknown;
      datasource?: unknown;
    };
    job.query = 'label_values(up, instance)';
    job.datasource = { type: 'prometheus', uid: 'prod' };
    expect(lintDashboard(c).map((p) => p.rule)).toEqual(['template-job-rule', 'template-job-rule']);
  });

  it('template-instance-rule: no instance variable', () => {
    const b = board();
    b.templating.list = b.templating.list.filter((v) => v.name !== 'instance');
    expect(rules(b)).toEqual(['template-instance-rule']);
  });

  it('panel-datasource-rule: a panel or a query on a fixed datasource', () => {
    const b = board();
    panel(b, 'CPU').datasource = { type: 'prometheus', uid: 'prod-prometheus' };
    expect(lintDashboard(b)).toEqual([
      {
        rule: 'panel-datasource-rule',
        message: 'panel must use the $datasource variable.',
        panel: 'CPU',
      },
    ]);
    const c = board();
    target(c, 'CPU').datasource = { uid: 'prod-prometheus' };
    expect(lintDashboard(c)).toEqual([
      {
        rule: 'panel-datasource-rule',
        message: 'query must use the $datasource variable.',
        panel: 'CPU',
        refId: 'A',
      },
    ]);
  });

  it('panel-title-description-rule: a panel without a title or a description', () => {
    const b = board();
    panel(b, 'CPU').description = '';
    expect(rules(b)).toEqual(['panel-title-description-rule']);
    const c = board();
    delete panel(c, 'CPU').title;
    expect(lintDashboard(c)[0]).toMatchObject({
      rule: 'panel-title-description-rule',
      panel: expect.stringMatching(/^#\d+$/),
    });
  });

  it('panel-units-rule: a panel without a unit', () => {
    const b = board();
    delete (panel(b, 'Restarts').fieldConfig as { defaults: { unit?: string } }).defaults.unit;
    expect(lintDashboard(b)).toEqual([
      {
        rule: 'panel-units-rule',
        message: 'panel must set a unit (fieldConfig.defaults.unit).',
        panel: 'Restarts',
      },
    ]);
  });

  it('panel-no-targets-rule: a panel without queries, or an empty query', () => {
    const b = board();
    panel(b, 'CPU').targets = [];
    expect(rules(b)).toEqual(['panel-no-targets-rule']);
    const c = board();
    target(c, 'CPU').expr = ' ';
    expect(rules(c)).toEqual(['panel-no-targets-rule']);
  });

  it('target-promql-rule: an expression that does not parse', () => {
    const b = board();
    target(b, 'CPU').expr =
      'sum by (instance) (rate(process_cpu_seconds_total{job=~"$job",instance=~"$instance"}[$__rate_interval])';
    expect(lintDashboard(b)).toEqual([
      expect.objectContaining({ rule: 'target-promql-rule', panel: 'CPU', refId: 'A' }),
    ]);
  });

  it('target-rate-interval-rule: rate, irate or increase over a fixed range', () => {
    for (const fn of ['rate', 'irate', 'increase']) {
      const b = board();
      target(b, 'CPU').expr =
        `sum(${fn}(process_cpu_seconds_total{job=~"$job",instance=~"$instance"}[5m]))`;
      expect(lintDashboard(b)).toEqual([
        {
          rule: 'target-rate-interval-rule',
          message: `${fn}() must range over [$__rate_interval] (found "5m").`,
          panel: 'CPU',
          refId: 'A',
        },
      ]);
    }
    const c = board();
    target(c, 'CPU').expr =
      'sum(rate(process_cpu_seconds_total{job=~"$job",instance=~"$instance"}[$__interval]))';
    expect(rules(c)).toEqual(['target-rate-interval-rule']);
  });

  it('target-counter-agg-rule: a counter not inside rate, irate or increase', () => {
    for (const metric of [
      'process_cpu_seconds_total',
      'http_server_request_duration_seconds_count',
      'http_server_request_duration_seconds_sum',
      'http_server_request_duration_seconds_bucket',
    ]) {
      const b = board();
      target(b, 'CPU').expr = `sum by (instance) (${metric}{job=~"$job",instance=~"$instance"})`;
      expect(lintDashboard(b)).toEqual([
        {
          rule: 'target-counter-agg-rule',
          message: `counter ${metric} must be wrapped in rate(), irate() or increase().`,
          panel: 'CPU',
          refId: 'A',
        },
      ]);
    }
    const c = board();
    // Inside another function that is not a rate: still a raw counter.
    target(c, 'CPU').expr =
      'max_over_time(process_cpu_seconds_total{job=~"$job",instance=~"$instance"}[$__rate_interval])';
    expect(rules(c)).toEqual(['target-counter-agg-rule']);
  });

  it('target-job-rule and target-instance-rule: a selector without the variables', () => {
    const b = board();
    target(b, 'CPU').expr =
      'sum by (instance) (rate(process_cpu_seconds_total{instance=~"$instance"}[$__rate_interval]))';
    expect(rules(b)).toEqual(['target-job-rule']);
    const c = board();
    target(c, 'CPU').expr =
      'sum by (instance) (rate(process_cpu_seconds_total{job=~"$job",instance="10.0.0.1:9090"}[$__rate_interval]))';
    expect(rules(c)).toEqual(['target-instance-rule']);
    const d = board();
    target(d, 'CPU').expr = 'sum(rate(process_cpu_seconds_total[$__rate_interval]))';
    expect(rules(d)).toEqual(['target-job-rule', 'target-instance-rule']);
  });

  it('exempts recording rules and ALERTS from the job and instance rules', () => {
    const b = board();
    target(b, 'CPU').expr =
      'max(slo:current_burn_rate:ratio{slo_id="x"}) + count(ALERTS{alertstate="firing"})';
    expect(lintDashboard(b)).toEqual([]);
  });

  it('target-exemplar-rule: a latency query without exemplars', () => {
    const b = board();
    (target(b, 'Request duration p99 by route') as Target).exemplar = false;
    expect(rules(b)).toEqual(['target-exemplar-rule']);
  });

  it('has a test in this file for every rule it knows', () => {
    const source = readFileSync(fileURLToPath(import.meta.url), 'utf8');
    const titles = [...source.matchAll(/^\s*it\('([^']*)'/gm)].map((m) => m[1] as string);
    const untested = DASHBOARD_LINT_RULES.filter(
      (rule) => !titles.some((title) => title.includes(rule)),
    );
    expect(untested).toEqual([]);
  });

  it('lints the SLO dashboards as clean too', () => {
    for (const d of Object.values(sloDashboards({}))) expect(lintDashboard(d)).toEqual([]);
  });

  it('rejects a value that is not a dashboard', () => {
    expect(lintDashboard([])).toHaveLength(1);
  });
});

describe('substituteGrafanaVariables', () => {
  it('replaces built-in intervals and other variables, and says where', () => {
    const { text, substitutions } = substituteGrafanaVariables(
      `rate(x_total{job=~"$job"}[$__rate_interval]) * $factor + \${scale} + [[other]] + $__range_s`,
    );
    expect(text).toBe('rate(x_total{job=~"$job"}[5m]) * x + x + x + 3600');
    expect(substitutions.map((s) => [s.variable, text.slice(s.from, s.to)])).toEqual([
      ['$__rate_interval', '5m'],
      ['$factor', 'x'],
      [`\${scale}`, 'x'],
      ['[[other]]', 'x'],
      ['$__range_s', '3600'],
    ]);
  });

  it('replaces inside strings only when asked', () => {
    expect(substituteGrafanaVariables('up{job=~"$job",a="\\"$b"}', { inStrings: true }).text).toBe(
      'up{job=~"x",a="\\"x"}',
    );
  });
});
