import { describe, expect, it } from 'vitest';
import { SLO_ERROR_CODES } from '../../src/errors.js';
import { checkSloSpecs } from '../../src/spec/parse-specs.js';
import { checkFixture } from './helpers.js';

describe('extreme objectives', () => {
  const result = checkFixture('extreme-objectives.yaml');

  it('are warnings: the SLOs are kept', () => {
    expect(result.slos.map((slo) => slo.id)).toEqual([
      'edge-relaxed',
      'edge-five-nines',
      'edge-relaxed-without-page',
    ]);
    expect(result.problems.every((problem) => problem.severity === 'warning')).toBe(true);
    expect(
      result.problems.every((problem) => problem.code === SLO_ERROR_CODES.SPEC_EXTREME_OBJECTIVE),
    ).toBe(true);
  });

  it('at 90 % the 1 h page tier would need 144 % errors', () => {
    const [warning] = result.problems;
    expect(warning).toMatchObject({
      field: 'slos[0].objective',
      location: { line: 5, column: 16 },
    });
    expect(warning?.message).toBe(
      'with objective 90 % a tier can never fire: page-fast needs 144 % errors (burn 14.4× over 1h)',
    );
  });

  it('at 99.999 % a full outage spends the budget in about 26 s', () => {
    const warning = result.problems[1];
    expect(warning).toMatchObject({
      field: 'slos[1].objective',
      location: { line: 10, column: 16 },
    });
    expect(warning?.message).toContain('leaves 26s of full outage per 30d');
  });

  it('no warning when the tier that cannot fire is disabled', () => {
    expect(result.problems.some((problem) => problem.field.startsWith('slos[2]'))).toBe(false);
  });

  it('an objective just above the limits draws no warning', () => {
    const text = `version: srekit/v1
service: edge
slos:
  - name: fine
    objective: 93.1
    sli:
      raw:
        error_ratio_query: sum(rate(e[{{.window}}]))
`;
    expect(checkSloSpecs(text).problems).toEqual([]);
    expect(checkSloSpecs(text.replace('93.1', '93')).problems).toHaveLength(1);
  });

  it('also for OpenSLO objectives', () => {
    const text = `apiVersion: openslo/v1
kind: SLO
metadata:
  name: api
spec:
  service: shop
  indicator:
    metadata:
      name: errors
    spec:
      ratioMetric:
        counter: true
        bad:
          metricSource:
            type: Prometheus
            spec:
              query: errors_total
        total:
          metricSource:
            type: Prometheus
            spec:
              query: requests_total
  budgetingMethod: Occurrences
  objectives:
    - targetPercent: 99.9995
`;
    const result = checkSloSpecs(text);
    expect(result.slos).toHaveLength(1);
    expect(result.problems.map((problem) => [problem.severity, problem.field])).toEqual([
      ['warning', 'spec.objectives[0].targetPercent'],
    ]);
  });
});
