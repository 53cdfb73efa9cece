import { describe, expect, it } from 'vitest';
import { fakePrometheus, sloSeries } from '../../test/fake-prometheus.js';
import { testSpec } from '../../test/gate-specs.js';
import { SLO_ERROR_CODES } from '../errors.js';
import type { SloSpec } from '../types.js';
import { collectSloData, defaultBurnRateWindow, sloSeriesQuery } from './collect.js';

const checkout = testSpec();
const search = testSpec({ service: 'search', name: 'latency', objective: 99 });

function noNaN(value: unknown): void {
  const text = JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'number' && !Number.isFinite(v) ? `BAD:${v}` : v,
  );
  expect(text).not.toContain('BAD:');
}

describe('sloSeriesQuery', () => {
  it('selects every slo:* series of the SLOs by id, escaping regex characters', () => {
    expect(sloSeriesQuery(['checkout-availability', 'a.b'], 'srekit')).toBe(
      '{__name__=~"slo:.+",slo_id=~"checkout-availability|a\\\\.b"}',
    );
    expect(sloSeriesQuery(['x'], 'sloth')).toBe('{__name__=~"slo:.+",sloth_id=~"x"}');
  });
});

describe('defaultBurnRateWindow', () => {
  it('is the shortest long window of the enabled page tiers', () => {
    expect(defaultBurnRateWindow(checkout)).toBe('1h');
    const slowOnly = testSpec({
      tiers: checkout.alerting.tiers.map((t) =>
        t.id === 'page-fast' ? { ...t, enabled: false } : t,
      ),
    });
    expect(defaultBurnRateWindow(slowOnly)).toBe('6h');
    expect(defaultBurnRateWindow(testSpec({ tiers: [] }))).toBe('1h');
    const noPage: SloSpec = {
      ...slowOnly,
      alerting: { ...slowOnly.alerting, page: { ...slowOnly.alerting.page, enabled: false } },
    };
    expect(defaultBurnRateWindow(noPage)).toBe('1h');
    const reordered = testSpec({ tiers: [...checkout.alerting.tiers].reverse() });
    expect(defaultBurnRateWindow(reordered)).toBe('1h');
  });
});

