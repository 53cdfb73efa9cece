/**
 * Load-balancing strategies of `@srekit/engine`: one file per strategy, `createStrategy()` to
 * pick one by name, and the hashing they share.
 */
export { createStrategy, STRATEGY_NAMES } from './create-strategy.js';
export { hashString } from './hash.js';
export { LeastRequestStrategy } from './least-request.js';
export { MaglevStrategy } from './maglev.js';
export type { StrategyOptions } from './options.js';
export { PeakEwmaStrategy } from './p2c-ewma.js';
export { RandomStrategy } from './random.js';
export { RingHashStrategy } from './ring-hash.js';
export { RoundRobinStrategy } from './round-robin.js';
export { WeightedRoundRobinStrategy } from './weighted-round-robin.js';
