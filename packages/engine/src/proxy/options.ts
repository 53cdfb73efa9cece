import { ENGINE_DEFAULTS } from '../defaults.js';
import { invalidOption } from '../errors.js';
import type { BackoffOptions } from '../retry/backoff.js';
import type { RetryBudgetOptions } from '../retry/retry-budget.js';
import { PROXY_DEFAULTS } from './defaults.js';
import type { ProxyOptions, ProxyPool, ProxyTlsOptions, StickyOption } from './types.js';

/** Strategies that map a key to a backend consistently (what sticky sessions need). */
const HASHING_STRATEGIES: ReadonlySet<string> = new Set(['ring-hash', 'maglev']);

/** `ProxyOptions` with every default applied and checked. */
export interface ResolvedProxyOptions {
  readonly retries: number;
  readonly perTryTimeoutMs: number | undefined;
  readonly timeoutMs: number;
  readonly retryNonIdempotent: boolean;
  readonly maxReplayBodyBytes: number;
  /** `undefined`: the pool's budget. */
  readonly retryBudget: RetryBudgetOptions | false | undefined;
  readonly backoff: BackoffOptions;
  readonly retryStatuses: readonly number[];
  readonly sticky: StickyOption | undefined;
  readonly trustForwarded: boolean;
  readonly preserveHost: boolean;
  readonly via: string | undefined;
  readonly tls: ProxyTlsOptions | undefined;
  readonly headersTimeoutMs: number;
  readonly bodyTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly connectionsPerBackend: number;
  readonly keepAliveTimeoutMs: number;
}

function nonNegative(name: string, value: number, fix: string): number {
  if (!(Number.isFinite(value) && value >= 0)) {
    invalidOption(name, `${value} is not a number ≥ 0`, fix);
  }
  return value;
}

function positiveInteger(name: string, value: number, fix: string): number {
  if (!(Number.isInteger(value) && value > 0)) {
    invalidOption(name, `${value} is not an integer > 0`, fix);
  }
  return value;
}

/** Applies the defaults (the pool's retry policy first, then `PROXY_DEFAULTS`) and checks them. */
export function resolveProxyOptions(pool: ProxyPool, options: ProxyOptions): ResolvedProxyOptions {
  const poolRetry = pool.retryOptions;
  const retries = options.retries ?? poolRetry?.maxRetries ?? PROXY_DEFAULTS.retries;
  if (!(Number.isInteger(retries) && retries >= 0)) {
    invalidOption('retries', `${retries} is not an integer ≥ 0`, 'Give e.g. 2, or 0 for none.');
  }
  const perTryTimeoutMs = options.perTryTimeoutMs;
  if (perTryTimeoutMs !== undefined) {
    positiveInteger('perTryTimeoutMs', perTryTimeoutMs, 'Give a timeout in ms, e.g. 1000.');
  }
  const sticky = options.sticky;
  if (sticky !== undefined) {
    const name = 'cookie' in sticky ? sticky.cookie : sticky.header;
    if (typeof name !== 'string' || name === '') {
      invalidOption(
        'sticky',
        'no cookie or header name',
        "Give `{ cookie: 'session' }` or `{ header: 'x-user-id' }`.",
      );
    }
    const strategy = pool.stats().strategy;
    if (!HASHING_STRATEGIES.has(strategy)) {
      invalidOption(
        'sticky',
        `pool "${pool.name}" uses the ${strategy} strategy, which ignores the hash key`,
        "Create the pool with `strategy: 'ring-hash'` or `'maglev'`.",
      );
    }
  }
  return {
    retries,
    perTryTimeoutMs,
    timeoutMs: nonNegative(
      'timeoutMs',
      options.timeoutMs ?? PROXY_DEFAULTS.timeoutMs,
      'Give a deadline in ms, or 0 for none.',
    ),
    retryNonIdempotent: options.retryNonIdempotent ?? false,
    maxReplayBodyBytes: nonNegative(
      'maxReplayBodyBytes',
      options.maxReplayBodyBytes ?? PROXY_DEFAULTS.maxReplayBodyBytes,
      'Give a size in bytes, e.g. 65536.',
    ),
    retryBudget: options.retryBudget,
    backoff: options.backoff ?? poolRetry?.backoff ?? {},
    retryStatuses:
      options.retryStatuses ?? poolRetry?.statuses ?? ENGINE_DEFAULTS.retry.retryableStatuses,
    sticky,
    trustForwarded: options.trustForwarded ?? PROXY_DEFAULTS.trustForwarded,
    preserveHost: options.preserveHost ?? PROXY_DEFAULTS.preserveHost,
    via: options.via,
    tls: options.tls,
    headersTimeoutMs: positiveInteger(
      'headersTimeoutMs',
      options.headersTimeoutMs ?? PROXY_DEFAULTS.headersTimeoutMs,
      'Give a timeout in ms.',
    ),
    bodyTimeoutMs: nonNegative(
      'bodyTimeoutMs',
      options.bodyTimeoutMs ?? PROXY_DEFAULTS.bodyTimeoutMs,
      'Give a timeout in ms, or 0 for none.',
    ),
    connectTimeoutMs: positiveInteger(
      'connectTimeoutMs',
      options.connectTimeoutMs ?? PROXY_DEFAULTS.connectTimeoutMs,
      'Give a timeout in ms.',
    ),
    connectionsPerBackend: positiveInteger(
      'connectionsPerBackend',
      options.connectionsPerBackend ?? PROXY_DEFAULTS.connectionsPerBackend,
      'Give e.g. 128.',
    ),
    keepAliveTimeoutMs: positiveInteger(
      'keepAliveTimeoutMs',
      options.keepAliveTimeoutMs ?? PROXY_DEFAULTS.keepAliveTimeoutMs,
      'Give a time in ms, e.g. 4000.',
    ),
  };
}
