import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { requireBinary } from '../../../../tests/support/system-deps.js';
import { DEFAULT_ALERT_TIERS } from '../../src/defaults.js';
import { generatePrometheusRules } from '../../src/rules/generate.js';
import { generatePromtoolTests } from '../../src/rules/promtool-tests.js';
import { serializeRules } from '../../src/rules/serialize.js';
import type { RulesCompat } from '../../src/rules/types.js';
import type { SloSpec } from '../../src/types.js';
import { alerting, buildSpec, fixtureSpecs, rolling } from '../support/build-spec.js';

const promtool = requireBinary('promtool');
const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'srekit-slo-rules-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const month = (timeZone: string): SloSpec['window'] => ({
  kind: 'calendar',
  unit: 'month',
  count: 1,
  timeZone,
  seconds: 30 * 86_400,
  text: `1 month (${timeZone})`,
});

const CASES: Array<{ name: string; compat: RulesCompat; specs: () => SloSpec[] }> = [
  { name: 'sloth-full', compat: 'sloth', specs: () => fixtureSpecs('sloth-full.yaml') },
  { name: 'sloth-full', compat: 'srekit', specs: () => fixtureSpecs('sloth-full.yaml') },
  {
    name: '28d',
    compat: 'sloth',
    specs: () => [buildSpec({ name: 'fourweeks', window: rolling(28 * 86_400) })],
  },
  {
    name: '28d',
    compat: 'srekit',
    specs: () => [buildSpec({ name: 'fourweeks', window: rolling(28 * 86_400) })],
  },
  {
    name: '7d',
    compat: 'srekit',
    specs: () => [
      buildSpec({
        name: 'weekly',
        objective: 99,
        objectiveText: '99',
        window: rolling(7 * 86_400),
      }),
    ],
  },
  {
    name: 'calendar month',
    compat: 'srekit',
    specs: () => [buildSpec({ name: 'monthly', window: month('Europe/Berlin') })],
  },
  {
    name: 'calendar week',
    compat: 'srekit',
    specs: () => [
      buildSpec({
        name: 'this-week',
        window: {
          kind: 'calendar',
          unit: 'week',
          count: 1,
          timeZone: 'America/New_York',
          seconds: 7 * 86_400,
          text: '1 week',
        },
      }),
    ],
  },
  {
    name: 'latency',
    compat: 'srekit',
    specs: () => [
      buildSpec({
        name: 'latency',
        objective: 99.5,
        objectiveText: '99.5',
        sli: {
          kind: 'latency',
          metric: 'http_server_request_duration_seconds',
          selector: 'http_route="/orders",job="checkout"',
          thresholdSeconds: 0.3,
          le: '0.3',
        },
      }),
    ],
  },
  {
    name: 'good events',
    compat: 'srekit',
    specs: () => [
      buildSpec({
        name: 'good',
        sli: {
          kind: 'good-events',
          goodQuery: 'sum(rate(jobs_total{queue="orders",result!~"fail.*|timeout"}[{{.window}}]))',
          totalQuery: 'sum(rate(jobs_total{queue="orders"}[{{.window}}]))',
        },
      }),
    ],
  },
  {
    name: 'tuned tiers',
    compat: 'srekit',
    specs: () => [
      buildSpec({
        name: 'tuned',
        alerting: alerting({
          name: 'CheckoutTuned',
          labels: { team: 'payments' },
          page: { enabled: true, labels: { pager: 'yes' }, annotations: {}, severityLabel: 'page' },
          tiers: DEFAULT_ALERT_TIERS.map((tier) =>
            tier.id === 'ticket-slow'
              ? { ...tier, enabled: false }
              : tier.id === 'page-slow'
                ? { ...tier, forSeconds: 45 * 60 }
                : tier,
          ),
          minTrafficPerSecond: 2,
        }),
      }),
    ],
  },
];

