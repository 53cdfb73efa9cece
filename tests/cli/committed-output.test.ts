/**
 * The committed dashboards/ and alerts/ (written by `srekit generate` from the reference service's
 * SLO specs and every mixin) as users load them: the real promtool accepts every rule file, every
 * promtool test passes, and every alert has a test that fires it and one that keeps it quiet.
 */
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { lintDashboard } from '@srekit/cli';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { requireBinary } from '../support/system-deps.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const alertsDir = join(root, 'alerts');
const testsDir = join(alertsDir, 'tests');
const promtool = requireBinary('promtool');

const ruleFiles = (await readdir(alertsDir)).filter((f) => f.endsWith('.yaml')).sort();
const testFiles = (await readdir(testsDir)).filter((f) => f.endsWith('.yaml')).sort();
const dashboardFiles = (await readdir(join(root, 'dashboards'))).filter((f) => f.endsWith('.json'));

interface RuleFile {
  groups: {
    rules: { alert?: string; record?: string; annotations?: Record<string, string> }[];
  }[];
}
interface TestFile {
  tests: { alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[] }[];
}

describe('the committed alerts/ and dashboards/', () => {
  it('hold rule files, tests and dashboards for the reference service and every mixin', () => {
    expect(ruleFiles).toEqual(
      expect.arrayContaining(['core.yaml', 'slo.yaml', 'security.yaml', 'engine.yaml']),
    );
    expect(ruleFiles.length).toBeGreaterThan(4);
    expect(testFiles.length).toBe(ruleFiles.length - 4 + 4 + 1); // a test per SLO, per mixin
    expect(dashboardFiles.length).toBeGreaterThanOrEqual(5);
  });

  it.skipIf(!promtool)('pass promtool check rules --lint=all --lint-fatal', async () => {
    const { stdout } = await run(
      promtool as string,
      ['check', 'rules', '--lint=all', '--lint-fatal', ...ruleFiles],
      { cwd: alertsDir },
    );
    expect(stdout.match(/SUCCESS/g)).toHaveLength(ruleFiles.length);
  });

  it.skipIf(!promtool)(
    'pass every promtool unit test',
    async () => {
      const { stdout } = await run(promtool as string, ['test', 'rules', ...testFiles], {
        cwd: testsDir,
        maxBuffer: 16 * 1024 * 1024,
      });
      expect(stdout.match(/SUCCESS/g)).toHaveLength(testFiles.length);
    },
    60_000,
  );

  it('give every alert a test where it fires and one where it does not', async () => {
    const alerts = new Set<string>();
    for (const file of ruleFiles) {
      const rules = parse(await readFile(join(alertsDir, file), 'utf8')) as RuleFile;
      for (const group of rules.groups) {
        for (const rule of group.rules) if (rule.alert !== undefined) alerts.add(rule.alert);
      }
    }
    const fires = new Set<string>();
    const quiet = new Set<string>();
    for (const file of testFiles) {
      const tests = parse(await readFile(join(testsDir, file), 'utf8')) as TestFile;
      for (const test of tests.tests) {
        for (const check of test.alert_rule_test ?? []) {
          (check.exp_alerts.length > 0 ? fires : quiet).add(check.alertname);
        }
      }
    }
    expect(alerts.size).toBeGreaterThan(20);
    expect([...alerts].filter((a) => !fires.has(a))).toEqual([]);
    expect([...alerts].filter((a) => !quiet.has(a))).toEqual([]);
  });

  it('give every alert a runbook and a dashboard to open (DESIGN.md annotations)', async () => {
    const missing: string[] = [];
    for (const file of ruleFiles) {
      const rules = parse(await readFile(join(alertsDir, file), 'utf8')) as RuleFile;
      for (const rule of rules.groups.flatMap((g) => g.rules)) {
        if (rule.alert === undefined) continue;
        const { summary, runbook_url, dashboard_url } = rule.annotations ?? {};
        if (!summary || !runbook_url || !dashboard_url?.includes('/d/srekit-')) {
          missing.push(`${file}: ${rule.alert}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('pass the dashboard lint', async () => {
    for (const file of dashboardFiles) {
      const json = JSON.parse(await readFile(join(root, 'dashboards', file), 'utf8')) as unknown;
      expect({ file, problems: lintDashboard(json) }).toEqual({ file, problems: [] });
    }
  });
});
