import { describe, expect, it } from 'vitest';
import { DEFAULT_ALERT_TIERS } from '../../src/defaults.js';
import { SLO_ERROR_CODES } from '../../src/errors.js';
import { checkSloSpecs } from '../../src/spec/parse-specs.js';
import { checkFixture, fixture, where } from './helpers.js';

describe('Sloth prometheus/v1: sloth-full.yaml', () => {
  const result = checkFixture('sloth-full.yaml');

  it('reads every SLO without problems', () => {
    expect(result.problems).toEqual([]);
    expect(result.slos.map((slo) => slo.id)).toEqual([
      'myservice-requests-availability',
      'myservice-requests-latency',
      'myservice-queue-processing',
    ]);
  });

  it('normalises an events SLO with spec labels first, then SLO labels', () => {
    const [slo] = result.slos;
    expect(slo).toMatchObject({
      service: 'myservice',
      name: 'requests-availability',
      description: 'Common SLO based on availability for HTTP request responses.',
      objective: 99.9,
      objectiveText: '99.9',
      window: { kind: 'rolling', seconds: 30 * 86_400, text: '30d' },
      budgetingMethod: { kind: 'occurrences' },
      sli: {
        kind: 'events',
        errorQuery:
          'sum(rate(http_request_duration_seconds_count{job="myservice",code=~"(5..|429)"}[{{.window}}]))',
        totalQuery: 'sum(rate(http_request_duration_seconds_count{job="myservice"}[{{.window}}]))',
      },
      source: { format: 'sloth', location: { file: 'sloth-full.yaml', line: 11, column: 5 } },
    });
    expect(Object.entries(slo?.labels ?? {})).toEqual([
      ['owner', 'myteam'],
      ['repo', 'myorg/myservice'],
      ['tier', '2'],
      ['category', 'availability'],
    ]);
  });

  it('keeps alert names, labels and annotations; Sloth sets no severity label of its own', () => {
    const alerting = result.slos[0]?.alerting;
    expect(alerting).toMatchObject({
      name: 'MyServiceHighErrorRate',
      labels: { category: 'availability' },
      annotations: { summary: "High error rate on 'myservice' requests responses" },
      page: { enabled: true, labels: { severity: 'pageteam', routing_key: 'myteam' } },
      ticket: { enabled: true, labels: { severity: 'slack', slack_channel: '#alerts-myteam' } },
      minTrafficPerSecond: 0,
    });
    expect(alerting?.page.severityLabel).toBeUndefined();
    expect(alerting?.tiers).toEqual(DEFAULT_ALERT_TIERS);
  });

  it('turns off the tiers of a disabled alert', () => {
    const latency = result.slos[1];
    expect(latency?.alerting.ticket.enabled).toBe(false);
    expect(latency?.alerting.tiers.map((tier) => [tier.id, tier.enabled])).toEqual([
      ['page-fast', true],
      ['page-slow', true],
      ['ticket-fast', false],
      ['ticket-slow', false],
    ]);
  });

  it('reads a raw SLI, and needs no alert name when both alerts are disabled', () => {
    const queue = result.slos[2];
    expect(queue?.sli.kind).toBe('raw');
    expect(queue?.objectiveText).toBe('99.5');
    expect(queue?.alerting.page.enabled).toBe(false);
    expect(queue?.alerting.ticket.enabled).toBe(false);
    expect(queue?.alerting.name).toBe('MyserviceQueueProcessing');
  });
});

describe('Sloth prometheus/v1: sloth-bad.yaml', () => {
  const result = checkFixture('sloth-bad.yaml');

  it('reports every error of the file at once, each at its line and column', () => {
    expect(where(result.problems)).toEqual([
      '13:5 SPEC_UNKNOWN_FIELD slos[1].objectve',
      '14:16 SPEC_OBJECTIVE slos[1].objective',
      '17:22 SPEC_WINDOW_PLACEHOLDER slos[1].sli.events.error_query',
      '18:64 SPEC_PROMQL slos[1].sli.events.total_query',
      '24:7 SPEC_UNSUPPORTED slos[2].sli.plugin',
      '32:105 SPEC_PROMQL slos[3].sli.raw.error_ratio_query',
      '33:5 SPEC_INVALID_FIELD slos[3].alerting.name',
      '36:11 SPEC_INVALID_FIELD slos[3].alerting.page_alert.labels.team-name',
    ]);
    expect(result.problems.every((problem) => problem.severity === 'error')).toBe(true);
  });

  it('keeps the good SLO when the others are bad', () => {
    expect(result.slos.map((slo) => slo.id)).toEqual(['checkout-good-one']);
  });

  it('suggests the field that was meant and lists the allowed ones', () => {
    const unknown = result.problems.find(
      (problem) => problem.code === SLO_ERROR_CODES.SPEC_UNKNOWN_FIELD,
    );
    expect(unknown?.message).toBe('unknown field `objectve`');
    expect(unknown?.fix).toMatch(
      /^Did you mean `objective`\? Fields allowed here: name, objective,/,
    );
  });

  it('says plainly that plugins are not supported', () => {
    const plugin = result.problems.find((problem) => problem.field === 'slos[2].sli.plugin');
    expect(plugin?.message).toBe('Sloth SLI plugins are not supported by srekit');
    expect(plugin?.fix).toContain('sli.events');
  });

  it('every problem has a message and a fix sentence', () => {
    for (const problem of result.problems) {
      expect(problem.message.length).toBeGreaterThan(0);
      expect(problem.fix).toMatch(/[.?]$/);
    }
  });
});

