import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { generatePrometheusRules } from '../../src/rules/generate.js';
import { serializeRules } from '../../src/rules/serialize.js';
import type { PrometheusRuleFile, Rule } from '../../src/rules/types.js';
import { buildSpec, fixtureSpecs } from '../support/build-spec.js';

const expected = parse(
  readFileSync(new URL('../fixtures/rules/sloth-full.expected.yaml', import.meta.url), 'utf8'),
) as PrometheusRuleFile;

function ruleKey(rule: Rule): string {
  return 'alert' in rule
    ? `alert ${rule.alert} ${rule.labels?.sloth_severity}`
    : `record ${rule.record}`;
}

describe("compat 'sloth' reproduces Sloth v0.16", () => {
  const file = parse(
    serializeRules(generatePrometheusRules(fixtureSpecs('sloth-full.yaml'), { compat: 'sloth' })),
  ) as PrometheusRuleFile;

  it('writes the same groups in the same order', () => {
    expect(file.groups.map((group) => group.name)).toEqual(
      expected.groups.map((group) => group.name),
    );
  });

  for (const [index, group] of expected.groups.entries()) {
    describe(group.name, () => {
      it('has the same rules in the same order', () => {
        expect(file.groups[index]?.rules.map(ruleKey)).toEqual(group.rules.map(ruleKey));
      });
      for (const [position, rule] of group.rules.entries()) {
        it(`${ruleKey(rule)} (#${position + 1}) matches expression, labels and annotations`, () => {
          expect(file.groups[index]?.rules[position]).toEqual(rule);
        });
      }
    });
  }
});

describe("compat 'sloth' against Sloth's own unit-test expectations", () => {
  // The SLO of internal/plugin/slo/core/sli_rules_v1/plugin_test.go (baseSLO): id "test",
  // service "test-svc", name "test-name", label kind=test, 30d, workbook windows.
  const base = buildSpec({
    id: 'test',
    service: 'test-svc',
    name: 'test-name',
    labels: { kind: 'test' },
    sli: {
      kind: 'events',
      errorQuery: 'rate(my_metric[{{.window}}]{error="true"})',
      totalQuery: 'rate(my_metric[{{.window}}])',
    },
  });
  const sliRules = (spec = base) =>
    generatePrometheusRules([spec], { compat: 'sloth' }).groups[0]?.rules ?? [];

  it('events SLI: `(error)\\n/\\n(total)\\n` per window, then the optimised 30d average', () => {
    const rules = sliRules();
    expect(rules.map((rule) => ('record' in rule ? rule.record : ''))).toEqual(
      ['5m', '30m', '1h', '2h', '6h', '1d', '3d', '30d'].map((w) => `slo:sli_error:ratio_rate${w}`),
    );
    expect(rules[0]).toEqual({
      record: 'slo:sli_error:ratio_rate5m',
      expr: '(rate(my_metric[5m]{error="true"}))\n/\n(rate(my_metric[5m]))\n',
      labels: {
        kind: 'test',
        sloth_id: 'test',
        sloth_service: 'test-svc',
        sloth_slo: 'test-name',
        sloth_window: '5m',
      },
    });
    expect(rules[7]?.expr).toBe(
      'sum_over_time(slo:sli_error:ratio_rate5m{sloth_id="test", sloth_service="test-svc", sloth_slo="test-name"}[30d])\n/ ignoring (sloth_window)\ncount_over_time(slo:sli_error:ratio_rate5m{sloth_id="test", sloth_service="test-svc", sloth_slo="test-name"}[30d])\n',
    );
  });

  it('raw SLI: the query in parentheses, no trailing newline', () => {
    const rules = sliRules({
      ...base,
      sli: { kind: 'raw', errorRatioQuery: 'rate(my_metric[{{.window}}])' },
    });
    expect(rules[1]?.expr).toBe('(rate(my_metric[30m]))');
  });

  it('28-day period: windows from google-28d.yaml, burn factors 13.44 / 5.6 / 2.8 / 0.9333…', () => {
    const spec = buildSpec({ window: { kind: 'rolling', seconds: 28 * 86_400, text: '28d' } });
    const file = generatePrometheusRules([spec], { compat: 'sloth' });
    const names = file.groups
      .flatMap((g) => g.rules)
      .map((r) => ('record' in r ? r.record : r.alert));
    expect(names).toContain('slo:sli_error:ratio_rate4w');
    const meta = file.groups[1]?.rules.find(
      (r) => 'record' in r && r.record === 'slo:time_period:days',
    );
    expect(meta?.expr).toBe('vector(28)');
    const alerts = file.groups[2]?.rules.map((r) => r.expr).join('\n') ?? '';
    for (const factor of ['13.44', '5.6', '2.8', '0.9333333333333'])
      expect(alerts).toContain(`(${factor}`);
  });
});
