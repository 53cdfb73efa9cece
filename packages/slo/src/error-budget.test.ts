import { isSrekitError } from '@srekit/core';
import { describe, expect, it } from 'vitest';
import { errorBudget } from './error-budget.js';

describe('errorBudget (SRE Workbook ch. 5 numbers)', () => {
  it('99.9 % over 30 days: 0.001 allowed, 43.2 minutes of budget', () => {
    const budget = errorBudget({ objective: 99.9, window: '30d' });
    expect(budget.allowedErrorRatio).toBe(0.001);
    expect(budget.objectiveRatio).toBe(0.999);
    expect(budget.windowSeconds).toBe(2_592_000);
    expect(budget.budgetSeconds).toBe(2592);
    expect(budget.budgetSeconds / 60).toBe(43.2);
  });

  it('99.999 % leaves about 26 seconds a month', () => {
    expect(errorBudget({ objective: 99.999, window: '30d' }).budgetSeconds).toBeCloseTo(25.92, 10);
  });

  it('counts budget in events and what is spent', () => {
    const budget = errorBudget({ objective: '99.9', window: '30d', total: 1_000_000, bad: 250 });
    expect(budget.budgetEvents).toBe(1000);
    expect(budget.errorRatio).toBe(0.00025);
    expect(budget.consumed).toBeCloseTo(0.25, 12);
    expect(budget.remaining).toBeCloseTo(0.75, 12);
    const fromGood = errorBudget({ objective: 99.9, window: '30d', total: 1000, good: 998 });
    expect(fromGood.consumed).toBeCloseTo(2, 12);
    expect(fromGood.remaining).toBeCloseTo(-1, 12);
  });

  it('zero traffic is no data, not NaN', () => {
    const budget = errorBudget({ objective: 99.9, window: '28d', total: 0, bad: 0 });
    expect(budget.budgetEvents).toBe(0);
    for (const key of ['sli', 'errorRatio', 'consumed', 'remaining'] as const) {
      expect(budget[key]).toBeUndefined();
    }
    expect(JSON.stringify(budget)).not.toMatch(/NaN|Infinity|null/);
  });

  it('handles 28-day and 7-day periods exactly', () => {
    expect(errorBudget({ objective: 99.9, window: '28d' }).budgetSeconds).toBeCloseTo(2419.2, 9);
    expect(errorBudget({ objective: 99.95, window: '7d' }).budgetSeconds).toBe(302.4);
  });

  it('rejects impossible input with a coded error', () => {
    const cases = [
      { objective: 100, window: '30d' },
      { objective: 0, window: '30d' },
      { objective: 99.9, window: '30 days' },
      { objective: 99.9, window: '30d', total: 10, bad: 11 },
      { objective: 99.9, window: '30d', total: -1 },
    ];
    for (const input of cases) {
      let caught: unknown;
      try {
        errorBudget(input);
      } catch (error) {
        caught = error;
      }
      expect(isSrekitError(caught), JSON.stringify(input)).toBe(true);
      expect((caught as Error).message).toMatch(/Invalid argument/);
    }
  });
});
