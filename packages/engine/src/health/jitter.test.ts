import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jitteredInterval } from './jitter.js';

describe('jitteredInterval', () => {
  it('stays within intervalMs × (1 ± jitterPercent / 100)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1, max: 1e6, noNaN: true }),
        fc.double({ min: 0, max: 99, noNaN: true }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (interval, jitter, r) => {
          const value = jitteredInterval(interval, jitter, () => r);
          expect(value).toBeGreaterThanOrEqual(interval * (1 - jitter / 100) - 1e-6);
          expect(value).toBeLessThanOrEqual(interval * (1 + jitter / 100) + 1e-6);
        },
      ),
    );
  });

  it('reaches both ends and the middle', () => {
    expect(jitteredInterval(1_000, 10, () => 0)).toBe(900);
    expect(jitteredInterval(1_000, 10, () => 0.5)).toBe(1_000);
    expect(jitteredInterval(1_000, 10, () => 0.999_999)).toBeCloseTo(1_100, 2);
    expect(jitteredInterval(1_000, 0, () => 0.3)).toBe(1_000);
  });
});
