import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEFAULT_ALERT_TIERS } from '../../src/defaults.js';
import { SloRulesError } from '../../src/rules/errors.js';
import { generatePrometheusRules } from '../../src/rules/generate.js';
import { generateInhibitRules } from '../../src/rules/inhibit.js';
import {
  GENERATED_HEADER,
  serializeInhibitRules,
  serializeRules,
} from '../../src/rules/serialize.js';
import type { AlertingRule, RecordingRule, RuleProblem } from '../../src/rules/types.js';
import type { SloSpec } from '../../src/types.js';
import { alerting, buildSpec, fixtureSpecs, rolling } from '../support/build-spec.js';

function rules(spec: SloSpec, options = {}) {
  return generatePrometheusRules([spec], options).groups.flatMap((group) => group.rules);
}
function record(spec: SloSpec, name: string, options = {}): RecordingRule {
  const found = rules(spec, options).find((rule) => 'record' in rule && rule.record === name);
  if (!found) throw new Error(`no rule ${name}`);
  return found as RecordingRule;
}
function alerts(spec: SloSpec): AlertingRule[] {
  return rules(spec).filter((rule): rule is AlertingRule => 'alert' in rule);
}

describe("compat 'srekit' (default)", () => {
  const spec = buildSpec();

  it('guards every SLI denominator so zero traffic records no series instead of NaN', () => {
    const sli = rules(spec).filter(
      (r) => 'record' in r && r.record.startsWith('slo:sli_error:ratio_rate'),
    );
    expect(sli.length).toBeGreaterThan(7);
    for (const rule of sli) expect(rule.expr).toMatch(/> 0\)\n$/);
    expect(record(spec, 'slo:sli_error:ratio_rate5m').expr).toBe(
      '(sum(rate(http_requests_total{job="checkout",code=~"5.."}[5m])) or 0 * sum(rate(http_requests_total{job="checkout"}[5m])))\n/\n(sum(rate(http_requests_total{job="checkout"}[5m])) > 0)\n',
    );
  });

  it('labels with slo_* names and never sloth_*', () => {
    const text = serializeRules(generatePrometheusRules([spec]));
    expect(text).not.toMatch(/\bsloth_(id|service|slo|window|severity)\b/);
    expect(record(spec, 'slo:sli_error:ratio_rate1h').labels).toEqual({
      slo_id: 'checkout-availability',
      slo_name: 'availability',
      slo_service: 'checkout',
      slo_window: '1h',
    });
  });

  it('computes the period SLI as a ratio of increases from recorded 5m rates', () => {
    expect(record(spec, 'slo:sli_errors:rate5m').expr).toContain('[5m]');
    expect(record(spec, 'slo:sli_error:ratio_rate30d').expr).toBe(
      'sum by (slo_id) (sum_over_time(slo:sli_errors:rate5m{slo_id="checkout-availability"}[30d]))\n/ on(slo_id)\n(sum by (slo_id) (sum_over_time(slo:sli_total:rate5m{slo_id="checkout-availability"}[30d])) > 0)\n',
    );
  });

  it("offers Sloth's averaged period SLI, and uses it for raw SLIs", () => {
    const averaged = record(spec, 'slo:sli_error:ratio_rate30d', { periodSli: 'average' }).expr;
    expect(averaged).toContain(
      'count_over_time(slo:sli_error:ratio_rate5m{slo_id="checkout-availability"}[30d])',
    );
    const raw = buildSpec({
      sli: { kind: 'raw', errorRatioQuery: 'job:errors:ratio_rate{{.window}}' },
    });
    expect(record(raw, 'slo:sli_error:ratio_rate30d').expr).toContain('count_over_time');
    expect(record(raw, 'slo:sli_error:ratio_rate5m').expr).toBe('(job:errors:ratio_rate5m) >= 0');
  });

  it('joins only on slo_id, so relabelled series do not break the period rules', () => {
    const text = serializeRules(generatePrometheusRules([spec]));
    const joins = [...text.matchAll(/\bon\(([^)]*)\)/g)].map((m) => m[1]);
    expect(joins.length).toBeGreaterThan(3);
    for (const join of joins) expect(['slo_id', '']).toContain(join);
    expect(text).not.toMatch(/ignoring|group_left/);
  });

  it('records time to exhaustion from the fastest page tier and alerts on the forecast', () => {
    expect(record(spec, 'slo:time_to_exhaustion:seconds').expr).toBe(
      'clamp_min(slo:period_error_budget_remaining:ratio{slo_id="checkout-availability"}, 0)\n* on(slo_id)\n(2592 / (max by (slo_id) (slo:sli_error:ratio_rate1h{slo_id="checkout-availability"}) > 0))\n',
    );
    const forecast = alerts(spec).find((a) => a.alert === 'CheckoutAvailabilityBudgetExhaustion');
    expect(forecast?.expr).toContain('< 259200');
    expect(forecast?.labels).toMatchObject({ slo_severity: 'ticket', severity: 'warning' });
    expect(alerts(spec).map((a) => a.alert)).not.toContain(undefined);
    const none = generatePrometheusRules([spec], { exhaustionForecastSeconds: 0 });
    expect(JSON.stringify(none)).not.toContain('BudgetExhaustion');
  });

  it('writes one alert per tier with tier, severity and mixin labels and annotations', () => {
    const tierAlerts = alerts(spec).filter((a) => a.alert === 'CheckoutAvailability');
    expect(tierAlerts.map((a) => a.labels)).toEqual([
      {
        burnrate_tier: 'page-fast',
        severity: 'critical',
        slo_id: 'checkout-availability',
        slo_severity: 'page',
      },
      {
        burnrate_tier: 'page-slow',
        severity: 'critical',
        slo_id: 'checkout-availability',
        slo_severity: 'page',
      },
      {
        burnrate_tier: 'ticket-fast',
        severity: 'warning',
        slo_id: 'checkout-availability',
        slo_severity: 'ticket',
      },
      {
        burnrate_tier: 'ticket-slow',
        severity: 'warning',
        slo_id: 'checkout-availability',
        slo_severity: 'ticket',
      },
    ]);
    for (const alert of tierAlerts) {
      // One sentence: ends with a period, no sentence break inside.
      expect(alert.annotations?.summary).toMatch(/\.$/);
      expect(alert.annotations?.summary).not.toMatch(/\. /);
      expect(alert.annotations?.description).toBeTruthy();
      expect(alert.annotations?.runbook_url).toMatch(/runbooks\.md#slo-error-budget-burn$/);
    }
    expect(tierAlerts[0]?.expr).toContain(
      'slo:sli_error:ratio_rate1h{slo_id="checkout-availability"}) > (14.4 * 0.001)',
    );
    expect(tierAlerts[0]?.expr).toContain(
      'slo:sli_error:ratio_rate5m{slo_id="checkout-availability"}) > (14.4 * 0.001)',
    );
  });

  it('tunes tiers one by one: enable, for, severity label, labels, annotations, traffic guard', () => {
    const tuned = buildSpec({
      alerting: alerting({
        labels: { team: 'payments' },
        annotations: { runbook_url: 'https://example.com/rb' },
        page: { enabled: true, labels: {}, annotations: {}, severityLabel: 'page' },
        tiers: DEFAULT_ALERT_TIERS.map((tier) =>
          tier.id === 'ticket-slow'
            ? { ...tier, enabled: false }
            : tier.id === 'page-fast'
              ? { ...tier, forSeconds: 120 }
              : tier,
        ),
        minTrafficPerSecond: 0.5,
      }),
    });
    const tierAlerts = alerts(tuned).filter((a) => a.labels?.burnrate_tier);
    expect(tierAlerts.map((a) => a.labels?.burnrate_tier)).toEqual([
      'page-fast',
      'page-slow',
      'ticket-fast',
    ]);
    expect(tierAlerts[0]?.for).toBe('2m');
    expect(tierAlerts[1]?.for).toBeUndefined();
    expect(tierAlerts[0]?.labels).toMatchObject({ severity: 'page', team: 'payments' });
    expect(tierAlerts[0]?.annotations?.runbook_url).toBe('https://example.com/rb');
    expect(tierAlerts[0]?.expr).toContain(
      'sum by (slo_id) (avg_over_time(slo:sli_total:rate5m{slo_id="checkout-availability"}[1h])) >= 0.5',
    );
    expect(tierAlerts[2]?.expr).toContain('[1d])) >= 0.5');
    // The disabled tier's 3d window is no longer needed.
    expect(
      rules(tuned).some((r) => 'record' in r && r.record === 'slo:sli_error:ratio_rate3d'),
    ).toBe(false);
  });

  it('names rules after each SLO period: 28d → 4w, 7d → 1w', () => {
    expect(
      record(buildSpec({ window: rolling(28 * 86_400) }), 'slo:sli_error:ratio_rate4w').labels
        ?.slo_window,
    ).toBe('4w');
    const week = buildSpec({ window: rolling(7 * 86_400) });
    expect(record(week, 'slo:period_burn_rate:ratio').expr).toContain('ratio_rate1w');
    expect(record(week, 'slo:time_period:days').expr).toBe('vector(7)');
  });

  it('turns a latency SLI into count − bucket{le} errors', () => {
    const latency = buildSpec({
      sli: {
        kind: 'latency',
        metric: 'http_server_request_duration_seconds',
        selector: 'http_route="/orders"',
        thresholdSeconds: 0.3,
        le: '0.3',
      },
    });
    expect(record(latency, 'slo:sli_errors:rate5m').expr).toBe(
      'sum(rate(http_server_request_duration_seconds_count{http_route="/orders"}[5m])) - sum(rate(http_server_request_duration_seconds_bucket{http_route="/orders",le="0.3"}[5m])) or 0 * sum(rate(http_server_request_duration_seconds_count{http_route="/orders"}[5m]))',
    );
  });

  it('computes a calendar period over the elapsed part of the current month', () => {
    const monthly = buildSpec({
      window: {
        kind: 'calendar',
        unit: 'month',
        count: 1,
        timeZone: 'UTC',
        seconds: 30 * 86_400,
        text: '1 month (UTC)',
      },
    });
    const period = record(monthly, 'slo:sli_error:ratio_rate_month');
    expect(period.labels?.slo_window).toBe('month');
    expect(period.expr).toContain('[31d:1h]');
    expect(period.expr).toContain('@ end()');
    expect(period.expr).toContain('month(vector(time() - 3600))');
    expect(record(monthly, 'slo:time_period:days').expr).toBe('days_in_month(vector(time()))');
  });

  it('reports what it cannot generate and still generates the other SLOs', () => {
    const threshold = buildSpec({
      name: 'p99',
      sli: { kind: 'threshold', query: 'x', op: 'lt', threshold: 0.3 },
    });
    expect(() => generatePrometheusRules([spec, threshold])).toThrow(SloRulesError);
    try {
      generatePrometheusRules([threshold]);
    } catch (error) {
      expect((error as SloRulesError).code).toBe('ERR_SREKIT_SLO_RULES_UNSUPPORTED');
    }
    const problems: RuleProblem[] = [];
    const file = generatePrometheusRules([spec, threshold], { onProblem: (p) => problems.push(p) });
    expect(problems.map((p) => [p.sloId, p.field, p.severity])).toEqual([
      ['checkout-p99', 'sli.kind', 'error'],
    ]);
    expect(file.groups.map((g) => g.name)).toContain('srekit-slo-alerts-checkout-availability');
    const slices = buildSpec({
      budgetingMethod: { kind: 'timeslices', sliceSeconds: 60, sliceTarget: 0.95 },
    });
    expect(() => generatePrometheusRules([slices])).toThrow(/budgeting/);
  });

  it('rejects bad options with a stable code', () => {
    expect(() => generatePrometheusRules([spec], { compat: 'pyrra' as never })).toThrow(
      /ERR_SREKIT_SLO_RULES_INVALID_OPTION/,
    );
    expect(() => generatePrometheusRules([spec], { interval: 'often' })).toThrow(/interval/);
  });
});

