import { describe, expect, it } from 'vitest';
import { backends } from '../../test/support/strategies.js';
import { RoundRobinStrategy } from './round-robin.js';

describe('RoundRobinStrategy', () => {
  it('picks each backend in turn, ignoring weights', () => {
    const rr = new RoundRobinStrategy();
    rr.update(backends(3, [1, 5, 9]));
    const ids = Array.from({ length: 7 }, () => rr.pick()?.id);
    expect(ids).toEqual(['b0', 'b1', 'b2', 'b0', 'b1', 'b2', 'b0']);
  });

  it('keeps its position across update() and wraps when the set shrinks', () => {
    const rr = new RoundRobinStrategy();
    const set = backends(4);
    rr.update(set);
    rr.pick();
    rr.pick();
    rr.update(set);
    expect(rr.pick()?.id).toBe('b2');
    rr.pick();
    rr.update(set.slice(0, 2));
    expect([rr.pick()?.id, rr.pick()?.id]).toEqual(['b0', 'b1']);
  });

  it('returns undefined for an empty set and the only backend of a set of one', () => {
    const rr = new RoundRobinStrategy();
    expect(rr.pick()).toBeUndefined();
    rr.update([]);
    expect(rr.pick()).toBeUndefined();
    rr.update(backends(1));
    expect([rr.pick()?.id, rr.pick()?.id]).toEqual(['b0', 'b0']);
  });
});
