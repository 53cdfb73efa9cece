import { SrekitError } from '@srekit/core';
import type {
  ClientRateLimitInfo,
  IncrementResponse,
  Options as LimiterOptions,
  Store,
} from 'express-rate-limit';
import { type RedisReply, RedisStore } from 'rate-limit-redis';
import { SECURITY_ERROR_CODES } from '../errors.js';
import { withTimeout } from '../with-timeout.js';

const STORE_ERROR = Symbol.for('srekit.security.rateLimitStoreError');

/** A store call failed or timed out; the limiter applies its fail-open/closed choice. */
export interface StoreUnavailableError extends SrekitError {
  readonly [STORE_ERROR]: GuardedStore;
}

/** True when `error` is a store failure raised by `store` (not by another limiter's store). */
export function isStoreUnavailable(
  error: unknown,
  store: GuardedStore,
): error is StoreUnavailableError {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as Partial<StoreUnavailableError>)[STORE_ERROR] === store
  );
}

/** The Redis client surface the store needs (ioredis's `Redis`: `client.call(command, ...args)`). */
export interface RedisCommandClient {
  call(command: string, ...args: (string | number)[]): Promise<unknown>;
}

/** Callbacks of a {@link GuardedStore}. */
export interface GuardedStoreEvents {
  /** The store answered again after one or more failures. */
  onRecovered?(failures: number): void;
  /** Store initialisation (Redis script loading) failed; requests retry it. */
  onInitFailed?(error: unknown): void;
}

/**
 * Wraps a shared store (Redis) so that a call never takes longer than `timeoutMs` and every
 * failure surfaces as one recognisable error. Also repairs rate-limit-redis after an outage: a
 * script load that failed at start-up would otherwise be awaited, rejected, forever.
 */
export class GuardedStore implements Store {
  readonly inner: Store;
  readonly localKeys: boolean;
  readonly prefix: string | undefined;
  readonly #timeoutMs: number;
  readonly #events: GuardedStoreEvents;
  #failures = 0;
  #scriptsFailed = false;

  constructor(inner: Store, timeoutMs: number, events: GuardedStoreEvents = {}) {
    this.inner = inner;
    this.localKeys = inner.localKeys ?? false;
    this.prefix = inner.prefix;
    this.#timeoutMs = timeoutMs;
    this.#events = events;
  }

  async init(options: LimiterOptions): Promise<void> {
    try {
      await this.#bounded(Promise.resolve(this.inner.init?.(options)));
    } catch (error) {
      this.#failures++;
      this.#scriptsFailed = true;
      this.#events.onInitFailed?.(error);
    }
  }

  async increment(key: string): Promise<IncrementResponse> {
    if (this.#scriptsFailed) this.#reloadScripts();
    try {
      const result = await this.#bounded(Promise.resolve(this.inner.increment(key)));
      if (this.#failures > 0) {
        const failures = this.#failures;
        this.#failures = 0;
        this.#events.onRecovered?.(failures);
      }
      return result;
    } catch (error) {
      this.#failures++;
      this.#watchScripts();
      throw this.#unavailable(error);
    }
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    try {
      return await this.#bounded(Promise.resolve(this.inner.get?.(key)));
    } catch (error) {
      throw this.#unavailable(error);
    }
  }

  async decrement(key: string): Promise<void> {
    try {
      await this.#bounded(Promise.resolve(this.inner.decrement(key)));
    } catch (error) {
      throw this.#unavailable(error);
    }
  }

  async resetKey(key: string): Promise<void> {
    try {
      await this.#bounded(Promise.resolve(this.inner.resetKey(key)));
    } catch (error) {
      throw this.#unavailable(error);
    }
  }

  async shutdown(): Promise<void> {
    await this.inner.shutdown?.();
  }

  #unavailable(cause: unknown): StoreUnavailableError {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const error = new SrekitError(
      SECURITY_ERROR_CODES.STORE_UNAVAILABLE,
      `Rate-limit store unavailable: ${reason}`,
      { cause },
    );
    return Object.assign(error, { [STORE_ERROR]: this }) as StoreUnavailableError;
  }

  #bounded<T>(work: Promise<T>): Promise<T> {
    return withTimeout(work, this.#timeoutMs, 'rate-limit store');
  }

  /** Notes a script load that failed: rate-limit-redis only reloads on NOSCRIPT. */
  #watchScripts(): void {
    if (!(this.inner instanceof RedisStore)) return;
    this.inner.incrementScriptSha?.then(undefined, () => {
      this.#scriptsFailed = true;
    });
  }

  #reloadScripts(): void {
    const store = this.inner;
    if (!(store instanceof RedisStore)) return;
    this.#scriptsFailed = false;
    const loading = store.loadIncrementScript();
    loading.catch(() => {
      this.#scriptsFailed = true;
    });
    store.incrementScriptSha = loading;
  }
}

/** A rate-limit-redis store over `client`, keys prefixed with `prefix`. */
export function redisStore(client: RedisCommandClient, prefix: string): RedisStore {
  return new RedisStore({
    prefix,
    sendCommand: (command: string, ...args: string[]) =>
      client.call(command, ...args) as Promise<RedisReply>,
  });
}
