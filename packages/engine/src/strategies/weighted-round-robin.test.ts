import { describe, expect, it } from 'vitest';
import { backends, countPicks } from '../../test/support/strategies.js';
import { WeightedRoundRobinStrategy } from './weighted-round-robin.js';

describe('WeightedRoundRobinStrategy (EDF)', () => {
  it('interleaves picks in the exact EDF order', () => {
    const wrr = new WeightedRoundRobinStrategy();
    wrr.update(backends(2, [1, 2]));
    const ids = Array.from({ length: 6 }, () => wrr.pick()?.id);
    expect(ids).toEqual(['b1', 'b0', 'b1', 'b1', 'b0', 'b1']);
  });

  it('gives the exact weight share in every cycle of Σw picks', () => {
    const wrr = new WeightedRoundRobinStrategy();
    wrr.update(backends(3, [1, 2, 4]));
    const seq = Array.from({ length: 7 }, () => wrr.pick()?.id);
    // Deadlines 1/w; ties go to the entry scheduled first.
    expect(seq).toEqual(['b2', 'b1', 'b2', 'b2', 'b0', 'b1', 'b2']);
    for (let cycle = 0; cycle < 50; cycle++) {
      const counts = countPicks(wrr, 7);
      expect([counts.get('b0'), counts.get('b1'), counts.get('b2')]).toEqual([1, 2, 4]);
    }
  });

  it('keeps shares within one pick per cycle for weights that are not powers of two', () => {
    const wrr = new WeightedRoundRobinStrategy();
    wrr.update(backends(3, [3, 2, 1]));
    const counts = countPicks(wrr, 600);
    expect(Math.abs((counts.get('b0') ?? 0) - 300)).toBeLessThanOrEqual(1);
    expect(Math.abs((counts.get('b1') ?? 0) - 200)).toBeLessThanOrEqual(1);
    expect(Math.abs((counts.get('b2') ?? 0) - 100)).toBeLessThanOrEqual(1);
  });

  it('is plain round robin when all weights are equal', () => {
    const wrr = new WeightedRoundRobinStrategy();
    wrr.update(backends(3, [2, 2, 2]));
    expect(Array.from({ length: 4 }, () => wrr.pick()?.id)).toEqual(['b0', 'b1', 'b2', 'b0']);
  });

  it('reads effectiveWeight again when it reschedules a backend (slow start)', () => {
    const wrr = new WeightedRoundRobinStrategy();
    const set = backends(2, [1, 2]);
    wrr.update(set);
    (set[0] as { effectiveWeight: number }).effectiveWeight = 8;
    const counts = countPicks(wrr, 1000);
    // From 1:2 to 8:2 after the first reschedule of b0.
    expect(counts.get('b0')).toBeGreaterThan(780);
  });

  it('returns undefined for an empty set and the only backend of a set of one', () => {
    const wrr = new WeightedRoundRobinStrategy();
    expect(wrr.pick()).toBeUndefined();
    wrr.update(backends(1, [3]));
    expect([wrr.pick()?.id, wrr.pick()?.id]).toEqual(['b0', 'b0']);
  });
});
