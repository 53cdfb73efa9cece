import type { Redis } from 'ioredis';
import { JWT_DEFAULTS } from '../defaults.js';
import { withTimeout } from '../with-timeout.js';
import type {
  RefreshConsumeOutcome,
  RefreshTokenStore,
  TrackedAccessToken,
} from './refresh-token-store.js';

/** Options of {@link RedisRefreshTokenStore}. */
export interface RedisRefreshTokenStoreOptions {
  /** Key prefix. Default `srekit:jwt:refresh:`. */
  readonly prefix?: string;
  /**
   * Give up on a command after this long (a paused or partitioned Redis never answers); the
   * issuer then answers `store_unavailable`. Default 500 ms.
   */
  readonly timeoutMs?: number;
}

// KEYS[1] family revoked flag, KEYS[2] used mark; ARGV[1] mark expiry (epoch ms)
const CONSUME = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 'revoked' end
if redis.call('SET', KEYS[2], '1', 'NX', 'PXAT', ARGV[1]) then return 'fresh' end
return 'reused'`;

// KEYS[1] family revoked flag, KEYS[2] family's access tokens; ARGV[1] member, ARGV[2] expiry (epoch ms)
const TRACK = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('SADD', KEYS[2], ARGV[1])
local ttl = redis.call('PEXPIRETIME', KEYS[2])
if ttl < tonumber(ARGV[2]) then redis.call('PEXPIREAT', KEYS[2], ARGV[2]) end
return 1`;

// KEYS[1] family revoked flag, KEYS[2] family's access tokens; ARGV[1] flag expiry (epoch ms)
const REVOKE = `
redis.call('SET', KEYS[1], '1', 'PXAT', ARGV[1])
local members = redis.call('SMEMBERS', KEYS[2])
redis.call('DEL', KEYS[2])
return members`;

/**
 * {@link RefreshTokenStore} in Redis, shared by every instance. Each operation is one Lua script,
 * so Redis runs it atomically: of two concurrent rotations of one refresh token exactly one sees
 * `'fresh'`. Keys expire with the tokens they describe. Needs Redis ≥ 7 (`PEXPIRETIME`).
 *
 * @example
 * ```ts
 * const refreshStore = new RedisRefreshTokenStore(new Redis(process.env.REDIS_URL));
 * const issuer = new JwtIssuer({ ..., refreshStore, revocation: new RedisRevocationStore(redis) });
 * ```
 */
export class RedisRefreshTokenStore implements RefreshTokenStore {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #timeoutMs: number;

  constructor(redis: Redis, options: RedisRefreshTokenStoreOptions = {}) {
    this.#redis = redis;
    this.#prefix = options.prefix ?? JWT_DEFAULTS.refreshRedisPrefix;
    this.#timeoutMs = options.timeoutMs ?? JWT_DEFAULTS.refreshRedisTimeoutMs;
  }

  /** Runs a script within the time limit. */
  #eval(script: string, keys: readonly string[], ...args: string[]): Promise<unknown> {
    return withTimeout(
      this.#redis.eval(script, keys.length, ...keys, ...args),
      this.#timeoutMs,
      'Redis refresh-token store',
    );
  }

  async consume(
    familyId: string,
    jti: string,
    expiresAtSeconds: number,
  ): Promise<RefreshConsumeOutcome> {
    const outcome = await this.#eval(
      CONSUME,
      [`${this.#prefix}family:${familyId}:revoked`, `${this.#prefix}used:${jti}`],
      String(Math.floor(expiresAtSeconds * 1000)),
    );
    return outcome as RefreshConsumeOutcome;
  }

  async trackAccessToken(familyId: string, token: TrackedAccessToken): Promise<boolean> {
    const tracked = await this.#eval(
      TRACK,
      [`${this.#prefix}family:${familyId}:revoked`, `${this.#prefix}family:${familyId}:access`],
      `${token.exp}:${token.jti}`,
      String(Math.floor(token.exp * 1000)),
    );
    return tracked === 1;
  }

  async revokeFamily(
    familyId: string,
    untilSeconds: number,
  ): Promise<readonly TrackedAccessToken[]> {
    const members = (await this.#eval(
      REVOKE,
      [`${this.#prefix}family:${familyId}:revoked`, `${this.#prefix}family:${familyId}:access`],
      String(Math.floor(untilSeconds * 1000)),
    )) as string[];
    return members.map((member) => {
      const split = member.indexOf(':');
      return { exp: Number(member.slice(0, split)), jti: member.slice(split + 1) };
    });
  }
}
