import { execFile } from 'node:child_process';
import { copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GENERATED_HEADER } from '@srekit/slo';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { requireBinary } from '../../../tests/support/system-deps.js';
import { MIXIN_GENERATED_HEADER } from '../src/cli/defaults.js';
import type { Mixin } from '../src/mixins/types.js';
import { FIXTURES, runCli, tempDir } from './fixtures/run-cli.js';

const run = promisify(execFile);
const promtool = requireBinary('promtool');

const ANNOTATIONS = {
  summary: 'The stub service is down.',
  description: 'Prometheus cannot scrape {{ $labels.job }}.',
  runbook_url: 'docs/runbooks.md#srekitstubdown',
  dashboard_url: '/d/stub',
};

/** A small mixin standing in for the real ones: one recording rule, one alert, its tests, one dashboard. */
const stubMixin: Mixin = {
  name: 'stub',
  prometheusRules: {
    groups: [
      { name: 'stub-recordings', rules: [{ record: 'job:up:sum', expr: 'sum by (job) (up)' }] },
    ],
  },
  prometheusAlerts: {
    groups: [
      {
        name: 'stub-alerts',
        rules: [
          {
            alert: 'SrekitStubDown',
            expr: 'up{job="stub"} == 0',
            for: '2m',
            labels: { severity: 'critical' },
            annotations: ANNOTATIONS,
          },
        ],
      },
    ],
  },
  grafanaDashboards: {
    'srekit-stub.json': {
      uid: 'srekit-stub',
      title: 'Stub',
      tags: ['srekit'],
      editable: false,
      panels: [],
    },
  },
  alertTests: [
    {
      name: 'SrekitStubDown fires after 2m down and not while up',
      interval: '1m',
      input_series: [{ series: 'up{job="stub"}', values: '1 1 0 0 0 0 0' }],
      alert_rule_test: [
        { eval_time: '1m', alertname: 'SrekitStubDown', exp_alerts: [] },
        {
          eval_time: '5m',
          alertname: 'SrekitStubDown',
          exp_alerts: [
            {
              exp_labels: { severity: 'critical', job: 'stub' },
              exp_annotations: { ...ANNOTATIONS, description: 'Prometheus cannot scrape stub.' },
            },
          ],
        },
      ],
    },
  ],
};

const mixins = () => [stubMixin];

async function tree(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (dir: string, prefix: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path, `${prefix}${entry.name}/`);
      else out[`${prefix}${entry.name}`] = await readFile(path, 'utf8');
    }
  };
  await walk(root, '');
  return out;
}

