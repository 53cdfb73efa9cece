import { describe, expect, it } from 'vitest';
import { backends, countPicks, seededRandom } from '../../test/support/strategies.js';
import { RandomStrategy } from './random.js';

// |observed − expected| < 5σ of the binomial: fails by chance about once in 10^6 seeds.
function withinBinomial(observed: number, n: number, p: number): void {
  const sigma = Math.sqrt(n * p * (1 - p));
  expect(Math.abs(observed - n * p)).toBeLessThan(5 * sigma);
}

describe('RandomStrategy', () => {
  it('spreads picks uniformly when weights are equal', () => {
    const random = new RandomStrategy({ random: seededRandom(1) });
    random.update(backends(4));
    const counts = countPicks(random, 40_000);
    for (let i = 0; i < 4; i++) withinBinomial(counts.get(`b${i}`) ?? 0, 40_000, 0.25);
  });

  it('picks in proportion to effectiveWeight when weights differ', () => {
    const random = new RandomStrategy({ random: seededRandom(2) });
    random.update(backends(3, [1, 2, 7]));
    const counts = countPicks(random, 50_000);
    withinBinomial(counts.get('b0') ?? 0, 50_000, 0.1);
    withinBinomial(counts.get('b1') ?? 0, 50_000, 0.2);
    withinBinomial(counts.get('b2') ?? 0, 50_000, 0.7);
  });

  it('maps the random number to the backend of its weight interval', () => {
    let next = 0;
    const random = new RandomStrategy({ random: () => next });
    random.update(backends(3, [1, 2, 1]));
    const at = (r: number) => {
      next = r;
      return random.pick()?.id;
    };
    expect([at(0), at(0.2499), at(0.25), at(0.7499), at(0.75), at(0.9999)]).toEqual([
      'b0',
      'b0',
      'b1',
      'b1',
      'b2',
      'b2',
    ]);
  });

  it('returns undefined for an empty set and the only backend of a set of one', () => {
    const random = new RandomStrategy({ random: seededRandom(3) });
    expect(random.pick()).toBeUndefined();
    random.update(backends(1));
    expect(random.pick()?.id).toBe('b0');
  });
});
