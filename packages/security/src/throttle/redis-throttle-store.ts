import type { Redis } from 'ioredis';
import { LOGIN_THROTTLE_DEFAULTS } from '../defaults.js';
import { withTimeout } from '../with-timeout.js';
import type {
  ThrottleKeys,
  ThrottleScope,
  ThrottleState,
  ThrottleStore,
} from './throttle-store.js';

/** Options of {@link RedisThrottleStore}. */
export interface RedisThrottleStoreOptions {
  /** Key prefix. Default `'srekit:throttle:'`. */
  readonly prefix?: string;
  /** Give up on a command after this long; the throttle's `failOpen` choice applies. Default 500 ms. */
  readonly timeoutMs?: number;
}

// KEYS: pair, ip, account counters (hashes f = failures, t = last failure ms), the account's
// sources (sorted set scored by time), the pair, ip and account locks.
// ARGV: now ms, window ms, source, 1 to add a failure / 0 to read.
const STATE = `
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local out = {}
for i = 1, 3 do
  if ARGV[4] == '1' then
    local t = tonumber(redis.call('HGET', KEYS[i], 't') or '0')
    if now - t >= window then redis.call('DEL', KEYS[i]) end
    redis.call('HINCRBY', KEYS[i], 'f', 1)
    redis.call('HSET', KEYS[i], 't', ARGV[1])
    redis.call('PEXPIRE', KEYS[i], window)
  end
  local v = redis.call('HMGET', KEYS[i], 'f', 't')
  out[#out + 1] = tonumber(v[1] or '0')
  out[#out + 1] = tonumber(v[2] or '0')
end
if ARGV[4] == '1' then
  redis.call('ZADD', KEYS[4], now, ARGV[3])
  redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now - window)
  redis.call('PEXPIRE', KEYS[4], window)
end
out[#out + 1] = redis.call('ZCOUNT', KEYS[4], now - window + 1, '+inf')
for i = 5, 7 do out[#out + 1] = tonumber(redis.call('GET', KEYS[i]) or '0') end
return out`;

/**
 * A {@link ThrottleStore} on Redis (ioredis), shared by every instance: one Lua script per read
 * or failure, so counts from several instances add up exactly; locks are `SET NX PX`.
 * Counters expire `windowMs` after the last failure. (A Redis Cluster needs the keys in one
 * slot: give the store a prefix with a hash tag, e.g. `'{throttle}:'`.)
 *
 * @example
 * ```ts
 * const throttle = new LoginThrottle({ store: new RedisThrottleStore(new Redis(process.env.REDIS_URL)) });
 * ```
 */
export class RedisThrottleStore implements ThrottleStore {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #timeoutMs: number;

  constructor(redis: Redis, options: RedisThrottleStoreOptions = {}) {
    this.#redis = redis;
    this.#prefix = options.prefix ?? LOGIN_THROTTLE_DEFAULTS.redisPrefix;
    this.#timeoutMs = options.timeoutMs ?? LOGIN_THROTTLE_DEFAULTS.redisTimeoutMs;
  }

  read(keys: ThrottleKeys, nowMs: number, windowMs: number): Promise<ThrottleState> {
    return this.#state(keys, nowMs, windowMs, false);
  }

  recordFailure(keys: ThrottleKeys, nowMs: number, windowMs: number): Promise<ThrottleState> {
    return this.#state(keys, nowMs, windowMs, true);
  }

  async lock(scope: ThrottleScope, key: string, untilMs: number, nowMs: number): Promise<boolean> {
    const ttl = Math.max(1, Math.ceil(untilMs - nowMs));
    const result = await this.#run(
      this.#redis.set(this.#lockKey(scope, key), String(untilMs), 'PX', ttl, 'NX'),
    );
    return result === 'OK';
  }

  async reset(keys: { readonly pair?: string; readonly account?: string }): Promise<void> {
    const doomed: string[] = [];
    if (keys.pair !== undefined)
      doomed.push(`${this.#prefix}pair:${keys.pair}`, this.#lockKey('pair', keys.pair));
    if (keys.account !== undefined) {
      doomed.push(
        `${this.#prefix}account:${keys.account}`,
        `${this.#prefix}sources:${keys.account}`,
        this.#lockKey('account', keys.account),
      );
    }
    if (doomed.length > 0) await this.#run(this.#redis.del(...doomed));
  }

  async #state(
    keys: ThrottleKeys,
    nowMs: number,
    windowMs: number,
    add: boolean,
  ): Promise<ThrottleState> {
    const p = this.#prefix;
    const raw = (await this.#run(
      this.#redis.eval(
        STATE,
        7,
        `${p}pair:${keys.pair}`,
        `${p}ip:${keys.ip}`,
        `${p}account:${keys.account}`,
        `${p}sources:${keys.account}`,
        this.#lockKey('pair', keys.pair),
        this.#lockKey('ip', keys.ip),
        this.#lockKey('account', keys.account),
        nowMs,
        windowMs,
        keys.ip,
        add ? '1' : '0',
      ),
    )) as number[];
    const counter = (i: number) => {
      const failures = raw[i] ?? 0;
      const lastFailureMs = raw[i + 1] ?? 0;
      // Redis expires the key; the check keeps reads exact between expiry ticks.
      return nowMs - lastFailureMs >= windowMs
        ? { failures: 0, lastFailureMs: 0 }
        : { failures, lastFailureMs };
    };
    const lock = (value: number | undefined) => ((value ?? 0) > nowMs ? (value as number) : 0);
    return {
      pair: counter(0),
      ip: counter(2),
      account: counter(4),
      accountSources: raw[6] ?? 0,
      lockedUntilMs: { pair: lock(raw[7]), ip: lock(raw[8]), account: lock(raw[9]) },
    };
  }

  #lockKey(scope: ThrottleScope, key: string): string {
    return `${this.#prefix}lock:${scope}:${key}`;
  }

  #run<T>(promise: Promise<T>): Promise<T> {
    return withTimeout(promise, this.#timeoutMs, 'Redis login-throttle store');
  }
}