async function promtoolRun(args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(promtool as string, args, {
      cwd: dir,
      maxBuffer: 1 << 26,
    });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describe.skipIf(!promtool)(
  'generated rules and their promtool tests (real promtool)',
  { concurrent: true },
  () => {
    for (const testCase of CASES) {
      describe(`${testCase.name}, compat ${testCase.compat}`, () => {
        const prefix = `${testCase.name.replaceAll(' ', '-')}-${testCase.compat}`;
        const specs = testCase.specs();

        it('passes `promtool check rules` and `--lint=all --lint-fatal`', async () => {
          const file = `${prefix}.rules.yaml`;
          writeFileSync(
            join(dir, file),
            serializeRules(generatePrometheusRules(specs, { compat: testCase.compat })),
          );
          const plain = await promtoolRun(['check', 'rules', file]);
          expect(plain.output).toContain('SUCCESS');
          expect(plain.code).toBe(0);
          const lint = await promtoolRun(['check', 'rules', '--lint=all', '--lint-fatal', file]);
          expect(lint.code, lint.output).toBe(0);
        });

        it('passes its generated `promtool test rules` files', async () => {
          const files: string[] = [];
          for (const spec of specs) {
            // One rule file per SLO keeps each test evaluating only the rules it is about.
            const ruleFile = `${prefix}-${spec.id}.rules.yaml`;
            writeFileSync(
              join(dir, ruleFile),
              serializeRules(generatePrometheusRules([spec], { compat: testCase.compat })),
            );
            for (const test of generatePromtoolTests([spec], {
              compat: testCase.compat,
              ruleFile,
            })) {
              const name = `${prefix}-${test.fileName}`;
              writeFileSync(join(dir, name), test.yaml);
              files.push(name);
            }
          }
          expect(files.length).toBeGreaterThanOrEqual(specs.length);
          const results = await Promise.all(
            files.map((file) => promtoolRun(['test', 'rules', file])),
          );
          for (const [index, result] of results.entries()) {
            expect(result.code, `${files[index]}\n${result.output}`).toBe(0);
          }
        }, 120_000);
      });
    }

    it('the generated tests fail when a threshold in the rules is wrong', async () => {
      const spec = buildSpec({ name: 'tampered' });
      const ruleFile = 'tampered.rules.yaml';
      const rules = serializeRules(generatePrometheusRules([spec])).replaceAll(
        '(14.4 * 0.001)',
        '(20 * 0.001)',
      );
      writeFileSync(join(dir, ruleFile), rules);
      const [test] = generatePromtoolTests([spec], { ruleFile });
      writeFileSync(join(dir, 'tampered.test.yaml'), test?.yaml ?? '');
      const result = await promtoolRun(['test', 'rules', 'tampered.test.yaml']);
      expect(result.code).not.toBe(0);
      expect(result.output).toContain('tier page-fast fires at 1.05');
    }, 60_000);

    it('the generated tests cover the exhaustion forecast, and fail when its horizon is wrong', async () => {
      const spec = buildSpec({ name: 'forecast' });
      const ruleFile = 'forecast.rules.yaml';
      const [test] = generatePromtoolTests([spec], { ruleFile });
      expect(test?.yaml).toContain(`alertname: ${spec.alerting.name}BudgetExhaustion`);
      expect(test?.yaml).toContain('forecast alert fires at 2');
      expect(test?.yaml).toContain('forecast alert stays quiet at 0.5');
      writeFileSync(join(dir, 'forecast.test.yaml'), test?.yaml ?? '');
      writeFileSync(join(dir, ruleFile), serializeRules(generatePrometheusRules([spec])));
      const passing = await promtoolRun(['test', 'rules', 'forecast.test.yaml']);
      expect(passing.code, passing.output).toBe(0);
      // A forecast that can never be below 0 s: the firing case must fail.
      const broken = serializeRules(generatePrometheusRules([spec])).replace(
        /(slo:time_to_exhaustion:seconds\{[^}]*\}) < 259200/,
        '$1 < 0',
      );
      expect(broken).toContain('< 0');
      writeFileSync(join(dir, ruleFile), broken);
      const failing = await promtoolRun(['test', 'rules', 'forecast.test.yaml']);
      expect(failing.code).not.toBe(0);
      expect(failing.output).toContain('forecast alert fires at 2');
    }, 60_000);
  },
);
