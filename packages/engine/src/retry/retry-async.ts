import { ENGINE_DEFAULTS } from '../defaults.js';
import { invalidOption, timeoutError } from '../errors.js';
import type { Clock } from '../types.js';
import { follow, raceAbort, sleep } from './abortable.js';
import { type BackoffOptions, backoffDelay } from './backoff.js';
import type { RetryDecision } from './is-retryable.js';
import type { Release, RetryBudget } from './retry-budget.js';

/** What each try of {@link retryAsync} or {@link hedge} receives. */
export interface TryContext {
  /** 0 for the first try, then 1, 2… */
  readonly attempt: number;
  /** Aborted when this try times out, the deadline passes, the caller aborts, or (hedge) it lost. */
  readonly signal: AbortSignal;
}

/** Passed to `onRetry` before each retry waits its delay. */
export interface RetryEvent {
  /** The attempt number the retry will have (1 for the first retry). */
  readonly attempt: number;
  /** The error of the try that failed. */
  readonly error: unknown;
  /** The delay before the retry (backoff, or the server's `Retry-After`). */
  readonly delayMs: number;
}

/** Options of {@link retryAsync}. */
export interface RetryAsyncOptions {
  /** Retries after the first try. Default `ENGINE_DEFAULTS.retry.maxRetries` (2). */
  readonly maxRetries?: number;
  /** Each try is aborted and counts as failed (`ERR_SREKIT_ENGINE_TIMEOUT`) after this. Default none. */
  readonly perTryTimeoutMs?: number;
  /**
   * Overall deadline from the call, tries and delays included. When it passes, the call rejects
   * with `ERR_SREKIT_ENGINE_TIMEOUT` (its `cause` is the last try's error). A retry whose delay
   * would end past the deadline is not made: the call rejects with the last error. Default none.
   */
  readonly deadlineMs?: number;
  /** The caller's signal: aborting it aborts the try in flight and rejects with its reason. */
  readonly signal?: AbortSignal;
  /**
   * Whether a failed try is retried (`attempt` is the failed try's number). A `RetryDecision`
   * (from `isRetryable`) may carry `retryAfterMs`, used instead of the backoff delay. Default: every
   * error is retried.
   */
  readonly shouldRetry?: (error: unknown, attempt: number) => boolean | RetryDecision;
  /** Backoff between tries. Default `backoffDelay` defaults (full jitter, 25 ms base, 250 ms cap). */
  readonly backoff?: BackoffOptions;
  /** A shared retry budget; when it refuses, the call rejects with the last error. */
  readonly budget?: RetryBudget;
  /**
   * Called before each retry. This is where a caller picks another backend for the next try (or
   * `fn` does it from `attempt`). An exception thrown here ends the call with it.
   */
  readonly onRetry?: (event: RetryEvent) => void;
  /** Clock for the deadline arithmetic. Default `performance.now`. */
  readonly clock?: Clock;
}

/**
 * Calls `fn` until it resolves, retrying failures with jittered backoff, within a per-try timeout,
 * an overall deadline and an optional retry budget. `fn` must honour `signal` to free resources
 * early; if it ignores it, its result is dropped anyway.
 *
 * @example
 * ```ts
 * const body = await retryAsync(
 *   async ({ attempt, signal }) => {
 *     const backend = pool.pick(); // another backend on each try
 *     const res = await fetch(`${backend.url}/orders`, { signal });
 *     if (!res.ok) throw Object.assign(new Error(`HTTP ${res.status}`), { status: res.status });
 *     return res.json();
 *   },
 *   { perTryTimeoutMs: 500, deadlineMs: 2_000, budget,
 *     shouldRetry: (error) => isRetryable({ method: 'GET', status: (error as { status?: number }).status, error }) },
 * );
 * ```
 */
export async function retryAsync<T>(
  fn: (context: TryContext) => Promise<T>,
  options: RetryAsyncOptions = {},
): Promise<T> {
  const maxRetries = options.maxRetries ?? ENGINE_DEFAULTS.retry.maxRetries;
  if (!(Number.isInteger(maxRetries) && maxRetries >= 0)) {
    invalidOption('maxRetries', `${maxRetries} is not an integer ≥ 0`, 'Give e.g. 2.');
  }
  checkTimeout('perTryTimeoutMs', options.perTryTimeoutMs);
  checkTimeout('deadlineMs', options.deadlineMs);
  const clock = options.clock ?? (() => performance.now());
  const startedAt = clock();
  const call = new AbortController();
  const unfollow = follow(options.signal, call);
  let lastError: unknown;
  let deadlineTimer: ReturnType<typeof setTimeout> | undefined;
  if (options.deadlineMs !== undefined) {
    const deadlineMs = options.deadlineMs;
    deadlineTimer = setTimeout(
      () => call.abort(timeoutError('retryAsync()', deadlineMs, lastError)),
      deadlineMs,
    );
  }
  const releaseRequest = options.budget?.startRequest();
  let releaseRetry: Release | undefined;
  let previousDelayMs: number | undefined;
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        return await runTry(fn, attempt, call.signal, options.perTryTimeoutMs);
      } catch (error) {
        if (call.signal.aborted) throw call.signal.reason;
        lastError = error;
      } finally {
        releaseRetry?.();
        releaseRetry = undefined;
      }
      if (attempt >= maxRetries) throw lastError;
      const decision = normalize(options.shouldRetry?.(lastError, attempt) ?? true);
      if (!decision.retryable) throw lastError;
      if (options.budget !== undefined) {
        releaseRetry = options.budget.tryStartRetry();
        if (releaseRetry === undefined) throw lastError;
      }
      const delayMs =
        decision.retryAfterMs ??
        backoffDelay(attempt, { ...options.backoff, previousDelayMs: previousDelayMs });
      previousDelayMs = delayMs;
      if (options.deadlineMs !== undefined && clock() - startedAt + delayMs >= options.deadlineMs) {
        throw lastError;
      }
      options.onRetry?.({ attempt: attempt + 1, error: lastError, delayMs });
      await sleep(delayMs, call.signal);
    }
  } finally {
    clearTimeout(deadlineTimer);
    unfollow();
    releaseRetry?.();
    releaseRequest?.();
  }
}

async function runTry<T>(
  fn: (context: TryContext) => Promise<T>,
  attempt: number,
  parent: AbortSignal,
  perTryTimeoutMs: number | undefined,
): Promise<T> {
  const tryController = new AbortController();
  const unfollow = follow(parent, tryController);
  const timer =
    perTryTimeoutMs === undefined
      ? undefined
      : setTimeout(
          () => tryController.abort(timeoutError(`try ${attempt}`, perTryTimeoutMs)),
          perTryTimeoutMs,
        );
  try {
    const work = Promise.resolve().then(() => fn({ attempt, signal: tryController.signal }));
    return await raceAbort(work, tryController.signal);
  } finally {
    clearTimeout(timer);
    unfollow();
  }
}

function normalize(decision: boolean | RetryDecision): {
  retryable: boolean;
  retryAfterMs?: number;
} {
  return typeof decision === 'boolean' ? { retryable: decision } : decision;
}

function checkTimeout(option: string, value: number | undefined): void {
  if (value !== undefined && !(Number.isFinite(value) && value > 0)) {
    invalidOption(
      option,
      `${value} is not a positive number of ms`,
      'Give a timeout > 0 or omit it.',
    );
  }
}
