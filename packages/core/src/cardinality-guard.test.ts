import { describe, expect, it } from 'vitest';
import { CardinalityGuard } from './cardinality-guard.js';
import { isSrekitError } from './errors.js';
import { OVERFLOW_LABEL_VALUE } from './metrics.js';

describe('CardinalityGuard', () => {
  it('admits up to the cap per metric, then folds and reports each overflow', () => {
    const overflows: string[] = [];
    const guard = new CardinalityGuard({
      maxSeriesPerMetric: 2,
      onOverflow: (m) => overflows.push(m),
    });
    expect(guard.fold('m', { a: '1' })).toEqual({ a: '1' });
    expect(guard.fold('m', { a: '2' })).toEqual({ a: '2' });
    expect(guard.fold('m', { a: '3' })).toEqual({ a: OVERFLOW_LABEL_VALUE });
    expect(guard.fold('m', { a: '1' })).toEqual({ a: '1' });
    expect(guard.fold('other', { a: '3' })).toEqual({ a: '3' });
    expect(overflows).toEqual(['m']);
    expect(guard.seriesCount('m')).toBe(2);
    guard.reset('m');
    expect(guard.fold('m', { a: '3' })).toEqual({ a: '3' });
  });

  it('tells label sets apart even when values contain separators', () => {
    const guard = new CardinalityGuard({ maxSeriesPerMetric: 10 });
    guard.fold('m', { a: 'x', b: 'y' });
    guard.fold('m', { a: 'x\u0001b', b: '' });
    expect(guard.seriesCount('m')).toBe(2);
  });

  it('refuses a cap that is not a positive integer', () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      let error: unknown;
      try {
        new CardinalityGuard({ maxSeriesPerMetric: bad });
      } catch (e) {
        error = e;
      }
      expect(isSrekitError(error)).toBe(true);
      expect(String((error as Error).message)).toContain('metrics.maxSeriesPerMetric');
    }
  });
});