describe('dashboard_url', () => {
  it('annotates every alert of an SLO with the URL the option gives, and a spec annotation wins', () => {
    const spec = buildSpec({ name: 'linked' });
    const url = (s: SloSpec) => `https://grafana.example/d/srekit-slo-${s.id}`;
    const linked = generatePrometheusRules([spec], { dashboardUrl: url })
      .groups.flatMap((g) => g.rules)
      .filter((r): r is AlertingRule => 'alert' in r);
    expect(linked.length).toBeGreaterThan(1);
    for (const alert of linked) {
      expect(alert.annotations?.dashboard_url).toBe(
        `https://grafana.example/d/srekit-slo-${spec.id}`,
      );
    }
    expect(alerts(spec).every((a) => a.annotations?.dashboard_url === undefined)).toBe(true);
    const own = buildSpec({
      name: 'own',
      alerting: { ...spec.alerting, annotations: { dashboard_url: 'https://elsewhere/d/mine' } },
    });
    const overridden = generatePrometheusRules([own], { dashboardUrl: url })
      .groups.flatMap((g) => g.rules)
      .filter((r): r is AlertingRule => 'alert' in r);
    expect(overridden.map((a) => a.annotations?.dashboard_url)).toEqual(
      overridden.map(() => 'https://elsewhere/d/mine'),
    );
  });
});

