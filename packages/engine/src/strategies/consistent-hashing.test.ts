import { describe, expect, it } from 'vitest';
import { backends, countPicks, seededRandom } from '../../test/support/strategies.js';
import type { BackendView, Strategy } from '../types.js';
import { MaglevStrategy } from './maglev.js';
import type { StrategyOptions } from './options.js';
import { RingHashStrategy } from './ring-hash.js';

const KEYS = Array.from({ length: 20_000 }, (_, i) => `session-${i}`);

function mapping(strategy: Strategy): (string | undefined)[] {
  return KEYS.map((k) => strategy.pick(k)?.id);
}

function movedFraction(before: (string | undefined)[], after: (string | undefined)[]): number {
  let moved = 0;
  for (let i = 0; i < before.length; i++) if (before[i] !== after[i]) moved++;
  return moved / before.length;
}

// Ring hash with the default ring (~128 entries per backend here) spreads within ~±25 %; Maglev's
// table spreads almost evenly but moves a few more keys on membership changes.
const cases: [
  string,
  (options?: StrategyOptions) => Strategy,
  { moveSlack: number; spread: number },
][] = [
  ['ring-hash', (o) => new RingHashStrategy(o), { moveSlack: 1.3, spread: 0.3 }],
  ['maglev', (o) => new MaglevStrategy(o), { moveSlack: 1.6, spread: 0.1 }],
];

describe.each(cases)('%s', (_name, make, { moveSlack, spread }) => {
  it('sends the same key to the same backend, whatever order the membership came in', () => {
    const a = make();
    const b = make();
    // Weights with fractional entry counts, so rounding order matters too.
    const set = backends(10, [3, 4, 5, 3, 4, 5, 3, 4, 5, 7]);
    a.update(set);
    b.update([...set].reverse());
    const first = mapping(a);
    expect(mapping(a)).toEqual(first);
    expect(mapping(b)).toEqual(first);
  });

  it('spreads keys over equal backends close to a fair share', () => {
    const s = make();
    s.update(backends(10));
    const counts = countPicks(s, KEYS.length, (i) => KEYS[i] as string);
    expect(counts.size).toBe(10);
    for (const count of counts.values()) expect(Math.abs(count / 2_000 - 1)).toBeLessThan(spread);
  });

  it('moves about 1/N of the keys when one of N backends is removed, and only to others', () => {
    const set = backends(10);
    const s = make();
    s.update(set);
    const before = mapping(s);
    s.update(set.filter((b) => b.id !== 'b3'));
    const after = mapping(s);
    const moved = movedFraction(before, after);
    const held = before.filter((id) => id === 'b3').length / KEYS.length;
    expect(moved).toBeGreaterThanOrEqual(held);
    expect(moved).toBeLessThan((moveSlack * 1) / 10);
    expect(after).not.toContain('b3');
  });

  it('moves about 1/N of the keys when a backend is added', () => {
    const s = make();
    s.update(backends(10));
    const before = mapping(s);
    s.update(backends(11));
    const after = mapping(s);
    const gained = after.filter((id) => id === 'b10').length / KEYS.length;
    expect(gained).toBeGreaterThan(0.5 / 11);
    expect(movedFraction(before, after)).toBeLessThan(moveSlack / 11);
  });

  it('respects weights', () => {
    const s = make();
    s.update(backends(3, [1, 2, 5]));
    const counts = countPicks(s, KEYS.length, (i) => KEYS[i] as string);
    const shares = [1 / 8, 2 / 8, 5 / 8];
    shares.forEach((share, i) => {
      const got = (counts.get(`b${i}`) ?? 0) / KEYS.length;
      expect(Math.abs(got / share - 1)).toBeLessThan(spread);
    });
  });

  it('with a bounded-load factor, spills a full host to the next one, and comes back', () => {
    const set = backends(5);
    const s = make({ boundedLoadFactor: 1.25 });
    s.update(set);
    const key = KEYS.find((k) => s.pick(k)?.id === 'b2') as string;
    const home = set[2] as BackendView;
    // 20 requests in flight, all on b2: its capacity is ceil(1.25 × 21 / 5) = 6.
    for (let i = 0; i < 20; i++) {
      home.activeRequests++;
      s.onRequestStart?.(home, 0);
    }
    const spilled = s.pick(key);
    expect(spilled?.id).not.toBe('b2');
    expect(s.pick(key)).toBe(spilled);
    for (let i = 0; i < 20; i++) {
      home.activeRequests--;
      s.onRequestEnd?.(home, 1, true, 0);
    }
    expect(s.pick(key)?.id).toBe('b2');
  });

  it('keeps every host within c × its fair share of active requests under bounded load', () => {
    const set = backends(8);
    const s = make({ boundedLoadFactor: 1.25 });
    s.update(set);
    // 400 sticky requests from only 5 keys, never finishing: without bounds, ≤ 5 hosts get all.
    for (let i = 0; i < 400; i++) {
      const b = s.pick(KEYS[i % 5]) as BackendView;
      b.activeRequests++;
      s.onRequestStart?.(b, 0);
    }
    const max = Math.max(...set.map((b) => b.activeRequests));
    expect(max).toBeLessThanOrEqual(Math.ceil((1.25 * 400) / 8));
  });

  it('without a key, picks a random member', () => {
    const s = make({ random: seededRandom(7) });
    s.update(backends(4));
    const counts = countPicks(s, 4_000);
    expect(counts.size).toBe(4);
  });

  it('returns undefined for an empty set and the only backend of a set of one', () => {
    const s = make();
    expect(s.pick('k')).toBeUndefined();
    s.update([]);
    expect(s.pick('k')).toBeUndefined();
    s.update(backends(1));
    expect(s.pick('k')?.id).toBe('b0');
    expect(s.pick()?.id).toBe('b0');
  });
});

describe('RingHashStrategy ring size', () => {
  it('gives the lightest backend its share of minRingSize, capped by maxRingSize', () => {
    const ring = new RingHashStrategy({ minRingSize: 1024 });
    ring.update(backends(4, [1, 1, 1, 1]));
    expect(ring.ringSize).toBe(1024);
    ring.update(backends(2, [1, 3]));
    // Lightest share 1/4 → 256 entries for it, 768 for the other.
    expect(ring.ringSize).toBe(1024);
    const capped = new RingHashStrategy({ minRingSize: 1024, maxRingSize: 2000 });
    capped.update(backends(2, [1, 999]));
    expect(capped.ringSize).toBe(2000);
  });

  it('sends a key to the entry at or after its hash (a key equal to an entry name lands on it)', () => {
    const ring = new RingHashStrategy();
    ring.update(backends(5));
    for (let i = 0; i < 5; i++) expect(ring.pick(`b${i}_0`)?.id).toBe(`b${i}`);
  });
});
