import { describe, expect, it } from 'vitest';
import {
  allowedErrorRatio,
  errorRatioText,
  formatNumber,
  objectiveRatio,
  objectiveText,
} from './decimal.js';

describe('exact objective decimals', () => {
  it('computes the allowed error ratio without binary drift', () => {
    expect(100 - 99.9).not.toBe(0.1); // the drift this module exists to avoid
    expect(allowedErrorRatio(99.9)).toBe(0.001);
    expect(allowedErrorRatio('99.95')).toBe(0.0005);
    expect(allowedErrorRatio(99.999)).toBe(0.00001);
    expect(allowedErrorRatio(90)).toBe(0.1);
    expect(errorRatioText('99.99')).toBe('0.0001');
    expect(errorRatioText(99.5)).toBe('0.005');
  });

  it('normalises objective text and ratios', () => {
    expect(objectiveText('99.90')).toBe('99.9');
    expect(objectiveText(99)).toBe('99');
    expect(objectiveRatio(99.9)).toBe(0.999);
    expect(objectiveRatio('99.95')).toBe(0.9995);
  });

  it('rejects objectives outside (0, 100) and non-decimals', () => {
    for (const bad of [0, 100, 100.5, -1, Number.NaN, Number.POSITIVE_INFINITY, '1e2', 'abc', '']) {
      expect(allowedErrorRatio(bad as number | string)).toBeUndefined();
    }
  });

  it('formats literals without exponents', () => {
    expect(formatNumber(0.00001)).toBe('0.00001');
    expect(formatNumber(1e-7)).toBe('0.0000001');
    expect(formatNumber(14.4)).toBe('14.4');
    expect(formatNumber(3)).toBe('3');
    expect(Number(formatNumber(2.8 / 3))).toBe(2.8 / 3);
  });
});
