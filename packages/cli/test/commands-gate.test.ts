import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI_ERROR_CODES } from '../src/cli/errors.js';
import { runCli, tempDir } from './fixtures/run-cli.js';

const SPECS = ['--slos', 'slos/checkout.yaml'];

describe('srekit gate', () => {
  it('passes (exit 0) on a results file within budget, with a table and the reasons', async () => {
    const result = await runCli(['gate', ...SPECS, '--results', 'results/passing.json']);
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(
      /^SLO {2,}objective {2}SLI {2,}budget left {2}burn rate {2,}exhausted in {2}result$/,
    );
    expect(lines[1]).toMatch(
      /^checkout-availability {2}99\.9 % +99\.99 % +90 % +0\.1× \(1h\) +270d +PASS$/,
    );
    // No 1h counts for this SLO in the file: the burn rate is the whole run's, and says so.
    expect(lines[2]).toMatch(
      /^checkout-payments +99\.5 % +99\.9 % +80 % +0\.2× \(period\) +120d +PASS$/,
    );
    expect(result.stdout).toContain('PASS checkout-payments');
    expect(result.stdout).toMatch(
      /gate passed: 2 SLOs checked \(results file .*results\/passing\.json\)\n$/,
    );
  });

  it('fails (exit 1) on a results file that overspends, naming the SLO and why', async () => {
    const result = await runCli([
      'gate',
      ...SPECS,
      '--results',
      'results/failing.json',
      '--min-budget-remaining',
      '0.25',
      '--max-burn-rate',
      '2',
    ]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/checkout-availability .* 30× \(1h\) +exhausted +FAIL\n/);
    expect(result.stdout).toContain(
      '  - error budget overspent: remaining -100 % of 43m 12s over 30d (SLI 99.8 % vs objective 99.9 %), below the minimum 25 %',
    );
    expect(result.stdout).toContain(
      '  - burn rate over 1h is 30× (error ratio 3 %, allowed 0.1 %), above the maximum 2×',
    );
    expect(result.stdout).toContain('gate failed: 1 of 2 SLOs failed');
  });

  it('applies --min-budget-remaining: 90 % left fails a 95 % minimum', async () => {
    const result = await runCli([
      'gate',
      ...SPECS,
      '--results',
      'results/passing.json',
      '--min-budget-remaining',
      '0.95',
    ]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('is below the minimum 95 %');
  });

  it('gives the verdict as JSON', async () => {
    const result = await runCli(['gate', ...SPECS, '--results', 'results/failing.json', '--json']);
    expect(result.code).toBe(1);
    const body = JSON.parse(result.stdout);
    expect(body).toMatchObject({
      command: 'gate',
      ok: false,
      passed: false,
      at: '2026-01-15T12:00:00.000Z',
      thresholds: { minBudgetRemaining: 0, requireData: true },
    });
    expect(body.slos.map((s: { sloId: string; passed: boolean }) => [s.sloId, s.passed])).toEqual([
      ['checkout-availability', false],
      ['checkout-payments', true],
    ]);
    expect(body.slos[0].budgetRemaining).toBeCloseTo(-1, 10);
    expect(body.slos[0].reasons[0]).toContain('error budget overspent');
  });

  it('fails an SLO missing from the results unless --allow-missing-data', async () => {
    const dir = await tempDir();
    try {
      const path = join(dir.path, 'partial.json');
      await writeFile(
        path,
        JSON.stringify({ slos: { 'checkout-availability': { good: 1000, total: 1000 } } }),
      );
      const strict = await runCli(['gate', ...SPECS, '--results', path]);
      expect(strict.code).toBe(1);
      expect(strict.stdout).toContain('no data');
      const lenient = await runCli(['gate', ...SPECS, '--results', path, '--allow-missing-data']);
      expect(lenient.code).toBe(0);
    } finally {
      await dir.remove();
    }
  });

  it('exits 1 with the reason when the results file is missing or not JSON', async () => {
    const missing = await runCli(['gate', ...SPECS, '--results', 'results/nope.json']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('srekit gate: Cannot read results file');
    expect(missing.stderr).toContain('ERR_SREKIT_SLO_GATE_SOURCE');
    const dir = await tempDir();
    try {
      await writeFile(join(dir.path, 'bad.json'), '{ "slos": {\n  "x": }\n}\n');
      const bad = await runCli(
        [
          'gate',
          '--slos',
          join(process.cwd(), 'packages/cli/test/fixtures/slos/checkout.yaml'),
          '--results',
          'bad.json',
        ],
        { cwd: dir.path },
      );
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/bad\.json(:\d+:\d+)? is not valid JSON/);
    } finally {
      await dir.remove();
    }
  });

  it('exits 1 when Prometheus cannot be reached', async () => {
    const result = await runCli(['gate', ...SPECS, '--prometheus', 'http://127.0.0.1:9'], {
      deps: {
        fetch: async () => {
          throw new TypeError('fetch failed');
        },
      },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('ERR_SREKIT_SLO_GATE_SOURCE');
    const json = await runCli(['gate', ...SPECS, '--results', 'results/nope.json', '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toEqual({
      command: 'gate',
      ok: false,
      exitCode: 1,
      error: {
        code: 'ERR_SREKIT_SLO_GATE_SOURCE',
        message: expect.stringContaining('Cannot read results file'),
      },
    });
  });

  it('is a usage error (exit 2) without a source, with both, or with bad thresholds', async () => {
    const none = await runCli(['gate', ...SPECS]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('--prometheus <url> or --results <file.json>');
    const both = await runCli([
      'gate',
      ...SPECS,
      '--prometheus',
      'http://p:9090',
      '--results',
      'r.json',
    ]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--prometheus and --results are alternatives');
    const budget = await runCli([
      'gate',
      ...SPECS,
      '--results',
      'results/passing.json',
      '--min-budget-remaining',
      '25',
    ]);
    expect(budget.code).toBe(2);
    expect(budget.stderr).toContain('--min-budget-remaining "25" is not a ratio ≤ 1');
    expect(budget.stderr).toContain(CLI_ERROR_CODES.INVALID_ARGUMENT);
    const burn = await runCli([
      'gate',
      ...SPECS,
      '--results',
      'results/passing.json',
      '--max-burn-rate',
      'fast',
    ]);
    expect(burn.code).toBe(2);
    const window = await runCli([
      'gate',
      ...SPECS,
      '--results',
      'results/passing.json',
      '--burn-rate-window',
      '1 hour',
    ]);
    expect(window.code).toBe(2);
    const url = await runCli(['gate', ...SPECS, '--prometheus', 'localhost:9090']);
    expect(url.code).toBe(2);
    expect(url.stderr).toContain('is not an http(s) URL');
    const noSpecs = await runCli(['gate', '--results', 'results/passing.json']);
    expect(noSpecs.code).toBe(2);
  });

  it('exits 1 with located problems for an invalid spec', async () => {
    const result = await runCli([
      'gate',
      '--slos',
      'slos/typo.yaml',
      '--results',
      'results/passing.json',
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('slos/typo.yaml:5:5: error slos[0].objectve');
  });
});