describe('srekit generate', () => {
  let dir: { path: string; remove: () => Promise<void> };
  beforeEach(async () => {
    dir = await tempDir();
    await mkdir(join(dir.path, 'slos'));
    await copyFile(join(FIXTURES, 'slos/checkout.yaml'), join(dir.path, 'slos/checkout.yaml'));
  });
  afterEach(async () => {
    await dir.remove();
  });
  const generate = (extra: string[] = [], deps = { mixins }) =>
    runCli(
      [
        'generate',
        '--slos',
        'slos/checkout.yaml',
        '--alerts',
        'out/alerts',
        '--dashboards',
        'out/dashboards',
        ...extra,
      ],
      { cwd: dir.path, deps },
    );

  it('writes SLO rules per spec file, promtool tests per SLO, inhibit rules, mixin alerts, tests and dashboards', async () => {
    const result = await generate();
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const files = await tree(join(dir.path, 'out'));
    expect(Object.keys(files).sort()).toEqual([
      'alerts/alertmanager/inhibit-rules.yaml',
      'alerts/checkout.yaml',
      'alerts/stub.yaml',
      'alerts/tests/checkout-availability.test.yaml',
      'alerts/tests/checkout-payments.test.yaml',
      'alerts/tests/stub.test.yaml',
      'dashboards/srekit-stub.json',
    ]);
    expect(result.stdout.split('\n')[0]).toBe(
      'generated 2 SLOs (srekit) and 1 dashboard: 7 files (7 added, 0 changed, 0 unchanged, 0 removed)',
    );
    expect(result.stdout).toContain('  added    out/alerts/checkout.yaml');
    expect(files['alerts/checkout.yaml']?.startsWith(GENERATED_HEADER)).toBe(true);
    expect(files['alerts/checkout.yaml']).toContain('alert: CheckoutAvailability');
    expect(files['alerts/tests/checkout-availability.test.yaml']).toContain('../checkout.yaml');
    expect(files['alerts/alertmanager/inhibit-rules.yaml']).toContain('inhibit_rules:');
    const stubRules = files['alerts/stub.yaml'] ?? '';
    expect(stubRules.startsWith(MIXIN_GENERATED_HEADER)).toBe(true);
    // Recording rules come before the alerts that may read them.
    expect(stubRules.indexOf('stub-recordings')).toBeLessThan(stubRules.indexOf('stub-alerts'));
    expect(files['alerts/tests/stub.test.yaml']).toContain(
      'rule_files:\n  - ../stub.yaml\nevaluation_interval: 1m\ntests:\n',
    );
    // Dashboards: keys sorted at every level, 2-space JSON, trailing newline.
    expect(files['dashboards/srekit-stub.json']).toBe(
      '{\n  "editable": false,\n  "panels": [],\n  "tags": [\n    "srekit"\n  ],\n  "title": "Stub",\n  "uid": "srekit-stub"\n}\n',
    );
  });

  it('is deterministic with the real mixins: two runs write the same bytes, a third changes nothing', async () => {
    const first = await runCli(
      [
        'generate',
        '--slos',
        'slos/checkout.yaml',
        '--alerts',
        'a/alerts',
        '--dashboards',
        'a/dashboards',
      ],
      { cwd: dir.path },
    );
    expect(first.code).toBe(0);
    const second = await runCli(
      [
        'generate',
        '--slos',
        'slos/checkout.yaml',
        '--alerts',
        'b/alerts',
        '--dashboards',
        'b/dashboards',
      ],
      { cwd: dir.path },
    );
    expect(second.code).toBe(0);
    const a = await tree(join(dir.path, 'a'));
    expect(Object.keys(a).length).toBeGreaterThan(4);
    expect(await tree(join(dir.path, 'b'))).toEqual(a);
    const third = await runCli(
      [
        'generate',
        '--slos',
        'slos/checkout.yaml',
        '--alerts',
        'a/alerts',
        '--dashboards',
        'a/dashboards',
        '--json',
      ],
      { cwd: dir.path },
    );
    const body = JSON.parse(third.stdout) as { summary: Record<string, number> };
    expect(body.summary).toEqual({
      added: 0,
      changed: 0,
      unchanged: Object.keys(a).length,
      removed: 0,
    });
  });

  it('--check passes when the files are current and writes nothing', async () => {
    expect((await generate()).code).toBe(0);
    const before = await tree(join(dir.path, 'out'));
    const check = await generate(['--check']);
    expect(check.code).toBe(0);
    expect(check.stdout).toBe('ok  all generated files are current: 7 files\n');
    expect(await tree(join(dir.path, 'out'))).toEqual(before);
  });

  it('--check fails listing changed, missing and stale files, and writes nothing', async () => {
    expect((await generate()).code).toBe(0);
    const alerts = join(dir.path, 'out/alerts');
    await writeFile(join(alerts, 'checkout.yaml'), `${GENERATED_HEADER}groups: []\n`);
    await rm(join(alerts, 'tests/stub.test.yaml'));
    await writeFile(join(alerts, 'old-service.yaml'), `${GENERATED_HEADER}groups: []\n`);
    await writeFile(join(alerts, 'hand-written.yaml'), 'groups: []\n');
    const before = await tree(join(dir.path, 'out'));
    const check = await generate(['--check']);
    expect(check.code).toBe(1);
    expect(check.stdout).toBe(
      [
        'stale  3 generated files would change; run `srekit generate` without --check and commit the result:',
        '  changed  out/alerts/checkout.yaml',
        '  removed  out/alerts/old-service.yaml',
        '  added    out/alerts/tests/stub.test.yaml',
        '(ERR_SREKIT_CLI_STALE_OUTPUT)',
        '',
      ].join('\n'),
    );
    expect(await tree(join(dir.path, 'out'))).toEqual(before);
    const json = JSON.parse((await generate(['--check', '--json'])).stdout) as {
      ok: boolean;
      files: { path: string; status: string }[];
    };
    expect(json.ok).toBe(false);
    expect(json.files.filter((f) => f.status !== 'unchanged')).toEqual([
      { path: 'out/alerts/checkout.yaml', status: 'changed' },
      { path: 'out/alerts/old-service.yaml', status: 'removed' },
      { path: 'out/alerts/tests/stub.test.yaml', status: 'added' },
    ]);
  });

  it('removes stale generated files (YAML with the header, dashboards with the srekit tag) and keeps hand-written ones', async () => {
    await mkdir(join(dir.path, 'out/alerts'), { recursive: true });
    await mkdir(join(dir.path, 'out/dashboards'), { recursive: true });
    await writeFile(
      join(dir.path, 'out/alerts/gone.yaml'),
      `${MIXIN_GENERATED_HEADER}groups: []\n`,
    );
    await writeFile(join(dir.path, 'out/alerts/mine.yaml'), 'groups: []\n');
    await writeFile(join(dir.path, 'out/dashboards/old.json'), '{"tags":["srekit"],"uid":"old"}\n');
    await writeFile(join(dir.path, 'out/dashboards/team.json'), '{"tags":["team"],"uid":"team"}\n');
    const result = await generate();
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('  removed  out/alerts/gone.yaml');
    const files = Object.keys(await tree(join(dir.path, 'out')));
    expect(files).not.toContain('alerts/gone.yaml');
    expect(files).not.toContain('dashboards/old.json');
    expect(files).toContain('alerts/mine.yaml');
    expect(files).toContain('dashboards/team.json');
  });

  it('writes Sloth-compatible rules with --compat sloth', async () => {
    const result = await generate(['--compat', 'sloth']);
    expect(result.code).toBe(0);
    const rules = await readFile(join(dir.path, 'out/alerts/checkout.yaml'), 'utf8');
    expect(rules).toContain('sloth_id: checkout-availability');
    expect(rules).toContain('sloth-slo-sli-recordings-checkout-availability');
  });

  it('gives its result as JSON', async () => {
    const result = await generate(['--json']);
    expect(result.code).toBe(0);
    const body = JSON.parse(result.stdout);
    expect(body).toMatchObject({
      command: 'generate',
      ok: true,
      check: false,
      compat: 'srekit',
      slos: ['checkout-availability', 'checkout-payments'],
      summary: { added: 7, changed: 0, unchanged: 0, removed: 0 },
    });
    expect(body.files[0]).toEqual({
      path: 'out/alerts/alertmanager/inhibit-rules.yaml',
      status: 'added',
    });
  });

  it('stops with exit 1 and the located problems when a spec is invalid, writing nothing', async () => {
    await copyFile(join(FIXTURES, 'slos/typo.yaml'), join(dir.path, 'slos/typo.yaml'));
    const result = await runCli(
      [
        'generate',
        '--slos',
        'slos/checkout.yaml',
        'slos/typo.yaml',
        '--alerts',
        'out/alerts',
        '--dashboards',
        'out/dashboards',
      ],
      { cwd: dir.path, deps: { mixins } },
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(
      'slos/typo.yaml:5:5: error slos[0].objectve: unknown field `objectve`. Did you mean `objective`?',
    );
    expect(result.stderr).toContain('2 errors in the SLO specs');
    await expect(readdir(join(dir.path, 'out'))).rejects.toThrow();
  });

  it('reports a missing spec file', async () => {
    const result = await runCli(
      ['generate', '--slos', 'nope.yaml', '--alerts', 'a', '--dashboards', 'd'],
      { cwd: dir.path, deps: { mixins } },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('nope.yaml:1:1: error (file): the file does not exist.');
  });

  it('is a usage error without --alerts, --dashboards or --slos, or with an unknown --compat', async () => {
    const noAlerts = await runCli(
      ['generate', '--slos', 'slos/checkout.yaml', '--dashboards', 'd'],
      { cwd: dir.path },
    );
    expect(noAlerts.code).toBe(2);
    expect(noAlerts.stderr).toContain('--alerts <dir> is required');
    const noSlos = await runCli(['generate', '--alerts', 'a', '--dashboards', 'd'], {
      cwd: dir.path,
    });
    expect(noSlos.code).toBe(2);
    expect(noSlos.stderr).toContain('--slos <files…> is required');
    const compat = await generate(['--compat', 'pyrra']);
    expect(compat.code).toBe(2);
    expect(compat.stderr).toContain('--compat "pyrra" is not a rule flavour');
  });

  it('refuses output names that clash (a spec file named like a mixin)', async () => {
    await copyFile(join(FIXTURES, 'slos/checkout.yaml'), join(dir.path, 'slos/stub.yaml'));
    await writeFile(
      join(dir.path, 'slos/stub.yaml'),
      (await readFile(join(dir.path, 'slos/stub.yaml'), 'utf8')).replace(
        'service: checkout',
        'service: other',
      ),
    );
    const result = await runCli(
      ['generate', '--slos', 'slos/stub.yaml', '--alerts', 'a', '--dashboards', 'd'],
      { cwd: dir.path, deps: { mixins } },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'stub.yaml would be written by both spec file stub.yaml and the stub mixin',
    );
  });

  describe.skipIf(!promtool)('with promtool', () => {
    it('writes rules promtool accepts and tests that pass', { timeout: 14_000 }, async () => {
      expect((await generate()).code).toBe(0);
      const alerts = join(dir.path, 'out/alerts');
      const rules = ['checkout.yaml', 'stub.yaml'].map((f) => join(alerts, f));
      await run(promtool as string, ['check', 'rules', ...rules]);
      const tests = ['checkout-availability.test.yaml', 'stub.test.yaml'].map((f) =>
        join(alerts, 'tests', f),
      );
      const { stdout } = await run(promtool as string, ['test', 'rules', ...tests]);
      expect(stdout).toContain('SUCCESS');
    });
  });
});
