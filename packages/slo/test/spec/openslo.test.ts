import { describe, expect, it } from 'vitest';
import { DEFAULT_ALERT_TIERS } from '../../src/defaults.js';
import { checkSloSpecs } from '../../src/spec/parse-specs.js';
import { checkFixture, where } from './helpers.js';

describe('OpenSLO v1: openslo-full.yaml', () => {
  const result = checkFixture('openslo-full.yaml');
  const byId = new Map(result.slos.map((slo) => [slo.id, slo]));

  it('reads one SloSpec per objective, in file order', () => {
    expect(result.problems).toEqual([]);
    expect(result.slos.map((slo) => slo.id)).toEqual([
      'checkout-availability-good',
      'checkout-availability-stretch',
      'checkout-monthly-orders',
      'checkout-p99-latency',
      'checkout-batch-success',
    ]);
    expect(result.slos.every((slo) => slo.source.format === 'openslo')).toBe(true);
  });

  it('converts target ratios and targetPercent to exact percent text', () => {
    expect(byId.get('checkout-availability-good')?.objectiveText).toBe('99.9');
    expect(byId.get('checkout-availability-stretch')?.objectiveText).toBe('99.95');
    expect(byId.get('checkout-monthly-orders')?.objective).toBe(99);
  });

  it('resolves indicatorRef and a DataSource’s type, and wraps counter selectors', () => {
    expect(byId.get('checkout-availability-good')?.sli).toEqual({
      kind: 'events',
      errorQuery: 'sum(rate(http_requests_total{job="checkout",code=~"5.."}[{{.window}}]))',
      totalQuery: 'sum(rate(http_requests_total{job="checkout"}[{{.window}}]))',
    });
  });

  it('keeps query templates that already use {{.window}}', () => {
    expect(byId.get('checkout-monthly-orders')?.sli).toEqual({
      kind: 'good-events',
      goodQuery: 'sum(increase(orders_total{status="ok"}[{{.window}}]))',
      totalQuery: 'sum(increase(orders_total[{{.window}}]))',
    });
  });

  it('reads a success raw ratio as one minus the ratio', () => {
    expect(byId.get('checkout-batch-success')?.sli).toEqual({
      kind: 'raw',
      errorRatioQuery: '1 - (avg_over_time(batch_success_ratio{job="batch"}[{{.window}}]))',
    });
  });

  it('reads a thresholdMetric with the objective’s op and value', () => {
    expect(byId.get('checkout-p99-latency')?.sli).toEqual({
      kind: 'threshold',
      query:
        'histogram_quantile(0.99, sum by (le) (rate(http_server_request_duration_seconds_bucket[5m])))',
      op: 'lt',
      threshold: 0.3,
    });
  });

  it('maps rolling and calendar windows', () => {
    expect(byId.get('checkout-availability-good')?.window).toEqual({
      kind: 'rolling',
      seconds: 28 * 86_400,
      text: '4w',
    });
    expect(byId.get('checkout-monthly-orders')?.window).toMatchObject({
      kind: 'calendar',
      unit: 'month',
      count: 1,
      timeZone: 'America/New_York',
    });
    expect(byId.get('checkout-batch-success')?.window).toMatchObject({
      kind: 'calendar',
      unit: 'week',
      timeZone: 'UTC',
      seconds: 7 * 86_400,
    });
    expect(byId.get('checkout-p99-latency')?.window).toMatchObject({
      kind: 'rolling',
      text: '30d',
    });
  });

  it('maps the three budgeting methods', () => {
    expect(byId.get('checkout-availability-good')?.budgetingMethod).toEqual({
      kind: 'occurrences',
    });
    expect(byId.get('checkout-monthly-orders')?.budgetingMethod).toEqual({
      kind: 'timeslices',
      sliceSeconds: 300,
      sliceTarget: 0.95,
    });
    // A bare number is minutes.
    expect(byId.get('checkout-p99-latency')?.budgetingMethod).toEqual({
      kind: 'timeslices',
      sliceSeconds: 60,
      sliceTarget: 1,
    });
    expect(byId.get('checkout-batch-success')?.budgetingMethod).toEqual({
      kind: 'ratio-timeslices',
      sliceSeconds: 600,
    });
  });

  it('turns burn-rate conditions (by reference and inline) into alert tiers', () => {
    const alerting = byId.get('checkout-availability-good')?.alerting;
    const window = 28 * 86_400;
    expect(alerting?.tiers).toEqual([
      {
        id: 'fast-burn',
        severity: 'page',
        budgetFraction: (14.4 * 3_600) / window,
        longWindowSeconds: 3_600,
        shortWindowSeconds: 300,
        enabled: true,
        forSeconds: 120,
      },
      {
        id: 'slow-burn',
        severity: 'ticket',
        budgetFraction: (1 * 3 * 86_400) / window,
        longWindowSeconds: 3 * 86_400,
        shortWindowSeconds: 6 * 3_600,
        enabled: true,
        forSeconds: 0,
      },
    ]);
    expect(alerting?.page.enabled).toBe(true);
    expect(alerting?.ticket.enabled).toBe(true);
    expect(alerting?.name).toBe('CheckoutAvailabilityGood');
  });

  it('uses the workbook tiers when an SLO has no alert policies', () => {
    expect(byId.get('checkout-monthly-orders')?.alerting.tiers).toEqual(DEFAULT_ALERT_TIERS);
  });

  it('turns metadata labels into Prometheus labels', () => {
    expect(byId.get('checkout-availability-good')?.labels).toEqual({
      tier: '1',
      cost_centre: 'shop',
    });
  });
});

