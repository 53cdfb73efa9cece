import type { IncrementResponse, Options, Store } from 'express-rate-limit';
import { describe, expect, it } from 'vitest';
import { SECURITY_ERROR_CODES } from '../errors.js';
import { GuardedStore, isStoreUnavailable } from './guarded-store.js';

/** A store whose next answers the test decides. */
class ScriptedStore implements Store {
  readonly localKeys = false;
  readonly prefix = 'p:';
  mode: 'ok' | 'fail' | 'hang' = 'ok';
  increment(): Promise<IncrementResponse> {
    if (this.mode === 'fail') return Promise.reject(new Error('ECONNREFUSED'));
    if (this.mode === 'hang') return new Promise(() => undefined);
    return Promise.resolve({ totalHits: 1, resetTime: new Date() });
  }
  decrement(): void {}
  resetKey(): void {}
}

describe('GuardedStore', () => {
  it('passes answers through and keeps the inner prefix for express-rate-limit', async () => {
    const store = new GuardedStore(new ScriptedStore(), 100);
    await expect(store.increment('k')).resolves.toMatchObject({ totalHits: 1 });
    expect(store.prefix).toBe('p:');
    expect(store.localKeys).toBe(false);
  });

  it('turns a failure into STORE_UNAVAILABLE tagged with this store only', async () => {
    const inner = new ScriptedStore();
    inner.mode = 'fail';
    const store = new GuardedStore(inner, 100);
    const other = new GuardedStore(inner, 100);
    const error = await store.increment('k').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: SECURITY_ERROR_CODES.STORE_UNAVAILABLE });
    expect(String((error as Error).message)).toContain('ECONNREFUSED');
    expect(isStoreUnavailable(error, store)).toBe(true);
    expect(isStoreUnavailable(error, other)).toBe(false);
    expect(isStoreUnavailable(new Error('x'), store)).toBe(false);
  });

  it('bounds a call that never answers by the timeout', async () => {
    const inner = new ScriptedStore();
    inner.mode = 'hang';
    const store = new GuardedStore(inner, 50);
    const started = performance.now();
    const error = await store.increment('k').catch((e: unknown) => e);
    expect(isStoreUnavailable(error, store)).toBe(true);
    expect(String((error as Error).message)).toContain('timed out after 50 ms');
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('reports recovery once, with the number of failures', async () => {
    const inner = new ScriptedStore();
    const recovered: number[] = [];
    const store = new GuardedStore(inner, 100, { onRecovered: (n) => recovered.push(n) });
    inner.mode = 'fail';
    await store.increment('k').catch(() => undefined);
    await store.increment('k').catch(() => undefined);
    inner.mode = 'ok';
    await store.increment('k');
    await store.increment('k');
    expect(recovered).toEqual([2]);
  });

  it('reports a failed init instead of rejecting', async () => {
    const inner = new ScriptedStore() as ScriptedStore & { init(o: Options): Promise<void> };
    inner.init = () => Promise.reject(new Error('NOAUTH'));
    const failures: unknown[] = [];
    const store = new GuardedStore(inner, 100, { onInitFailed: (e) => failures.push(e) });
    await expect(store.init({} as Options)).resolves.toBeUndefined();
    expect(failures).toHaveLength(1);
  });
});
