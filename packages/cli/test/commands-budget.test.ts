import { alertTierTable, errorBudget } from '@srekit/slo';
import { describe, expect, it } from 'vitest';
import { runCli } from './fixtures/run-cli.js';

describe('srekit budget', () => {
  it('gives the budget of 99.9 % over 30 days as @srekit/slo computes it (43m 12s, 2592 s)', async () => {
    const expected = errorBudget({ objective: 99.9, window: '30d' });
    const result = await runCli(['budget', '99.9', '30d', '--json']);
    expect(result.code).toBe(0);
    const body = JSON.parse(result.stdout);
    expect(body.budgetSeconds).toBe(expected.budgetSeconds);
    expect(body.budgetSeconds).toBe(2592);
    expect(body.allowedErrorRatio).toBe(expected.allowedErrorRatio);
    expect(body.tiers.map((t: { burnFactor: number }) => t.burnFactor)).toEqual(
      alertTierTable('30d', { objective: 99.9 }).map((row) => row.burnFactor),
    );
    expect(body.tiers[0].meaning).toContain(
      'page-fast: pages the on-call when 2 % of the 30d budget is spent within 1h',
    );

    const text = await runCli(['budget', '99.9', '30d']);
    expect(text.stdout).toContain('  error budget          43m 12s of full outage (2592 s)\n');
    expect(text.stdout).toMatch(
      / {2}page-fast {4}page {6}14\.4× {2}1h \/ 5m {7}1\.44 % {7}2 % {11}52s {14}2d 2h\n/,
    );
  });

  it('gives burn rate, exhaustion and the tiers that fire for an error ratio, and the cost of an outage', async () => {
    const result = await runCli([
      'budget',
      '99.9',
      '30d',
      '--error-ratio',
      '0.5%',
      '--outage',
      '30m',
      '--json',
    ]);
    expect(result.code).toBe(0);
    const body = JSON.parse(result.stdout);
    expect(body.errorRatio).toBe(0.005);
    expect(body.burnRate).toBeCloseTo(5, 12);
    expect(body.timeToExhaustionSeconds).toBeCloseTo(6 * 86_400, 6);
    expect(body.firingTiers.map((t: { tier: string }) => t.tier)).toEqual([
      'ticket-fast',
      'ticket-slow',
    ]);
    expect(body.outage.budgetSpent).toBeCloseTo(1800 / 2592, 12);
    const text = await runCli([
      'budget',
      '99.9',
      '30d',
      '--error-ratio',
      '0.005',
      '--outage',
      '30m',
    ]);
    expect(text.stdout).toContain(
      '  burn rate             5×\n  budget exhausted in   6d (a full budget)\n',
    );
    expect(text.stdout).toContain(
      '  spends                69.44 % of the budget\n  leaves                13m 12s (30.56 %)\n',
    );
  });

  it('flags the tiers a 90 % objective can never fire', async () => {
    const result = await runCli(['budget', '90', '28d', '--json']);
    const body = JSON.parse(result.stdout);
    expect(body.tiers[0]).toMatchObject({ id: 'page-fast', reachable: false });
    const text = await runCli(['budget', '90', '28d']);
    expect(text.stdout).toContain('(never)');
  });

  it('is a usage error (exit 2) for missing or malformed arguments', async () => {
    const none = await runCli(['budget']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('<objective> is required, e.g. `srekit budget 99.9 30d`.');
    const noWindow = await runCli(['budget', '99.9']);
    expect(noWindow.code).toBe(2);
    expect(noWindow.stderr).toContain('<window> is required');
    const objective = await runCli(['budget', '100', '30d']);
    expect(objective.code).toBe(2);
    expect(objective.stderr).toContain(
      'objective "100" is not a percentage strictly between 0 and 100',
    );
    const window = await runCli(['budget', '99.9', 'month']);
    expect(window.code).toBe(2);
    expect(window.stderr).toContain('window "month" is not a Prometheus duration');
    const ratio = await runCli(['budget', '99.9', '30d', '--error-ratio', '2']);
    expect(ratio.code).toBe(2);
    const outage = await runCli(['budget', '99.9', '30d', '--outage', 'half an hour']);
    expect(outage.code).toBe(2);
    const flag = await runCli(['budget', '99.9', '30d', '--error-rate', '0.01']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('Did you mean --error-ratio?');
  });
});