describe('OpenSLO v1: openslo-bad.yaml', () => {
  const result = checkFixture('openslo-bad.yaml');

  it('reports every error at once at its place', () => {
    expect(where(result.problems)).toEqual([
      '10:15 SPEC_UNSUPPORTED spec.ratioMetric.bad.metricSource.type',
      '15:15 SPEC_UNSUPPORTED spec.ratioMetric.total.metricSource.type',
      '36:17 SPEC_REFERENCE spec.indicatorRef',
      '37:20 SPEC_INVALID_FIELD spec.budgetingMethod',
      '39:15 SPEC_OBJECTIVE spec.objectives[0].target',
      '41:23 SPEC_REFERENCE spec.alertPolicies[0].alertPolicyRef',
      '53:9 SPEC_INVALID_FIELD spec.ratioMetric.bad.metricSource.spec',
      '54:11 SPEC_UNKNOWN_FIELD spec.ratioMetric.bad.metricSource.spec.qeury',
      '59:18 SPEC_WINDOW_PLACEHOLDER spec.ratioMetric.total.metricSource.spec.query',
      '61:13 SPEC_UNSUPPORTED apiVersion',
    ]);
  });

  it('keeps the valid SLO', () => {
    expect(result.slos.map((slo) => slo.id)).toEqual(['checkout-fine']);
  });

  it('names the unsupported source type and suggests references and enum values', () => {
    const messages = result.problems.map((problem) => `${problem.message} | ${problem.fix}`);
    expect(messages[0]).toContain('`Datadog`');
    expect(messages[2]).toContain('Did you mean `http-errors`?');
    expect(messages[3]).toContain('Did you mean `Timeslices`?');
    expect(messages[4]).toContain('`target: 0.999`');
  });

  it('explains both ways to give a query without {{.window}}', () => {
    const problem = result.problems.find(
      (p) => p.code === 'ERR_SREKIT_SLO_SPEC_WINDOW_PLACEHOLDER',
    );
    expect(problem?.fix).toContain('{{.window}}');
    expect(problem?.fix).toContain('counter: true');
  });
});

