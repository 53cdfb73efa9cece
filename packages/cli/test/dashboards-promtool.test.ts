import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { generatePrometheusRules, parseSloSpecs, serializeRules } from '@srekit/slo';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { requireBinary } from '../../../tests/support/system-deps.js';
import { coreDashboards } from '../src/dashboards/core.js';
import { engineDashboards } from '../src/dashboards/engine.js';
import { securityDashboards } from '../src/dashboards/security.js';
import { sloDashboards } from '../src/dashboards/slo.js';
import { substituteGrafanaVariables } from '../src/lint/promql.js';

const promtool = requireBinary('promtool');
const dir = mkdtempSync(join(tmpdir(), 'srekit-dashboards-promtool-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const specs = parseSloSpecs(
  `version: prometheus/v1
service: orders
slos:
  - name: availability
    objective: 99.5
    sli:
      events:
        error_query: sum(rate(http_server_request_duration_seconds_count{http_response_status_code=~"5.."}[{{.window}}]))
        total_query: sum(rate(http_server_request_duration_seconds_count[{{.window}}]))
    alerting:
      name: OrdersAvailability
`,
  { filename: 'slos.yaml' },
);

/** Writes a promtool test file and runs it; resolves to promtool's output, passed or failed. */
async function promtoolTest(testFile: string, tests: unknown): Promise<string> {
  writeFileSync(testFile, stringify(tests));
  const result = await promisify(execFile)(promtool as string, ['test', 'rules', testFile]).catch(
    (error: { stdout?: string; stderr?: string }) => ({
      stdout: `${error.stdout}${error.stderr}`,
    }),
  );
  return result.stdout;
}

interface Panel {
  targets?: { expr: string }[];
  panels?: Panel[];
}

/** Every query of every dashboard, with Grafana's variables replaced by sample values. */
function expressions(): string[] {
  const dashboards = [coreDashboards, sloDashboards, engineDashboards, securityDashboards].flatMap(
    (build) => Object.values(build({ specs })),
  );
  const exprs = dashboards.flatMap((d) =>
    ((d as unknown as { panels: Panel[] }).panels ?? [])
      .flatMap((p) => [p, ...(p.panels ?? [])])
      .flatMap((p) =>
        (p.targets ?? []).map((t) => substituteGrafanaVariables(t.expr, { inStrings: true }).text),
      ),
  );
  return [...new Set(exprs)];
}

describe.skipIf(!promtool)('dashboard queries under Prometheus 2.42 (promtool check rules)', () => {
  it('are all valid PromQL for the Prometheus the rules run on', async () => {
    const exprs = expressions();
    expect(exprs.length).toBeGreaterThan(50);
    const file = join(dir, 'dashboard-queries.yaml');
    writeFileSync(
      file,
      stringify({
        groups: [
          {
            name: 'dashboard-queries',
            rules: exprs.map((expr, i) => ({ record: `dashboard:query:${i}`, expr })),
          },
        ],
      }),
    );
    const { stdout } = await promisify(execFile)(promtool as string, ['check', 'rules', file]);
    expect(stdout).toContain(`SUCCESS: ${exprs.length} rules found`);
  });

  it('rejects a broken query (the check can fail)', async () => {
    const file = join(dir, 'broken.yaml');
    writeFileSync(
      file,
      stringify({
        groups: [
          {
            name: 'broken',
            rules: [{ record: 'dashboard:query:0', expr: 'sum(rate(x_total[5m])' }],
          },
        ],
      }),
    );
    await expect(promisify(execFile)(promtool as string, ['check', 'rules', file])).rejects.toThrow(
      /parse error/i,
    );
  });
});

/** The first query of the panel titled `title` in the dashboard `file`. */
function query(
  dashboards: Record<string, unknown>,
  file: string,
  title: string,
  index = 0,
): string {
  const d = dashboards[file] as { panels: (Panel & { title?: string })[] };
  const panel = d.panels.find((p) => p.title === title);
  const expr = panel?.targets?.[index]?.expr;
  if (expr === undefined) throw new Error(`no query ${index} in ${file} / ${title}`);
  // Rounded: promtool 2.42 compares samples exactly, and 1 - 2 × 0.5 % is not exactly -1 in floats.
  return `round(${substituteGrafanaVariables(expr, { inStrings: true }).text}, 0.000001)`;
}

describe.skipIf(!promtool)(
  'SLO dashboards against the generated recording rules (promtool test rules)',
  () => {
    it('read objective, burn rate, SLI, budget and alert state from the rules srekit writes', async () => {
      const rules = join(dir, 'slo-rules.yaml');
      writeFileSync(rules, serializeRules(generatePrometheusRules(specs)));
      const dashboards = sloDashboards({ specs });
      const file = 'srekit-slo-orders-availability.json';
      // 100 requests a minute, 1 of them a 5xx: an error ratio of 1 % against an allowed 0.5 %.
      const tests = {
        rule_files: [rules],
        evaluation_interval: '1m',
        tests: [
          {
            interval: '1m',
            input_series: [
              {
                series:
                  'http_server_request_duration_seconds_count{http_response_status_code="200"}',
                values: '0+99x180',
              },
              {
                series:
                  'http_server_request_duration_seconds_count{http_response_status_code="500"}',
                values: '0+1x180',
              },
            ],
            promql_expr_test: [
              {
                expr: query(dashboards, file, 'Objective'),
                eval_time: '2h',
                exp_samples: [{ labels: '{}', value: 0.995 }],
              },
              {
                // Burn rate per window, 1h: 1 % ÷ 0.5 % = 2.
                expr: query(dashboards, file, 'Burn rate per window', 2),
                eval_time: '2h',
                exp_samples: [{ labels: '{slo_id="orders-availability"}', value: 2 }],
              },
              {
                expr: query(dashboards, file, 'SLI (period)'),
                eval_time: '2h',
                exp_samples: [{ labels: '{slo_id="orders-availability"}', value: 0.99 }],
              },
              {
                expr: query(dashboards, file, 'Error budget remaining'),
                eval_time: '2h',
                exp_samples: [{ labels: '{}', value: -1 }],
              },
              {
                // 2× passes the ticket-slow tier (1×) only, and the spent budget fires the forecast.
                expr: query(dashboards, file, 'Alerts firing'),
                eval_time: '2h',
                exp_samples: [{ labels: '{}', value: 2 }],
              },
            ],
          },
        ],
      };
      const testFile = join(dir, 'slo-dashboard-test.yaml');
      expect(await promtoolTest(testFile, tests)).toContain('SUCCESS');
    });
  },
);

describe.skipIf(!promtool)(
  'service overview queries on sample series (promtool test rules)',
  () => {
    it('count the selected job and instance only, and read the histogram', async () => {
      const rules = join(dir, 'empty-rules.yaml');
      writeFileSync(rules, 'groups: []\n');
      const dashboards = coreDashboards({});
      const file = 'srekit-service-overview.json';
      // Grafana variables become `x`: job="x",instance="x" is the selection; job="other" is not.
      const count = 'http_server_request_duration_seconds_count';
      const bucket = 'http_server_request_duration_seconds_bucket';
      const tests = {
        rule_files: [rules],
        evaluation_interval: '1m',
        tests: [
          {
            interval: '1m',
            input_series: [
              {
                series: `${count}{job="x",instance="x",http_response_status_code="200"}`,
                values: '0+99x30',
              },
              {
                series: `${count}{job="x",instance="x",http_response_status_code="500"}`,
                values: '0+1x30',
              },
              {
                series: `${count}{job="other",instance="x",http_response_status_code="500"}`,
                values: '0+50x30',
              },
              { series: `${bucket}{job="x",instance="x",le="0.1"}`, values: '0+90x30' },
              { series: `${bucket}{job="x",instance="x",le="1"}`, values: '0+100x30' },
              { series: `${bucket}{job="x",instance="x",le="+Inf"}`, values: '0+100x30' },
            ],
            promql_expr_test: [
              {
                expr: query(dashboards, file, 'Request rate'),
                eval_time: '20m',
                exp_samples: [{ labels: '{}', value: 1.666667 }],
              },
              {
                expr: query(dashboards, file, 'Server error ratio'),
                eval_time: '20m',
                exp_samples: [{ labels: '{}', value: 0.01 }],
              },
              {
                // p99 falls in the (0.1, 1] bucket: 0.1 + 0.9 × (99 − 90) / 10.
                expr: query(dashboards, file, 'Latency p99'),
                eval_time: '20m',
                exp_samples: [{ labels: '{}', value: 0.91 }],
              },
            ],
          },
        ],
      };
      const testFile = join(dir, 'core-dashboard-test.yaml');
      expect(await promtoolTest(testFile, tests)).toContain('SUCCESS');
    });
  },
);

describe.skipIf(!promtool)(
  'SLO dashboards in sloth compatibility mode (promtool test rules)',
  () => {
    it('read the sloth_* labels of the rules Sloth would write', async () => {
      const rules = join(dir, 'sloth-rules.yaml');
      writeFileSync(rules, serializeRules(generatePrometheusRules(specs, { compat: 'sloth' })));
      const dashboards = sloDashboards({ specs, compat: 'sloth' });
      const file = 'srekit-slo-orders-availability.json';
      const tests = {
        rule_files: [rules],
        evaluation_interval: '1m',
        tests: [
          {
            interval: '1m',
            input_series: [
              {
                series:
                  'http_server_request_duration_seconds_count{http_response_status_code="200"}',
                values: '0+99x180',
              },
              {
                series:
                  'http_server_request_duration_seconds_count{http_response_status_code="500"}',
                values: '0+1x180',
              },
            ],
            promql_expr_test: [
              {
                expr: query(dashboards, file, 'Burn rate per window', 2),
                eval_time: '2h',
                exp_samples: [{ labels: '{sloth_id="orders-availability"}', value: 2 }],
              },
              {
                // Only Sloth's ticket alert (6h and 3d above 1×) fires; sloth mode has no forecast.
                expr: query(dashboards, file, 'Alerts firing'),
                eval_time: '2h',
                exp_samples: [{ labels: '{}', value: 1 }],
              },
            ],
          },
        ],
      };
      const testFile = join(dir, 'sloth-dashboard-test.yaml');
      expect(await promtoolTest(testFile, tests)).toContain('SUCCESS');
    });
  },
);
