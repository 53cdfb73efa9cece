import { describe, expect, it } from 'vitest';
import { slowStartWeight } from './slow-start.js';

describe('slowStartWeight (Envoy)', () => {
  const ramp = { sinceMs: 1_000, windowMs: 10_000 };

  it('is linear with aggression 1, floored at minWeightPercent (default 10 %)', () => {
    expect(slowStartWeight(100, ramp, 1_000)).toBe(10); // t = 0 → floor
    expect(slowStartWeight(100, ramp, 1_500)).toBe(10); // 5 % < 10 %
    expect(slowStartWeight(100, ramp, 3_500)).toBeCloseTo(25);
    expect(slowStartWeight(100, ramp, 6_000)).toBeCloseTo(50);
    expect(slowStartWeight(100, ramp, 10_999)).toBeCloseTo(99.99);
  });

  it('is the full weight from the end of the window on, or without a window', () => {
    expect(slowStartWeight(7, ramp, 11_000)).toBe(7);
    expect(slowStartWeight(7, ramp, 1e9)).toBe(7);
    expect(slowStartWeight(7, { sinceMs: 0, windowMs: 0 }, 0)).toBe(7);
  });

  it('ramps faster at first with a larger aggression: (t / window)^(1 / aggression)', () => {
    expect(slowStartWeight(100, { ...ramp, aggression: 2 }, 3_500)).toBeCloseTo(50); // √0.25
    expect(slowStartWeight(100, { ...ramp, aggression: 4 }, 1_000 + 625)).toBeCloseTo(50); // 0.0625^¼
    expect(slowStartWeight(100, { ...ramp, aggression: 0.5 }, 6_000)).toBeCloseTo(25); // 0.5²
  });

  it('honours minWeightPercent and a clock that steps back', () => {
    expect(slowStartWeight(100, { ...ramp, minWeightPercent: 40 }, 3_500)).toBe(40);
    expect(slowStartWeight(100, ramp, 0)).toBe(10);
  });

  it('is monotonic over the window', () => {
    let previous = 0;
    for (let t = 0; t <= 12_000; t += 97) {
      const w = slowStartWeight(3, { ...ramp, aggression: 1.7 }, 1_000 + t);
      expect(w).toBeGreaterThanOrEqual(previous);
      previous = w;
    }
  });
});