describe("compat 'sloth' limits", () => {
  it('refuses calendar windows and warns about settings Sloth ignores', () => {
    const problems: RuleProblem[] = [];
    const monthly = buildSpec({
      window: {
        kind: 'calendar',
        unit: 'month',
        count: 1,
        timeZone: 'UTC',
        seconds: 30 * 86_400,
        text: '1 month',
      },
    });
    const guarded = buildSpec({ name: 'guarded', alerting: alerting({ minTrafficPerSecond: 1 }) });
    const file = generatePrometheusRules([monthly, guarded], {
      compat: 'sloth',
      onProblem: (p) => problems.push(p),
    });
    expect(problems.map((p) => [p.sloId, p.severity, p.code])).toEqual([
      ['checkout-availability', 'error', 'ERR_SREKIT_SLO_RULES_UNSUPPORTED'],
      ['checkout-guarded', 'warning', 'ERR_SREKIT_SLO_RULES_IGNORED_SETTING'],
    ]);
    expect(file.groups.map((g) => g.name)).toEqual([
      'sloth-slo-sli-recordings-checkout-guarded',
      'sloth-slo-meta-recordings-checkout-guarded',
      'sloth-slo-alerts-checkout-guarded',
    ]);
  });
});

describe('serializeRules', () => {
  const specs = fixtureSpecs('sloth-full.yaml');

  it('is deterministic and starts with the generated-file header', () => {
    for (const compat of ['srekit', 'sloth'] as const) {
      const a = serializeRules(generatePrometheusRules(specs, { compat }));
      const b = serializeRules(generatePrometheusRules([...specs], { compat }));
      expect(a).toBe(b);
      expect(a.startsWith(GENERATED_HEADER)).toBe(true);
    }
  });

  it('round-trips through YAML with keys in Prometheus order', () => {
    const text = serializeRules(generatePrometheusRules(specs, { interval: '30s' }));
    const parsed = parse(text) as {
      groups: Array<{ name: string; interval: string; rules: object[] }>;
    };
    expect(parsed.groups[0]?.interval).toBe('30s');
    expect(Object.keys(parsed.groups[0] ?? {})).toEqual(['name', 'interval', 'rules']);
    const alert = parsed.groups.flatMap((g) => g.rules).find((r) => 'alert' in r) as object;
    expect(Object.keys(alert)).toEqual(['alert', 'expr', 'labels', 'annotations']);
    expect(text).toContain('expr: |\n');
  });
});

describe('generateInhibitRules', () => {
  it('silences the same SLO’s tickets while its page fires', () => {
    const rules = generateInhibitRules([buildSpec()]);
    expect(rules).toEqual([
      {
        source_matchers: ['slo_severity="page"'],
        target_matchers: ['slo_severity="ticket"'],
        equal: ['slo_id'],
      },
    ]);
    expect(generateInhibitRules([buildSpec()], { compat: 'sloth' })[0]?.equal).toEqual([
      'sloth_id',
    ]);
    const yaml = parse(serializeInhibitRules(rules)) as { inhibit_rules: unknown[] };
    expect(yaml.inhibit_rules).toEqual(rules);
  });

  it('writes nothing when no SLO has both a page and a ticket', () => {
    const pageOnly = buildSpec({
      alerting: alerting({ ticket: { enabled: false, labels: {}, annotations: {} } }),
    });
    expect(generateInhibitRules([pageOnly])).toEqual([]);
  });
});
