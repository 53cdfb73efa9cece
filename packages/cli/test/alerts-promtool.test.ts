import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { serializeRules } from '@srekit/slo';
import { afterAll, describe, expect, it } from 'vitest';
import { requireBinary } from '../../../tests/support/system-deps.js';
import { coreAlerts } from '../src/alerts/core.js';
import { ALERT_THRESHOLDS } from '../src/alerts/defaults.js';
import { engineAlerts } from '../src/alerts/engine.js';
import { securityAlerts } from '../src/alerts/security.js';
import { serializeAlertTests } from '../src/alerts/serialize-tests.js';
import { sloAlerts } from '../src/alerts/slo.js';
import type {
  MixinAlert,
  MixinAlertTest,
  MixinOptions,
  MixinRuleGroup,
} from '../src/mixins/types.js';

const bin = requireBinary('promtool');
const parent = mkdtempSync(join(tmpdir(), 'srekit-alerts-promtool-'));
afterAll(() => rmSync(parent, { recursive: true, force: true }));

const run = promisify(execFile);

/** Every package's groups and tests for `options`. */
function allAlerts(options: MixinOptions = {}): {
  groups: MixinRuleGroup[];
  tests: MixinAlertTest[];
} {
  const sets = [coreAlerts, sloAlerts, securityAlerts, engineAlerts].map((build) => build(options));
  return { groups: sets.flatMap((s) => s.groups), tests: sets.flatMap((s) => s.tests) };
}

/** Runs promtool in `cwd`, returning its exit code and output instead of throwing. */
async function promtool(
  bin: string,
  args: string[],
  cwd: string,
): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(bin, args, { cwd });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, output: `${e.stdout}${e.stderr}` };
  }
}

/** Writes `rules.yaml` and `rules.test.yaml` (rule_files relative) into a new directory. */
function writeRuleFiles(
  groups: readonly MixinRuleGroup[],
  tests: readonly MixinAlertTest[],
  under: string,
): string {
  const dir = mkdtempSync(join(under, 'case-'));
  writeFileSync(join(dir, 'rules.yaml'), serializeRules({ groups }));
  writeFileSync(
    join(dir, 'rules.test.yaml'),
    serializeAlertTests(tests, { ruleFiles: ['rules.yaml'] }),
  );
  return dir;
}

const alertsOf = (groups: readonly MixinRuleGroup[]): MixinAlert[] =>
  groups.flatMap((g) => g.rules.filter((r): r is MixinAlert => 'alert' in r));

/** The groups with one alert's expression replaced. */
function withExpr(
  groups: readonly MixinRuleGroup[],
  alert: string,
  expr: string,
): MixinRuleGroup[] {
  return groups.map((g) => ({
    ...g,
    rules: g.rules.map((r) => ('alert' in r && r.alert === alert ? { ...r, expr } : r)),
  }));
}

/** Alert names of the failed evaluations in promtool's output. */
function failedAlerts(output: string): Set<string> {
  return new Set([...output.matchAll(/alertname: (\w+), time:/g)].map((m) => m[1] as string));
}

describe.skipIf(!bin)('mixin alerts under the real promtool', () => {
  const promtoolBin = bin as string;

  it('check rules --lint=all and test rules pass', async () => {
    const { groups, tests } = allAlerts();
    const dir = writeRuleFiles(groups, tests, parent);
    const check = await promtool(
      promtoolBin,
      ['check', 'rules', '--lint=all', '--lint-fatal', 'rules.yaml'],
      dir,
    );
    expect(check.output).toContain('SUCCESS');
    expect(check.code).toBe(0);
    const test = await promtool(promtoolBin, ['test', 'rules', 'rules.test.yaml'], dir);
    expect(test.output).toContain('SUCCESS');
    expect(test.code).toBe(0);
  });

  it('every alert has a test where it fires and one where it stays quiet', () => {
    const { groups, tests } = allAlerts();
    for (const alert of alertsOf(groups)) {
      const evals = tests
        .flatMap((t) => t.alert_rule_test)
        .filter((e) => e.alertname === alert.alert);
      const firing = evals.filter((e) => e.exp_alerts.length > 0);
      expect(firing.length, alert.alert).toBeGreaterThan(0);
      expect(
        evals.some((e) => e.exp_alerts.length === 0),
        alert.alert,
      ).toBe(true);
      for (const e of firing) {
        for (const exp of e.exp_alerts) {
          expect(exp.exp_labels?.severity, alert.alert).toBe(alert.labels.severity);
          expect(Object.keys(exp.exp_annotations ?? {}).sort(), alert.alert).toEqual(
            Object.keys(alert.annotations).sort(),
          );
        }
      }
    }
  });

  it('raising the 5xx threshold makes its firing test fail', async () => {
    const { groups, tests } = allAlerts();
    const alert = alertsOf(groups).find((a) => a.alert === 'SrekitHigh5xxRatio') as MixinAlert;
    const threshold = `> ${ALERT_THRESHOLDS.high5xxRatio.ratio}`;
    expect(alert.expr).toContain(threshold);
    const own = tests.filter((t) => t.alert_rule_test.some((e) => e.alertname === alert.alert));
    const unchanged = writeRuleFiles(groups, own, parent);
    expect(
      (await promtool(promtoolBin, ['test', 'rules', 'rules.test.yaml'], unchanged)).code,
    ).toBe(0);
    const mutated = withExpr(groups, alert.alert, alert.expr.replace(threshold, '> 0.5'));
    const dir = writeRuleFiles(mutated, own, parent);
    const result = await promtool(promtoolBin, ['test', 'rules', 'rules.test.yaml'], dir);
    expect(result.code).not.toBe(0);
    expect(failedAlerts(result.output)).toEqual(new Set([alert.alert]));
  });

  it.each([
    ['never fires', 'vector(1) == 2', true],
    ['always fires', 'vector(1)', false],
  ])('an expression that %s fails a test of every alert', async (_, expr, firing) => {
    const { groups, tests } = allAlerts();
    const names = alertsOf(groups).map((a) => a.alert);
    const mutated = names.reduce((acc, name) => withExpr(acc, name, expr), groups);
    // Only the evaluations the mutation must break: firing ones for a silent rule, quiet ones
    // for a rule that always fires (then a failure can only mean it was expected quiet).
    const kept = tests
      .map((t) => ({
        ...t,
        alert_rule_test: t.alert_rule_test.filter((e) => e.exp_alerts.length > 0 === firing),
      }))
      .filter((t) => t.alert_rule_test.length > 0);
    const dir = writeRuleFiles(mutated, kept, parent);
    const result = await promtool(promtoolBin, ['test', 'rules', 'rules.test.yaml'], dir);
    expect(result.code).not.toBe(0);
    expect([...failedAlerts(result.output)].sort()).toEqual([...names].sort());
  });

  it('writes the rule file with the shared serializer', () => {
    const { groups, tests } = allAlerts();
    const dir = writeRuleFiles(groups, tests, parent);
    const text = readFileSync(join(dir, 'rules.yaml'), 'utf8');
    for (const alert of alertsOf(groups)) expect(text).toContain(`- alert: ${alert.alert}\n`);
  });
});