describe('collectSloData from Prometheus', () => {
  it('reads budget, SLI, burn rates per window, tiers and the forecast rule', async () => {
    const { fetch, requests } = fakePrometheus(
      sloSeries('checkout-availability', {
        errorRatios: {
          '5m': '0.02',
          '30m': '0.007',
          '1h': '0.0150',
          '6h': '0.004',
          '30d': '0.0005',
        },
        errorBudget: '0.001',
        budgetRemaining: '0.5',
        timeToExhaustion: '86400',
      }),
    );
    const at = new Date('2024-05-01T12:00:00Z');
    const data = await collectSloData([checkout], {
      prometheus: 'http://prom:9090',
      fetch,
      time: at,
    });
    expect(requests).toHaveLength(1);
    expect(requests[0]?.body.get('time')).toBe(String(at.getTime() / 1000));
    expect(data.at).toBe(at);
    expect(data.source).toBe('Prometheus at http://prom:9090');
    const slo = data.slos[0];
    expect(slo).toMatchObject({
      sloId: 'checkout-availability',
      status: 'ok',
      objective: 99.9,
      allowedErrorRatio: 0.001,
      period: '30d',
      budgetSeconds: 2592,
      budgetRemaining: 0.5,
      errorRatio: 0.0005,
      sli: 0.9995,
      timeToExhaustionSeconds: 86400,
      forecastBasis: 'slo:time_to_exhaustion:seconds',
      warnings: [],
    });
    expect(slo?.burnRates).toEqual({
      '5m': 20,
      '30m': 7,
      '1h': 15,
      '2h': undefined,
      '6h': 4,
      '1d': undefined,
      '3d': undefined,
      '30d': 0.5,
    });
    expect(slo?.windows.map((w) => w.window)).toEqual([
      '5m',
      '30m',
      '1h',
      '2h',
      '6h',
      '1d',
      '3d',
      '30d',
    ]);
    expect(slo?.tiers.map((t) => [t.id, t.burnFactor, t.firing])).toEqual([
      ['page-fast', 14.4, true],
      ['page-slow', 6, false],
      ['ticket-fast', 3, undefined],
      ['ticket-slow', 1, undefined],
    ]);
  });

  it('never fires the tiers of a disabled alert', async () => {
    const { fetch } = fakePrometheus(
      sloSeries('checkout-availability', { errorRatios: { '5m': '0.5', '1h': '0.5' } }),
    );
    const quiet: SloSpec = {
      ...checkout,
      alerting: { ...checkout.alerting, page: { ...checkout.alerting.page, enabled: false } },
    };
    const data = await collectSloData([quiet], { prometheus: 'http://p', fetch });
    expect(data.slos[0]?.tiers[0]).toMatchObject({
      id: 'page-fast',
      enabled: false,
      firing: false,
    });
  });

  it('forecasts from the 1h burn rate when the rules have no exhaustion series (Sloth)', async () => {
    const { fetch } = fakePrometheus(
      sloSeries(
        'checkout-availability',
        {
          errorRatios: { '1h': '0.006', '30d': '0.0005' },
          errorBudget: '0.001',
          budgetRemaining: '0.5',
        },
        'sloth_id',
      ),
    );
    const data = await collectSloData([checkout], {
      prometheus: 'http://prom:9090',
      compat: 'sloth',
      fetch,
    });
    // Half a 30-day budget at 6×: 0.5 × 30 d ÷ 6 = 2.5 days.
    expect(data.slos[0]?.timeToExhaustionSeconds).toBe(2.5 * 86_400);
    expect(data.slos[0]?.forecastBasis).toBe('1h');
  });

  it('tells zero traffic (NaN) from missing rules, with no NaN anywhere', async () => {
    const { fetch } = fakePrometheus(
      sloSeries('checkout-availability', {
        errorRatios: { '5m': 'NaN', '1h': 'NaN', '30d': 'NaN' },
        errorBudget: '0.001',
        budgetRemaining: 'NaN',
        timeToExhaustion: '+Inf',
      }),
    );
    const data = await collectSloData([checkout, search], { prometheus: 'http://p', fetch });
    expect(data.slos.map((s) => s.status)).toEqual(['no-traffic', 'no-rules']);
    expect(data.slos[0]?.budgetRemaining).toBeUndefined();
    expect(data.slos[0]?.sli).toBeUndefined();
    expect(data.slos[0]?.timeToExhaustionSeconds).toBeUndefined();
    expect(data.slos[0]?.tiers.every((t) => t.firing === undefined)).toBe(true);
    noNaN(data);
  });

  it('falls back to the period SLI when the budget series is absent', async () => {
    const { fetch } = fakePrometheus(
      sloSeries('search-latency', { errorRatios: { '30d': '0.02' } }),
    );
    const data = await collectSloData([search], { prometheus: 'http://p', fetch });
    // 99 % allows 0.01; a 2 % error ratio has spent twice the budget.
    expect(data.slos[0]?.budgetRemaining).toBe(-1);
    expect(data.slos[0]?.timeToExhaustionSeconds).toBe(0);
  });

  it('warns when the loaded rules disagree with the spec, or a series is duplicated', async () => {
    const series = [
      ...sloSeries('checkout-availability', { errorBudget: '0.0005', budgetRemaining: '0.9' }),
      ...sloSeries('checkout-availability', { budgetRemaining: '0.7' }),
    ];
    const { fetch } = fakePrometheus(series);
    const data = await collectSloData([checkout], { prometheus: 'http://p', fetch });
    expect(data.slos[0]?.budgetRemaining).toBe(0.7);
    expect(data.slos[0]?.warnings).toEqual([
      expect.stringContaining(
        'the loaded rules are older than the spec; regenerate and reload them',
      ),
      expect.stringContaining(
        '2 series of slo:period_error_budget_remaining:ratio carry slo_id="checkout-availability"; the lowest value is used',
      ),
    ]);
  });
});

