import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance } from '../../src/spec/did-you-mean.js';

describe('editDistance', () => {
  it('counts insertions, deletions and substitutions', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('abc', '')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
  });

  it('counts a swap of two neighbours as one edit', () => {
    expect(editDistance('objetcive', 'objective')).toBe(1);
    expect(editDistance('ab', 'ba')).toBe(1);
  });

  it('is symmetric', () => {
    for (const [a, b] of [
      ['error_qeury', 'error_query'],
      ['tiers', 'timers'],
      ['x', 'window'],
    ] as const) {
      expect(editDistance(a, b)).toBe(editDistance(b, a));
    }
  });
});

describe('didYouMean', () => {
  const keys = ['name', 'objective', 'description', 'labels', 'sli', 'alerting'];

  it('suggests the closest allowed key', () => {
    expect(didYouMean('objectve', keys)).toBe('objective');
    expect(didYouMean('alertng', ['alerting', 'labels'])).toBe('alerting');
    expect(didYouMean('lables', keys)).toBe('labels');
  });

  it('ignores case', () => {
    expect(didYouMean('Objective', keys)).toBe('objective');
  });

  it('offers nothing when no key is close', () => {
    expect(didYouMean('foo', keys)).toBeUndefined();
    expect(didYouMean('x', ['id'])).toBeUndefined();
  });

  it('honours maxDistance', () => {
    expect(didYouMean('nm', ['name'], { maxDistance: 1 })).toBeUndefined();
    expect(didYouMean('nm', ['name'], { maxDistance: 2 })).toBe('name');
  });

  it('answers at once for a huge input (found by the spec fuzzer: a 100 kB time_zone took 1.6 s)', () => {
    const zones = Intl.supportedValuesOf('timeZone');
    const started = performance.now();
    expect(didYouMean('a b '.repeat(25_000), zones)).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(100);
    expect(didYouMean('Europe/Berln', zones)).toBe('Europe/Berlin');
  });
});
