import { describe, expect, it } from 'vitest';
import { backends } from '../../test/support/strategies.js';
import { ENGINE_ERROR_CODES } from '../errors.js';
import type { StrategyName } from '../types.js';
import { createStrategy, STRATEGY_NAMES } from './create-strategy.js';
import type { StrategyOptions } from './options.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

describe('createStrategy', () => {
  it.each(STRATEGY_NAMES)('creates %s, which picks from the set it is given', (name) => {
    const s = createStrategy(name);
    expect(s.name).toBe(name);
    expect(s.pick()).toBeUndefined();
    const set = backends(3);
    s.update(set);
    expect(set).toContain(s.pick('key'));
  });

  it('rejects an unknown name with INVALID_OPTION naming the choices', () => {
    expect(codeOf(() => createStrategy('fastest' as StrategyName))).toBe(
      ENGINE_ERROR_CODES.INVALID_OPTION,
    );
    expect(() => createStrategy('fastest' as StrategyName)).toThrow(/round-robin, /);
  });

  const invalid: [StrategyName, StrategyOptions][] = [
    ['maglev', { tableSize: 65_536 }],
    ['maglev', { boundedLoadFactor: 1 }],
    ['ring-hash', { boundedLoadFactor: 0.5 }],
    ['ring-hash', { minRingSize: 4096, maxRingSize: 1024 }],
    ['ring-hash', { minRingSize: 0 }],
    ['p2c-ewma', { decayTimeMs: 0 }],
    ['least-request', { activeRequestBias: -1 }],
    ['least-request', { activeRequestBias: Number.NaN }],
  ];
  it.each(invalid)('rejects invalid options of %s: %o', (name, options) => {
    expect(codeOf(() => createStrategy(name, options))).toBe(ENGINE_ERROR_CODES.INVALID_OPTION);
  });

  it('accepts a prime table size', () => {
    expect(() => createStrategy('maglev', { tableSize: 251 })).not.toThrow();
  });
});
