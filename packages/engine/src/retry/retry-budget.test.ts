import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Release, RetryBudget } from './retry-budget.js';

describe('RetryBudget', () => {
  it('always allows minRetryConcurrency retries, even with no request in flight', () => {
    const budget = new RetryBudget({ budgetPercent: 20, minRetryConcurrency: 3 });
    const retries = [budget.tryStartRetry(), budget.tryStartRetry(), budget.tryStartRetry()];
    expect(retries.every((r) => r !== undefined)).toBe(true);
    expect(budget.tryStartRetry()).toBeUndefined();
    retries[0]?.();
    expect(budget.tryStartRetry()).toBeDefined();
  });

  it('allows 20 % of the requests in flight above the minimum', () => {
    const budget = new RetryBudget({ budgetPercent: 20, minRetryConcurrency: 3 });
    const requests = Array.from({ length: 100 }, () => budget.startRequest());
    expect(budget.maxRetries).toBe(20);
    const granted = Array.from({ length: 50 }, () => budget.tryStartRetry()).filter(Boolean);
    expect(granted).toHaveLength(20);
    for (const release of requests.slice(0, 50)) release();
    // 50 requests left: 10 retries allowed, 20 still in flight, so none more.
    expect(budget.tryStartRetry()).toBeUndefined();
  });

  it('releases are idempotent', () => {
    const budget = new RetryBudget();
    const done = budget.startRequest();
    done();
    done();
    expect(budget.activeRequests).toBe(0);
    const retry = budget.tryStartRetry();
    retry?.();
    retry?.();
    expect(budget.activeRetries).toBe(0);
  });

  it('under any load, a granted retry never takes retries in flight above the budget', () => {
    const op = fc.oneof(
      fc.constant({ kind: 'start' as const }),
      fc.record({ kind: fc.constant('end' as const), index: fc.nat() }),
      fc.constant({ kind: 'retry' as const }),
      fc.record({ kind: fc.constant('retryEnd' as const), index: fc.nat() }),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 0, max: 10 }),
        fc.array(op, { maxLength: 400 }),
        (percent, min, ops) => {
          const budget = new RetryBudget({ budgetPercent: percent, minRetryConcurrency: min });
          const requests: Release[] = [];
          const retries: Release[] = [];
          for (const o of ops) {
            if (o.kind === 'start') requests.push(budget.startRequest());
            else if (o.kind === 'end' && requests.length > 0) {
              requests.splice(o.index % requests.length, 1)[0]?.();
            } else if (o.kind === 'retry') {
              const allowed = Math.max(min, Math.floor((percent * requests.length) / 100));
              const retry = budget.tryStartRetry();
              if (retry) {
                retries.push(retry);
                expect(retries.length).toBeLessThanOrEqual(allowed);
              } else {
                expect(retries.length).toBeGreaterThanOrEqual(allowed);
              }
            } else if (o.kind === 'retryEnd' && retries.length > 0) {
              retries.splice(o.index % retries.length, 1)[0]?.();
            }
            expect(budget.activeRequests).toBe(requests.length);
            expect(budget.activeRetries).toBe(retries.length);
          }
        },
      ),
    );
  });

  it('refuses bad options', () => {
    expect(() => new RetryBudget({ budgetPercent: -1 })).toThrow(/budgetPercent/);
    expect(() => new RetryBudget({ minRetryConcurrency: 1.5 })).toThrow(/minRetryConcurrency/);
  });
});