describe('collectSloData for a calendar month', () => {
  const monthly: SloSpec = {
    ...checkout,
    window: {
      kind: 'calendar',
      unit: 'month',
      count: 1,
      timeZone: 'UTC',
      seconds: 30 * 86_400,
      text: '1 month (UTC)',
    },
  };

  it('reads the period from the unit-named srekit rule', async () => {
    const { fetch } = fakePrometheus(
      sloSeries('checkout-availability', {
        errorRatios: { '1h': '0', _month: '0.00025' },
        budgetRemaining: '0.75',
      }),
    );
    const data = await collectSloData([monthly], { prometheus: 'http://p', fetch });
    expect(data.slos[0]).toMatchObject({
      period: 'month',
      periodText: '1 month (UTC)',
      errorRatio: 0.00025,
      budgetRemaining: 0.75,
    });
    expect(data.slos[0]?.burnRates.month).toBe(0.25);
  });

  it('reads the 30d rule in sloth mode', async () => {
    const { fetch } = fakePrometheus(
      sloSeries('checkout-availability', { errorRatios: { '30d': '0.0005' } }, 'sloth_id'),
    );
    const data = await collectSloData([monthly], {
      prometheus: 'http://p',
      compat: 'sloth',
      fetch,
    });
    expect(data.slos[0]?.budgetRemaining).toBe(0.5);
  });
});

describe('collectSloData from a results file', () => {
  it('computes the numbers with the same math as the rules', async () => {
    const data = await collectSloData([checkout, search], {
      results: {
        generatedAt: '2024-05-01T12:00:00Z',
        slos: {
          'checkout-availability': {
            good: 99_950,
            total: 100_000,
            windows: { '60m': { bad: 72, total: 5_000 }, '5m': { good: 500, total: 500 } },
          },
          'search-typo': { good: 1, total: 1 },
        },
      },
    });
    expect(data.kind).toBe('results');
    expect(data.at.toISOString()).toBe('2024-05-01T12:00:00.000Z');
    expect(data.warnings).toEqual([
      expect.stringContaining('"search-typo", which no spec defines'),
    ]);
    const [slo, missing] = data.slos;
    expect(slo).toMatchObject({
      status: 'ok',
      events: { good: 99_950, total: 100_000 },
      forecastBasis: '1h',
    });
    expect(slo?.budgetRemaining).toBeCloseTo(0.5, 12);
    expect(slo?.sli).toBeCloseTo(0.9995, 12);
    expect(slo?.burnRates['1h']).toBeCloseTo(14.4, 9);
    expect(slo?.burnRates['5m']).toBe(0);
    expect(slo?.burnRates['30d']).toBeCloseTo(0.5, 9);
    // Half the budget left at 14.4×: 0.5 × 720 h ÷ 14.4 = 25 h.
    expect(slo?.timeToExhaustionSeconds).toBeCloseTo(25 * 3_600, 6);
    expect(slo?.tiers.find((t) => t.id === 'page-fast')?.firing).toBe(false);
    expect(missing?.status).toBe('not-in-results');
    noNaN(data);
  });

  it('reports zero traffic as no data and forecasts from the whole run without windows', async () => {
    const data = await collectSloData([checkout, search], {
      results: {
        slos: {
          'checkout-availability': { good: 0, total: 0 },
          'search-latency': { bad: 2, total: 100 },
        },
      },
    });
    expect(data.slos[0]?.status).toBe('no-traffic');
    expect(data.slos[0]?.budgetRemaining).toBeUndefined();
    noNaN(data);
    expect(data.slos[1]?.forecastBasis).toBe('30d');
    expect(data.slos[1]?.timeToExhaustionSeconds).toBe(0);
  });

  it('validates a results object passed directly', async () => {
    await expect(
      collectSloData([checkout], { results: { slos: { x: { good: 5, total: 1 } } } }),
    ).rejects.toMatchObject({
      code: SLO_ERROR_CODES.GATE_SOURCE,
      message: expect.stringContaining('$.slos.x.good: good (5) is greater than total (1)'),
    });
  });
});
