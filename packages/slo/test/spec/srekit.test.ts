import { describe, expect, it } from 'vitest';
import { DEFAULT_ALERT_TIERS } from '../../src/defaults.js';
import { checkSloSpecs } from '../../src/spec/parse-specs.js';
import { checkFixture, fixture, where } from './helpers.js';

describe('srekit/v1: srekit-full.yaml', () => {
  const result = checkFixture('srekit-full.yaml');
  const [availability, latency, queue] = result.slos;

  it('reads every SLO without problems', () => {
    expect(result.problems).toEqual([]);
    expect(result.slos.map((slo) => [slo.id, slo.source.format])).toEqual([
      ['checkout-availability', 'srekit'],
      ['checkout-latency', 'srekit'],
      ['checkout-queue', 'srekit'],
    ]);
  });

  it('takes the spec window unless the SLO has its own', () => {
    expect(availability?.window).toEqual({ kind: 'rolling', seconds: 28 * 86_400, text: '4w' });
    expect(queue?.window).toEqual({ kind: 'rolling', seconds: 7 * 86_400, text: '1w' });
  });

  it('reads a calendar window with its time zone', () => {
    expect(latency?.window).toEqual({
      kind: 'calendar',
      unit: 'month',
      count: 1,
      timeZone: 'Europe/Berlin',
      seconds: 30 * 86_400,
      text: '1 month (Europe/Berlin)',
    });
  });

  it('reads good-event queries', () => {
    expect(availability?.sli).toEqual({
      kind: 'good-events',
      goodQuery: 'sum(rate(http_requests_total{code!~"5.."}[{{.window}}]))',
      totalQuery: 'sum(rate(http_requests_total[{{.window}}]))',
    });
  });

  it('reads a latency SLI with the le text Prometheus writes', () => {
    expect(latency?.sli).toEqual({
      kind: 'latency',
      metric: 'http_server_request_duration_seconds',
      selector: 'http_route="/orders",http_request_method="POST"',
      thresholdSeconds: 0.3,
      le: '0.3',
    });
  });

  it('tunes, disables and adds tiers', () => {
    const tiers = availability?.alerting.tiers ?? [];
    expect(tiers.map((tier) => tier.id)).toEqual([
      'page-fast',
      'page-slow',
      'ticket-fast',
      'ticket-slow',
      'page-faster',
    ]);
    expect(tiers[0]).toEqual({ ...DEFAULT_ALERT_TIERS[0], forSeconds: 120 });
    expect(tiers[3]?.enabled).toBe(false);
    expect(tiers[4]).toEqual({
      id: 'page-faster',
      severity: 'page',
      budgetFraction: 0.01,
      longWindowSeconds: 1_800,
      shortWindowSeconds: 300,
      enabled: true,
      forSeconds: 0,
    });
  });

  it('sets severity labels (given, from the alert labels, or the defaults) and the traffic guard', () => {
    expect(availability?.alerting.page.severityLabel).toBe('page');
    expect(availability?.alerting.ticket.severityLabel).toBe('info');
    expect(latency?.alerting.page.severityLabel).toBe('critical');
    expect(latency?.alerting.ticket.severityLabel).toBe('warning');
    expect(availability?.alerting.minTrafficPerSecond).toBe(0.5);
    expect(latency?.alerting.minTrafficPerSecond).toBe(0);
  });

  it('generates an alert name when none is given', () => {
    expect(latency?.alerting.name).toBe('CheckoutLatency');
  });
});

