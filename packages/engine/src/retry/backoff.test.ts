import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.js';

/** A seeded linear congruential generator: the same sequence on every run. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('backoffDelay', () => {
  it('full jitter draws in [0, min(max, base × 2^attempt)]', () => {
    expect(backoffDelay(0, { baseMs: 100, maxMs: 10_000, random: () => 0.999 })).toBeCloseTo(99.9);
    expect(backoffDelay(3, { baseMs: 100, maxMs: 10_000, random: () => 0.5 })).toBe(400);
    expect(backoffDelay(10, { baseMs: 100, maxMs: 1_000, random: () => 0.5 })).toBe(500);
    expect(backoffDelay(3, { baseMs: 100, maxMs: 10_000, random: () => 0 })).toBe(0);
  });

  it('stays bounded for any attempt, including ones where 2^attempt overflows', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5_000 }),
        fc.double({ min: 0.001, max: 1e6, noNaN: true }),
        fc.double({ min: 0, max: 1e7, noNaN: true }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.constantFrom('full' as const, 'decorrelated' as const),
        (attempt, baseMs, maxMs, r, jitter) => {
          const delay = backoffDelay(attempt, { baseMs, maxMs, random: () => r, jitter });
          expect(Number.isFinite(delay)).toBe(true);
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThanOrEqual(maxMs);
        },
      ),
    );
  });

  it('decorrelated jitter draws in [base, min(max, 3 × previous)] and grows from the previous delay', () => {
    const random = seeded(42);
    let previous = 10;
    const delays: number[] = [];
    for (let attempt = 0; attempt < 50; attempt++) {
      const delay = backoffDelay(attempt, {
        baseMs: 10,
        maxMs: 1_000,
        jitter: 'decorrelated',
        random,
        previousDelayMs: previous,
      });
      expect(delay).toBeGreaterThanOrEqual(10);
      expect(delay).toBeLessThanOrEqual(Math.min(1_000, previous * 3));
      delays.push(delay);
      previous = delay;
    }
    // Seeded: the sequence is reproducible.
    const again = seeded(42);
    let prev2 = 10;
    for (let attempt = 0; attempt < 50; attempt++) {
      prev2 = backoffDelay(attempt, {
        baseMs: 10,
        maxMs: 1_000,
        jitter: 'decorrelated',
        random: again,
        previousDelayMs: prev2,
      });
      expect(prev2).toBe(delays[attempt]);
    }
    expect(Math.max(...delays)).toBeGreaterThan(100);
  });

  it('full jitter averages half the ceiling with a seeded RNG', () => {
    const random = seeded(7);
    let sum = 0;
    const n = 10_000;
    for (let i = 0; i < n; i++) sum += backoffDelay(2, { baseMs: 100, maxMs: 10_000, random });
    expect(sum / n).toBeGreaterThan(190);
    expect(sum / n).toBeLessThan(210);
  });

  it('refuses a bad base, cap or attempt', () => {
    expect(() => backoffDelay(0, { baseMs: 0 })).toThrow(/ERR_SREKIT_ENGINE_INVALID_OPTION/);
    expect(() => backoffDelay(0, { maxMs: -1 })).toThrow(/maxMs/);
    expect(() => backoffDelay(-1)).toThrow(/attempt/);
    expect(() => backoffDelay(1.5)).toThrow(/attempt/);
  });
});
