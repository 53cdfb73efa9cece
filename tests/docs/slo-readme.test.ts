import { readFile } from 'node:fs/promises';
import {
  alertTierTable,
  checkSloSpecs,
  errorBudget,
  formatProblem,
  generatePrometheusRules,
} from '@srekit/slo';
import { describe, expect, it } from 'vitest';

const readme = await readFile(new URL('../../packages/slo/README.md', import.meta.url), 'utf8');

function block(after: string, language: string): string {
  const start = readme.indexOf(after);
  expect(start, `README section "${after}"`).toBeGreaterThan(-1);
  const open = readme.indexOf(`\`\`\`${language}\n`, start);
  const close = readme.indexOf('```', open + language.length + 4);
  return readme.slice(open + language.length + 4, close);
}

describe('the @srekit/slo README', () => {
  const spec = block('`slos.yaml`, in `srekit/v1`', 'yaml');

  it('shows a spec that reads without problems and generates the alerts it describes', () => {
    const result = checkSloSpecs(spec, { filename: 'slos.yaml' });
    expect(result.problems).toEqual([]);
    expect(result.slos.map((slo) => slo.id)).toEqual(['checkout-availability', 'checkout-latency']);
    const rules = generatePrometheusRules(result.slos);
    const alerts = rules.groups
      .filter((group) => group.name === 'srekit-slo-alerts-checkout-availability')
      .flatMap((group) => group.rules)
      .map((rule) => ('alert' in rule ? `${rule.alert} ${rule.labels?.burnrate_tier ?? ''}` : ''));
    expect(alerts).toEqual([
      'CheckoutAvailability page-fast',
      'CheckoutAvailability page-slow',
      'CheckoutAvailability ticket-fast',
      'CheckoutAvailabilityBudgetExhaustion ',
    ]);
  });

  it('prints the problems the misspelt field really produces', () => {
    const typo = spec.replace('    objective: 99.9\n', '    objectve: 99.9\n');
    const result = checkSloSpecs(typo, { filename: 'slos.yaml' });
    expect(result.slos.map((slo) => slo.id)).toEqual(['checkout-latency']);
    const shown = block('With `objective` misspelt', '').trim().split('\n');
    expect(result.problems.map(formatProblem)).toEqual(shown);
  });

  it('quotes the numbers the functions return', () => {
    expect(readme).toContain('2592 s');
    expect(errorBudget({ objective: 99.9, window: '30d' }).budgetSeconds).toBe(2592);
    const budget = errorBudget({ objective: 99.9, window: '30d', total: 1e6, bad: 250 });
    expect(budget.remaining).toBeCloseTo(0.75, 12);
    expect(readme).toContain('`remaining: 0.75`');
    const rows = (window: string) => alertTierTable(window).map((row) => row.burnFactor);
    expect(readme).toContain('| page-fast | 2 % | 1h / 5m | 14.4 | 13.44 | 3.36 |');
    expect([rows('30d')[0], rows('28d')[0], rows('7d')[0]]).toEqual([14.4, 13.44, 3.36]);
  });
});
