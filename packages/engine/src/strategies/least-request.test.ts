import { describe, expect, it } from 'vitest';
import {
  backends,
  countPicks,
  seededRandom,
  shareOf,
  simulate,
} from '../../test/support/strategies.js';
import { LeastRequestStrategy } from './least-request.js';
import { RoundRobinStrategy } from './round-robin.js';

describe('LeastRequestStrategy', () => {
  it('never picks the busiest backend when the other candidate is idle (P2C of distinct hosts)', () => {
    const lr = new LeastRequestStrategy({ random: seededRandom(1) });
    const set = backends(4);
    (set[2] as { activeRequests: number }).activeRequests = 5;
    lr.update(set);
    const counts = countPicks(lr, 10_000);
    expect(counts.get('b2')).toBeUndefined();
    // The other three share evenly: each is in 1/2 of the pairs, and always wins against b2.
    for (const id of ['b0', 'b1', 'b3']) {
      expect(Math.abs((counts.get(id) ?? 0) / 10_000 - 1 / 3)).toBeLessThan(0.03);
    }
  });

  it('picks uniformly among equally loaded backends', () => {
    const lr = new LeastRequestStrategy({ random: seededRandom(2) });
    lr.update(backends(5));
    const counts = countPicks(lr, 50_000);
    for (let i = 0; i < 5; i++) {
      expect(Math.abs((counts.get(`b${i}`) ?? 0) / 50_000 - 0.2)).toBeLessThan(0.01);
    }
  });

  it('sends measurably less than round robin to a backend that piles up active requests', () => {
    // b0 answers in 40 ms, the others in 4 ms; 2 requests per ms.
    const latencyOf = (b: { id: string }) => (b.id === 'b0' ? 40 : 4);
    const run = (strategy: LeastRequestStrategy | RoundRobinStrategy) =>
      shareOf(simulate(strategy, backends(4), { durationMs: 5_000, perTick: 2, latencyOf }), 'b0');
    const p2c = run(new LeastRequestStrategy({ random: seededRandom(3) }));
    const rr = run(new RoundRobinStrategy());
    expect(rr).toBeCloseTo(0.25, 2);
    expect(p2c).toBeLessThan(0.15);
  });

  it('with unequal weights, schedules by weight / (active + 1)', () => {
    const lr = new LeastRequestStrategy();
    const set = backends(2, [1, 3]);
    lr.update(set);
    const idle = countPicks(lr, 4_000);
    expect([idle.get('b0'), idle.get('b1')]).toEqual([1_000, 3_000]);
    // b1 with 2 in flight: 3 / 3 = 1, the same as b0's 1 / 1.
    (set[1] as { activeRequests: number }).activeRequests = 2;
    lr.update(set);
    const busy = countPicks(lr, 4_000);
    expect([busy.get('b0'), busy.get('b1')]).toEqual([2_000, 2_000]);
  });

  it('applies activeRequestBias as the exponent (0: weights only)', () => {
    const set = backends(2, [1, 3]);
    (set[1] as { activeRequests: number }).activeRequests = 2;
    const plain = new LeastRequestStrategy({ activeRequestBias: 0 });
    plain.update(set);
    expect(countPicks(plain, 4_000).get('b1')).toBe(3_000);
    // bias 2: b1 weighs 3 / 9 against b0's 1 / 1 → a quarter of the picks.
    const strong = new LeastRequestStrategy({ activeRequestBias: 2 });
    strong.update(set);
    expect(countPicks(strong, 4_000).get('b1')).toBe(1_000);
  });

  it('returns undefined for an empty set and the only backend of a set of one', () => {
    const lr = new LeastRequestStrategy({ random: seededRandom(4) });
    expect(lr.pick()).toBeUndefined();
    lr.update(backends(1));
    expect(lr.pick()?.id).toBe('b0');
  });
});