describe('Sloth prometheus/v1: rules taken from Sloth', () => {
  const base = fixture('sloth-full.yaml');

  it('names must start and end with a letter or digit', () => {
    const result = checkSloSpecs(base.replace("service: 'myservice'", "service: '-myservice'"));
    expect(where(result.problems)).toEqual(['4:10 SPEC_INVALID_FIELD service']);
    expect(result.slos).toEqual([]);
  });

  it('needs at least one SLO', () => {
    const result = checkSloSpecs('version: prometheus/v1\nservice: a1\nslos: []\n');
    expect(where(result.problems)).toEqual(['3:7 SPEC_INVALID_FIELD slos']);
  });

  it('rejects an events SLI whose two queries are the same', () => {
    const text = `version: prometheus/v1
service: svc
slos:
  - name: same
    objective: 99
    sli:
      events:
        error_query: sum(rate(x[{{.window}}]))
        total_query: sum(rate(x[{{.window}}]))
    alerting:
      name: Same
`;
    expect(where(checkSloSpecs(text).problems)).toEqual([
      '9:22 SPEC_INVALID_FIELD slos[0].sli.events.total_query',
    ]);
  });

  it('wants {{.window}} in raw queries too, as Sloth does', () => {
    const text = `version: prometheus/v1
service: svc
slos:
  - name: raw
    objective: 99
    sli:
      raw:
        error_ratio_query: slo:errors:ratio_rate5m
    alerting:
      name: Raw
`;
    expect(where(checkSloSpecs(text).problems)).toEqual([
      '8:28 SPEC_WINDOW_PLACEHOLDER slos[0].sli.raw.error_ratio_query',
    ]);
  });

  it('accepts Sloth’s infoLabels and interval with a warning that srekit ignores them', () => {
    const text = base.replace(
      "    description: 'Common SLO",
      "    infoLabels:\n      owner: x\n    interval:\n      all: 1m\n    description: 'Common SLO",
    );
    const result = checkSloSpecs(text);
    expect(result.slos).toHaveLength(3);
    expect(
      result.problems.map((problem) => [problem.severity, problem.code, problem.field]),
    ).toEqual([
      ['warning', SLO_ERROR_CODES.SPEC_UNSUPPORTED, 'slos[0].infoLabels'],
      ['warning', SLO_ERROR_CODES.SPEC_UNSUPPORTED, 'slos[0].interval'],
    ]);
  });

  it('keeps the objective exactly as written', () => {
    const result = checkSloSpecs(base.replace('objective: 99.9\n', 'objective: 99.90\n'));
    expect(result.slos[0]?.objectiveText).toBe('99.9');
    const precise = checkSloSpecs(base.replace('objective: 99.9\n', 'objective: 99.950\n'));
    expect(precise.slos[0]?.objectiveText).toBe('99.95');
  });

  it('reads JSON as well', () => {
    const json = JSON.stringify(
      {
        version: 'prometheus/v1',
        service: 'api',
        slos: [
          {
            name: 'availability',
            objective: 99.5,
            sli: {
              raw: { error_ratio_query: 'sum(rate(e[{{.window}}]))/sum(rate(t[{{.window}}]))' },
            },
            alerting: { name: 'ApiAvailability' },
          },
        ],
      },
      null,
      2,
    );
    const result = checkSloSpecs(json, { filename: 'slos.json' });
    expect(result.problems).toEqual([]);
    expect(result.slos.map((slo) => slo.id)).toEqual(['api-availability']);
  });
});
