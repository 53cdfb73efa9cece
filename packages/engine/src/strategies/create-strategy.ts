import { invalidOption } from '../errors.js';
import type { Strategy, StrategyName } from '../types.js';
import { LeastRequestStrategy } from './least-request.js';
import { MaglevStrategy } from './maglev.js';
import type { StrategyOptions } from './options.js';
import { PeakEwmaStrategy } from './p2c-ewma.js';
import { RandomStrategy } from './random.js';
import { RingHashStrategy } from './ring-hash.js';
import { RoundRobinStrategy } from './round-robin.js';
import { WeightedRoundRobinStrategy } from './weighted-round-robin.js';

/** Every built-in strategy name, in the order the docs list them. */
export const STRATEGY_NAMES: readonly StrategyName[] = [
  'round-robin',
  'weighted-round-robin',
  'random',
  'least-request',
  'p2c-ewma',
  'ring-hash',
  'maglev',
];

/**
 * Creates a built-in strategy by name. Each strategy reads the options it needs and ignores the
 * rest. Throws `ERR_SREKIT_ENGINE_INVALID_OPTION` for an unknown name or an invalid option.
 *
 * @example
 * const strategy = createStrategy('p2c-ewma', { decayTimeMs: 10_000 });
 * strategy.update(backends);
 * const backend = strategy.pick();
 */
export function createStrategy(name: StrategyName, options: StrategyOptions = {}): Strategy {
  switch (name) {
    case 'round-robin':
      return new RoundRobinStrategy();
    case 'weighted-round-robin':
      return new WeightedRoundRobinStrategy();
    case 'random':
      return new RandomStrategy(options);
    case 'least-request':
      return new LeastRequestStrategy(options);
    case 'p2c-ewma':
      return new PeakEwmaStrategy(options);
    case 'ring-hash':
      return new RingHashStrategy(options);
    case 'maglev':
      return new MaglevStrategy(options);
    default:
      return invalidOption(
        'strategy',
        `unknown strategy ${JSON.stringify(name)}`,
        `Use one of ${STRATEGY_NAMES.join(', ')}.`,
      );
  }
}