describe('OpenSLO v1 references and conditions', () => {
  const sli = `apiVersion: openslo/v1
kind: SLI
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
`;
  const slo = (extra: string) => `${sli}---
apiVersion: openslo/v1
kind: SLO
metadata:
  name: api
spec:
  service: shop
  indicatorRef: errors
  budgetingMethod: Occurrences
  objectives:
    - target: 0.99
${extra}`;

  it('reports a policy that names a missing condition at the reference', () => {
    const text = slo(`  alertPolicies:
    - kind: AlertPolicy
      metadata:
        name: inline
      spec:
        conditions:
          - conditionRef: nowhere
`);
    expect(where(checkSloSpecs(text).problems)).toEqual([
      '35:27 SPEC_REFERENCE spec.alertPolicies[0].spec.conditions[0].conditionRef',
    ]);
  });

  it('rejects burn-rate conditions that compare downwards and unknown severities', () => {
    const text = slo(`  alertPolicies:
    - kind: AlertPolicy
      metadata:
        name: inline
      spec:
        conditions:
          - kind: AlertCondition
            metadata:
              name: wrong-way
            spec:
              severity: sev9
              condition:
                kind: burnrate
                op: lte
                threshold: 2
                lookbackWindow: 1h
`);
    const result = checkSloSpecs(text);
    expect(where(result.problems)).toEqual([
      '39:25 SPEC_INVALID_FIELD spec.alertPolicies[0].spec.conditions[0].spec.severity',
      '42:21 SPEC_INVALID_FIELD spec.alertPolicies[0].spec.conditions[0].spec.condition.op',
    ]);
    expect(result.slos).toEqual([]);
  });

  it('disables the tiers of a policy that does not alert when breaching', () => {
    const text = slo(`  alertPolicies:
    - kind: AlertPolicy
      metadata:
        name: quiet
      spec:
        alertWhenBreaching: false
        conditions:
          - kind: AlertCondition
            metadata:
              name: fast
            spec:
              severity: critical
              condition:
                threshold: 14.4
                lookbackWindow: 1h
`);
    const result = checkSloSpecs(text);
    expect(result.problems).toEqual([]);
    expect(result.slos[0]?.alerting.tiers.map((tier) => [tier.id, tier.enabled])).toEqual([
      ['fast', false],
    ]);
    expect(result.slos[0]?.alerting.page.enabled).toBe(false);
  });

  it('rejects a condition that could fire only after the whole budget is spent', () => {
    const text = slo(`  alertPolicies:
    - kind: AlertPolicy
      metadata:
        name: late
      spec:
        conditions:
          - kind: AlertCondition
            metadata:
              name: late
            spec:
              severity: ticket
              condition:
                threshold: 20
                lookbackWindow: 3d
`);
    const result = checkSloSpecs(text);
    expect(where(result.problems)).toEqual([
      '41:28 SPEC_INVALID_FIELD spec.alertPolicies[0].spec.conditions[0].spec.condition.threshold',
    ]);
    expect(result.problems[0]?.message).toContain('spends 200 % of the budget of 30d');
  });

  it('rejects two objects of one kind with the same name', () => {
    const result = checkSloSpecs(`${sli}---\n${sli}`);
    expect(where(result.problems)).toEqual(['22:9 SPEC_DUPLICATE_ID metadata.name']);
  });

  it('rejects a rolling window in months and an unknown time zone', () => {
    const rolling = slo('  timeWindow:\n    - duration: 1M\n      isRolling: true\n');
    expect(where(checkSloSpecs(rolling).problems)).toEqual([
      '30:17 SPEC_WINDOW spec.timeWindow[0].duration',
    ]);
    const zone = slo(
      '  timeWindow:\n    - duration: 1Q\n      calendar:\n        timeZone: Europe/Atlantis\n',
    );
    const result = checkSloSpecs(zone);
    expect(where(result.problems)).toEqual([
      '32:19 SPEC_WINDOW spec.timeWindow[0].calendar.timeZone',
    ]);
  });

  it('reads a quarter calendar window', () => {
    const quarter = slo(
      '  timeWindow:\n    - duration: 1Q\n      calendar:\n        timeZone: Asia/Tokyo\n',
    );
    expect(checkSloSpecs(quarter).slos[0]?.window).toEqual({
      kind: 'calendar',
      unit: 'quarter',
      count: 1,
      timeZone: 'Asia/Tokyo',
      seconds: 91 * 86_400,
      text: '1 quarter (Asia/Tokyo)',
    });
  });

  it('needs timeSliceTarget and timeSliceWindow for Timeslices', () => {
    const text = slo('').replace('budgetingMethod: Occurrences', 'budgetingMethod: Timeslices');
    const result = checkSloSpecs(text);
    expect(result.problems.map((problem) => problem.message)).toEqual([
      '`Timeslices` needs `timeSliceWindow`',
      '`Timeslices` needs `timeSliceTarget`',
    ]);
  });
});
