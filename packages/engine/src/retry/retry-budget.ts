import { ENGINE_DEFAULTS } from '../defaults.js';
import { invalidOption } from '../errors.js';

/** Options of {@link RetryBudget}. */
export interface RetryBudgetOptions {
  /**
   * Concurrent retries allowed, in percent of the requests in flight. Default
   * `ENGINE_DEFAULTS.retry.budgetPercent` (20, Envoy's `budget_percent`).
   */
  readonly budgetPercent?: number;
  /**
   * Concurrent retries always allowed, however few requests are in flight. Default
   * `ENGINE_DEFAULTS.retry.minRetryConcurrency` (3, Envoy's `min_retry_concurrency`).
   */
  readonly minRetryConcurrency?: number;
}

/** Ends what a `RetryBudget` method started. Calling it again does nothing. */
export type Release = () => void;

/**
 * A retry budget in Envoy's style: a retry may start while the retries in flight are fewer than
 * `max(minRetryConcurrency, floor(budgetPercent% × requests in flight))`. Under an outage every request
 * fails at once; a fixed "2 retries each" would triple the load on what is left, the budget caps
 * the extra load at `budgetPercent`.
 *
 * Count each original request with {@link RetryBudget.startRequest} and each retry with
 * {@link RetryBudget.tryStartRetry}; call the returned `Release` when it ends. Share one budget
 * per upstream (a pool), not per request.
 *
 * @example
 * ```ts
 * const budget = new RetryBudget({ budgetPercent: 20, minRetryConcurrency: 3 });
 * const done = budget.startRequest();
 * try {
 *   // first try failed:
 *   const retry = budget.tryStartRetry();
 *   if (retry) { try { await again(); } finally { retry(); } }
 * } finally { done(); }
 * ```
 */
export class RetryBudget {
  readonly #percent: number;
  readonly #minRetryConcurrency: number;
  #activeRequests = 0;
  #activeRetries = 0;

  constructor(options: RetryBudgetOptions = {}) {
    const percent = options.budgetPercent ?? ENGINE_DEFAULTS.retry.budgetPercent;
    const min = options.minRetryConcurrency ?? ENGINE_DEFAULTS.retry.minRetryConcurrency;
    if (!(Number.isFinite(percent) && percent >= 0)) {
      invalidOption(
        'budgetPercent',
        `${percent} is not a number ≥ 0`,
        'Give a percentage, e.g. 20.',
      );
    }
    if (!(Number.isInteger(min) && min >= 0)) {
      invalidOption('minRetryConcurrency', `${min} is not an integer ≥ 0`, 'Give e.g. 3.');
    }
    this.#percent = percent;
    this.#minRetryConcurrency = min;
  }

  /** Original requests in flight. */
  get activeRequests(): number {
    return this.#activeRequests;
  }

  /** Retries in flight. */
  get activeRetries(): number {
    return this.#activeRetries;
  }

  /**
   * Retries that may be in flight at once right now:
   * `max(minRetryConcurrency, floor(budgetPercent × activeRequests / 100))`.
   */
  get maxRetries(): number {
    return Math.max(
      this.#minRetryConcurrency,
      Math.floor((this.#percent * this.#activeRequests) / 100),
    );
  }

  /** Counts an original request in flight until the returned function is called. */
  startRequest(): Release {
    this.#activeRequests++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#activeRequests--;
    };
  }

  /**
   * Starts a retry if the budget allows it and returns its `Release`, or `undefined` when the
   * budget is spent (then do not retry: answer with the last result).
   */
  tryStartRetry(): Release | undefined {
    if (this.#activeRetries + 1 > this.maxRetries) return undefined;
    this.#activeRetries++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#activeRetries--;
    };
  }
}
