/**
 * @srekit/engine — client-side load balancing and reliability for Node.js services: strategies,
 * health checks, outlier detection, circuit breakers and retries over one per-backend record.
 *
 * @packageDocumentation
 */
export { ENGINE_DEFAULTS } from './defaults.js';
export type { EngineErrorCode } from './errors.js';
export { ENGINE_ERROR_CODES } from './errors.js';
export { LABELS, METRICS } from './metrics.js';
export type { BackendConfig, BackendView, Clock, Random, Strategy, StrategyName } from './types.js';
