import type { Redis } from 'ioredis';
import { TOTP_DEFAULTS } from '../defaults.js';
import { withTimeout } from '../with-timeout.js';
import type { TotpStore } from './totp-store.js';

/** Options of {@link RedisTotpStore}. */
export interface RedisTotpStoreOptions {
  /** Key prefix. Default `'srekit:totp:'`. */
  readonly prefix?: string;
  /** Give up on a command after this long; `Totp` then fails closed. Default 500 ms. */
  readonly timeoutMs?: number;
}

// Compare-and-set in one step so two instances cannot both accept the same code.
const USE_STEP = `
local last = redis.call('GET', KEYS[1])
if last and tonumber(last) >= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1`;

/**
 * A {@link TotpStore} on Redis (ioredis), shared by every instance: the last accepted step is set
 * by a Lua compare-and-set, recovery codes live in a set and are consumed with `SREM`.
 *
 * @example
 * ```ts
 * const totp = new Totp({ store: new RedisTotpStore(new Redis(process.env.REDIS_URL)) });
 * ```
 */
export class RedisTotpStore implements TotpStore {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #timeoutMs: number;

  constructor(redis: Redis, options: RedisTotpStoreOptions = {}) {
    this.#redis = redis;
    this.#prefix = options.prefix ?? TOTP_DEFAULTS.redisPrefix;
    this.#timeoutMs = options.timeoutMs ?? TOTP_DEFAULTS.redisTimeoutMs;
  }

  async useStep(account: string, step: number, ttlMs: number): Promise<boolean> {
    const key = `${this.#prefix}step:${account}`;
    const result = await this.#run(this.#redis.eval(USE_STEP, 1, key, step, Math.ceil(ttlMs)));
    return result === 1;
  }

  async setRecoveryCodes(account: string, hashes: readonly string[]): Promise<void> {
    const key = `${this.#prefix}rc:${account}`;
    const multi = this.#redis.multi().del(key);
    if (hashes.length > 0) multi.sadd(key, ...hashes);
    const results = await this.#run(multi.exec());
    const failed = results?.find(([error]) => error);
    if (!results || failed) throw failed?.[0] ?? new Error('recovery codes transaction aborted');
  }

  async consumeRecoveryCode(account: string, hash: string): Promise<boolean> {
    return (await this.#run(this.#redis.srem(`${this.#prefix}rc:${account}`, hash))) === 1;
  }

  countRecoveryCodes(account: string): Promise<number> {
    return this.#run(this.#redis.scard(`${this.#prefix}rc:${account}`));
  }

  #run<T>(promise: Promise<T>): Promise<T> {
    return withTimeout(promise, this.#timeoutMs, 'Redis TOTP store');
  }
}
