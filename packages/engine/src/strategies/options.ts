import { STRATEGY_DEFAULTS } from '../defaults.js';
import { invalidOption } from '../errors.js';
import type { Clock, Random } from '../types.js';

/**
 * Options of `createStrategy()` and the strategy classes. Each strategy reads the fields it
 * needs and ignores the others, so one options object can configure whichever strategy a pool
 * option names.
 */
export interface StrategyOptions {
  /** Random source in [0, 1). Default `Math.random`; inject a seeded one in tests. */
  readonly random?: Random;
  /** Clock in ms (p2c-ewma only). Default `performance.now`. */
  readonly clock?: Clock;
  /** least-request: exponent of `active + 1` for unequal weights. Default 1 (Envoy's default). */
  readonly activeRequestBias?: number;
  /** p2c-ewma: decay time τ of the peak EWMA, in ms. Default 10 000 (Finagle's). */
  readonly decayTimeMs?: number;
  /**
   * p2c-ewma: the smallest latency sample a failed request counts as, in ms, so that a backend
   * that fails fast does not look fast and draw the traffic. Default 1 000; 0 counts failures at
   * their own latency (Finagle's behaviour).
   */
  readonly failurePenaltyMs?: number;
  /** ring-hash: smallest ring in entries. Default 1 024. */
  readonly minRingSize?: number;
  /** ring-hash: largest ring in entries. Default 8 388 608. */
  readonly maxRingSize?: number;
  /** maglev: lookup table size, a prime. Default 65 537. */
  readonly tableSize?: number;
  /**
   * ring-hash and maglev: bounded-load factor `c` > 1 (e.g. 1.25). A host whose active requests
   * reach `ceil(c × (total active + 1) × weight share)` is skipped for the next one on the ring
   * or table. Default `undefined`: off.
   */
  readonly boundedLoadFactor?: number;
}

/** @internal */
export const defaultClock: Clock = () => performance.now();

/** @internal Checks that `value` is a finite number satisfying `ok`, or throws INVALID_OPTION. */
export function checkNumber(
  option: string,
  value: number | undefined,
  ok: (v: number) => boolean,
  requirement: string,
): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || !ok(value)) {
    invalidOption(option, `got ${String(value)}`, `Use ${requirement}.`);
  }
}

/** @internal Validates the bounded-load factor and returns it (or undefined when off). */
export function resolveBoundedLoadFactor(options: StrategyOptions): number | undefined {
  const factor = options.boundedLoadFactor ?? STRATEGY_DEFAULTS.boundedLoadFactor;
  checkNumber('boundedLoadFactor', factor, (v) => v > 1, 'a number greater than 1, e.g. 1.25');
  return factor;
}

/** @internal True when `n` is a prime (trial division; for option checks only). */
export function isPrime(n: number): boolean {
  if (!Number.isInteger(n) || n < 2) return false;
  if (n % 2 === 0) return n === 2;
  for (let d = 3; d * d <= n; d += 2) if (n % d === 0) return false;
  return true;
}
