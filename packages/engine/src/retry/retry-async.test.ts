import { isSrekitError } from '@srekit/core';
import { describe, expect, it } from 'vitest';
import { isTimeoutError } from '../errors.js';
import { isRetryable } from './is-retryable.js';
import { type RetryEvent, retryAsync } from './retry-async.js';
import { RetryBudget } from './retry-budget.js';

const noDelay = { baseMs: 1, maxMs: 0 };
const refused = (): Error => Object.assign(new Error('refused'), { code: 'ECONNREFUSED' });

describe('retryAsync', () => {
  it('retries until a try succeeds and tells the caller before each retry', async () => {
    const events: RetryEvent[] = [];
    const attempts: number[] = [];
    const result = await retryAsync(
      async ({ attempt }) => {
        attempts.push(attempt);
        if (attempt < 2) throw refused();
        return `ok on ${attempt}`;
      },
      { backoff: noDelay, onRetry: (event) => events.push(event) },
    );
    expect(result).toBe('ok on 2');
    expect(attempts).toEqual([0, 1, 2]);
    expect(events.map((e) => e.attempt)).toEqual([1, 2]);
  });

  it('gives up after maxRetries with the last error', async () => {
    let calls = 0;
    const error = await retryAsync(
      async ({ attempt }) => {
        calls++;
        throw new Error(`fail ${attempt}`);
      },
      { maxRetries: 3, backoff: noDelay },
    ).catch((e: unknown) => e);
    expect(calls).toBe(4);
    expect((error as Error).message).toBe('fail 3');
  });

  it('does not retry what shouldRetry refuses', async () => {
    let calls = 0;
    await expect(
      retryAsync(
        async () => {
          calls++;
          throw new Error('a bug, not an outage');
        },
        { backoff: noDelay, shouldRetry: (error) => isRetryable({ method: 'GET', error }) },
      ),
    ).rejects.toThrow('a bug');
    expect(calls).toBe(1);
  });

  it('waits the Retry-After a decision carries instead of the backoff', async () => {
    const delays: number[] = [];
    await retryAsync(
      async ({ attempt }) => {
        if (attempt === 0) throw Object.assign(new Error('429'), { status: 429 });
        return 'ok';
      },
      {
        shouldRetry: () => isRetryable({ method: 'GET', status: 429, retryAfter: '0' }),
        onRetry: (e) => delays.push(e.delayMs),
      },
    );
    expect(delays).toEqual([0]);
  });

  it('aborts a try after perTryTimeoutMs and retries it', async () => {
    const aborted: unknown[] = [];
    const started = performance.now();
    const result = await retryAsync(
      ({ attempt, signal }) =>
        new Promise<string>((resolve) => {
          signal.addEventListener('abort', () => aborted.push(signal.reason));
          // The first try hangs (and ignores its signal), the second answers.
          if (attempt === 1) resolve('second');
        }),
      { perTryTimeoutMs: 30, backoff: noDelay },
    );
    expect(result).toBe('second');
    expect(aborted).toHaveLength(1);
    expect(isTimeoutError(aborted[0])).toBe(true);
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
  });

  it('rejects with ERR_SREKIT_ENGINE_TIMEOUT when the overall deadline passes', async () => {
    const started = performance.now();
    const error = await retryAsync(() => new Promise<never>(() => undefined), {
      perTryTimeoutMs: 40,
      deadlineMs: 100,
      maxRetries: 100,
      backoff: noDelay,
    }).catch((e: unknown) => e);
    const elapsed = performance.now() - started;
    expect(isTimeoutError(error)).toBe(true);
    expect(isSrekitError(error) && isTimeoutError(error.cause)).toBe(true);
    expect(elapsed).toBeGreaterThanOrEqual(95);
    expect(elapsed).toBeLessThan(400);
  });

  it('does not start a retry whose delay would end past the deadline', async () => {
    let calls = 0;
    const started = performance.now();
    await expect(
      retryAsync(
        async () => {
          calls++;
          throw new Error('down');
        },
        { deadlineMs: 1_000, backoff: { baseMs: 5_000, maxMs: 5_000, random: () => 0.99 } },
      ),
    ).rejects.toThrow('down');
    expect(calls).toBe(1);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it("stops at once when the caller's signal aborts, with its reason", async () => {
    const controller = new AbortController();
    let trySignal: AbortSignal | undefined;
    const call = retryAsync(
      ({ signal }) => {
        trySignal = signal;
        return new Promise<never>(() => undefined);
      },
      { signal: controller.signal },
    );
    setTimeout(() => controller.abort(new Error('client went away')), 10);
    await expect(call).rejects.toThrow('client went away');
    expect(trySignal?.aborted).toBe(true);
  });

  it('stops retrying when the shared budget is spent, and frees it afterwards', async () => {
    const budget = new RetryBudget({ budgetPercent: 0, minRetryConcurrency: 1 });
    let maxSeen = 0;
    let calls = 0;
    const call = () =>
      retryAsync(
        async () => {
          calls++;
          maxSeen = Math.max(maxSeen, budget.activeRetries);
          await new Promise((r) => setTimeout(r, 5));
          throw refused();
        },
        { budget, maxRetries: 5, backoff: noDelay },
      );
    const results = await Promise.allSettled(Array.from({ length: 10 }, call));
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    expect(maxSeen).toBeLessThanOrEqual(1);
    // Without the budget this would be 10 × 6 = 60 tries.
    expect(calls).toBeLessThan(20);
    expect(budget.activeRequests).toBe(0);
    expect(budget.activeRetries).toBe(0);
  });

  it('under load, no retry is admitted beyond the budget', async () => {
    const budget = new RetryBudget({ budgetPercent: 20, minRetryConcurrency: 3 });
    let violations = 0;
    let retries = 0;
    let peakRetries = 0;
    const call = (i: number) =>
      retryAsync(
        async () => {
          await new Promise((r) => setTimeout(r, 1 + (i % 7)));
          if (i % 2 === 0) throw refused();
          return i;
        },
        {
          budget,
          maxRetries: 3,
          backoff: { baseMs: 1, maxMs: 3 },
          // Called right after the budget admitted the retry.
          onRetry: () => {
            retries++;
            peakRetries = Math.max(peakRetries, budget.activeRetries);
            if (budget.activeRetries > Math.max(3, Math.floor(0.2 * budget.activeRequests))) {
              violations++;
            }
          },
        },
      ).catch(() => -1);
    await Promise.all(Array.from({ length: 200 }, (_, i) => call(i)));
    expect(retries).toBeGreaterThan(0);
    // 100 failing calls × 3 retries without a budget; with it, far fewer.
    expect(retries).toBeLessThan(300);
    expect(peakRetries).toBeLessThanOrEqual(40);
    expect(violations).toBe(0);
    expect(budget.activeRetries).toBe(0);
    expect(budget.activeRequests).toBe(0);
  });

  it('refuses bad options', async () => {
    await expect(retryAsync(async () => 1, { maxRetries: -1 })).rejects.toThrow(/maxRetries/);
    await expect(retryAsync(async () => 1, { perTryTimeoutMs: 0 })).rejects.toThrow(
      /perTryTimeoutMs/,
    );
  });
});
