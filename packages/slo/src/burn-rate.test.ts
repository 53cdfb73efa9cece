import { describe, expect, it } from 'vitest';
import {
  alertTierTable,
  burnFactor,
  burnRate,
  burnRateFromEvents,
  detectionTime,
  timeToExhaustion,
} from './burn-rate.js';
import { DEFAULT_ALERT_TIERS } from './defaults.js';

describe('burn rates', () => {
  it('is the error ratio over the allowed ratio', () => {
    expect(burnRate(0.0144, 0.001)).toBeCloseTo(14.4, 12);
    expect(burnRate(0, 0.001)).toBe(0);
    expect(burnRateFromEvents({ bad: 6, total: 1000 }, 0.001)).toBeCloseTo(6, 12);
  });

  it('treats zero traffic as no data', () => {
    expect(burnRate(undefined, 0.001)).toBeUndefined();
    expect(burnRateFromEvents({ bad: 0, total: 0 }, 0.001)).toBeUndefined();
    expect(timeToExhaustion({ burnRate: undefined, window: '30d' })).toBeUndefined();
    expect(timeToExhaustion({ burnRate: 0, window: '30d' })).toBeUndefined();
  });

  it('pins the workbook burn factors for 30 days', () => {
    expect(burnFactor(0.02, '30d', '1h')).toBe(14.4);
    expect(burnFactor(0.05, '30d', '6h')).toBe(6);
    expect(burnFactor(0.1, '30d', '1d')).toBe(3);
    expect(burnFactor(0.1, '30d', '3d')).toBe(1);
    expect(alertTierTable('30d').map((row) => row.burnFactor)).toEqual([14.4, 6, 3, 1]);
  });

  it('scales the factors to 28 and 7 days', () => {
    const twentyEight = alertTierTable('28d').map((row) => row.burnFactor);
    expect(twentyEight.slice(0, 3)).toEqual([13.44, 5.6, 2.8]);
    expect(twentyEight[3]).toBeCloseTo(0.9333333333333, 12);
    expect(alertTierTable('4w').map((row) => row.burnFactor)).toEqual(twentyEight);
    const seven = alertTierTable('7d').map((row) => row.burnFactor);
    expect(seven[0]).toBeCloseTo(3.36, 12);
    expect(seven[1]).toBeCloseTo(1.4, 12);
    expect(seven[2]).toBeCloseTo(0.7, 12);
    expect(seven[3]).toBeCloseTo(0.2333333333333, 12);
  });

  it('computes the calendar-month table from its nominal length', () => {
    const month = {
      kind: 'calendar',
      unit: 'month',
      count: 1,
      timeZone: 'UTC',
      seconds: 2_592_000,
      text: '1 month',
    } as const;
    expect(alertTierTable(month).map((row) => row.burnFactor)).toEqual([14.4, 6, 3, 1]);
  });

  it('gives the workbook exhaustion times: 50 h, 5 d, 10 d, 30 d', () => {
    const hours = alertTierTable('30d').map((row) => row.exhaustsBudgetInSeconds / 3600);
    expect(hours[0]).toBeCloseTo(50, 9);
    expect(hours[1]).toBeCloseTo(120, 9);
    expect(hours[2]).toBeCloseTo(240, 9);
    expect(hours[3]).toBeCloseTo(720, 9);
    expect(timeToExhaustion({ burnRate: 6, window: '30d' })).toBe(432_000);
    expect(timeToExhaustion({ burnRate: 2, window: '30d', budgetRemaining: 0.5 })).toBe(648_000);
    expect(timeToExhaustion({ burnRate: 2, window: '30d', budgetRemaining: -0.1 })).toBe(0);
  });

  it('knows when a tier can never fire (the 90 % case) and how fast an outage is caught', () => {
    const ninety = alertTierTable('30d', { objective: 90 });
    expect(ninety[0]?.errorRatioThreshold).toBeCloseTo(1.44, 12);
    expect(ninety[0]?.reachable).toBe(false);
    expect(ninety[0]?.detectionSeconds).toBeUndefined();
    expect(ninety[3]?.reachable).toBe(true);
    const three = alertTierTable('30d', { objective: 99.9 });
    // 14.4 × 0.001 of an hour: a full outage pages after about 52 s.
    expect(three[0]?.detectionSeconds).toBeCloseTo(51.84, 9);
    const five = alertTierTable('30d', { objective: 99.999 });
    expect(five[0]?.detectionSeconds).toBeCloseTo(0.5184, 9);
    const firstTier = DEFAULT_ALERT_TIERS[0];
    if (!firstTier) throw new Error('no default tiers');
    expect(detectionTime(firstTier, 14.4, 0.001, 0.5)).toBeCloseTo(103.68, 9);
    expect(detectionTime(firstTier, 14.4, 0.1, 1)).toBeUndefined();
  });

  it('never returns NaN or Infinity', () => {
    for (const rate of [0, 1e-300, 1e300, undefined]) {
      const value = timeToExhaustion({ burnRate: rate, window: '30d' });
      if (value !== undefined) expect(Number.isFinite(value)).toBe(true);
    }
  });
});