describe('srekit/v1: srekit-bad.yaml', () => {
  const result = checkFixture('srekit-bad.yaml');

  it('reports every error at once at its place', () => {
    expect(where(result.problems)).toEqual([
      '7:13 SPEC_WINDOW slos[0].window',
      '10:20 SPEC_INVALID_FIELD slos[0].sli.latency.histogram',
      '11:20 SPEC_INVALID_FIELD slos[0].sli.latency.threshold',
      '15:17 SPEC_INVALID_FIELD slos[1].window.calendar',
      '16:18 SPEC_WINDOW slos[1].window.time_zone',
      '20:9 SPEC_INVALID_FIELD slos[1].sli.events.good_query',
      '29:9 SPEC_UNKNOWN_FIELD slos[2].alerting.tiers.page-fats',
      '33:25 SPEC_WINDOW slos[2].alerting.tiers.ticket-fast.short_window',
      '35:25 SPEC_WINDOW slos[2].alerting.tiers.ticket-slow.short_window',
      '36:16 SPEC_WINDOW slos[2].alerting.tiers.ticket-slow.for',
    ]);
    expect(result.slos).toEqual([]);
  });

  it('suggests the calendar unit and the tier that were meant', () => {
    const fixes = result.problems.map((problem) => problem.fix);
    expect(fixes).toContain('Did you mean `month`?');
    expect(fixes.some((fix) => fix.startsWith('Did you mean `page-fast`?'))).toBe(true);
  });
});

describe('srekit/v1 as a superset of Sloth', () => {
  it('reads a Sloth file with only the version changed', () => {
    const sloth = checkFixture('sloth-full.yaml');
    const text = fixture('sloth-full.yaml').replace(
      "version: 'prometheus/v1'",
      'version: srekit/v1',
    );
    const srekit = checkSloSpecs(text, { filename: 'sloth-full.yaml' });
    expect(srekit.problems).toEqual([]);
    const strip = (slos: typeof sloth.slos) =>
      slos.map((slo) => ({
        ...slo,
        source: { ...slo.source, format: 'x' },
        alerting: {
          ...slo.alerting,
          page: { ...slo.alerting.page, severityLabel: undefined },
          ticket: { ...slo.alerting.ticket, severityLabel: undefined },
        },
      }));
    expect(strip(srekit.slos)).toEqual(strip(sloth.slos));
    expect(srekit.slos[0]?.alerting.page.severityLabel).toBe('pageteam');
  });

  it('rejects srekit fields in a Sloth file', () => {
    const text = `version: prometheus/v1
service: svc
slos:
  - name: one
    objective: 99
    window: 7d
    sli:
      raw:
        error_ratio_query: sum(rate(e[{{.window}}]))
    alerting:
      name: One
`;
    expect(where(checkSloSpecs(text).problems)).toEqual(['6:5 SPEC_UNKNOWN_FIELD slos[0].window']);
  });
});

describe('srekit/v1 windows and the evaluation interval', () => {
  const spec = (window: string, extra = '') => `version: srekit/v1
service: svc
${extra}slos:
  - name: one
    objective: 99
    window: ${window}
    sli:
      raw:
        error_ratio_query: sum(rate(e[{{.window}}]))
`;

  it('needs windows on the evaluation step', () => {
    expect(where(checkSloSpecs(spec('30d')).problems)).toEqual([]);
    expect(
      where(checkSloSpecs(spec('30d'), { evaluationIntervalSeconds: 7 * 86_400 }).problems),
    ).toEqual(['6:13 SPEC_WINDOW slos[0].window']);
  });

  it('honours the spec’s evaluation_interval', () => {
    const result = checkSloSpecs(spec('30d', 'evaluation_interval: 7d\n'));
    expect(result.problems[0]?.message).toBe(
      '`30d` is not a multiple of the evaluation interval 1w',
    );
  });

  it('reports a derived short window that falls off the step', () => {
    const text = `version: srekit/v1
service: svc
slos:
  - name: one
    objective: 99
    sli:
      raw:
        error_ratio_query: sum(rate(e[{{.window}}]))
    alerting:
      tiers:
        page-fast:
          long_window: 1h1m
`;
    expect(where(checkSloSpecs(text).problems)).toEqual([
      '12:24 SPEC_WINDOW slos[0].alerting.tiers.page-fast.long_window',
    ]);
  });

  it('rejects tiers that look back further than the window', () => {
    const result = checkSloSpecs(spec('1d'));
    expect(where(result.problems)).toEqual(['6:13 SPEC_WINDOW slos[0].window']);
    expect(result.problems[0]?.message).toContain('ticket-slow');
  });

  it('throws on a bad evaluationIntervalSeconds option', () => {
    expect(() => checkSloSpecs(spec('30d'), { evaluationIntervalSeconds: 0 })).toThrow(
      /ERR_SREKIT_SLO_INVALID_ARGUMENT/,
    );
  });
});
