import type { Redis } from 'ioredis';
import { JWT_DEFAULTS } from '../defaults.js';
import type { RevocationStore } from './revocation-store.js';

/** Options of {@link RedisRevocationStore}. */
export interface RedisRevocationStoreOptions {
  /** Key prefix. Default `srekit:jwt:revoked:`. */
  readonly prefix?: string;
}

/**
 * {@link RevocationStore} in Redis, shared by every instance. One key per revoked `jti`, expiring
 * with the token (`SET … PXAT`), so Redis forgets it when the token is dead anyway. Commands fail
 * when Redis is down; the verifier then applies its fail-open/closed choice.
 *
 * @example
 * ```ts
 * const revocation = new RedisRevocationStore(new Redis(process.env.REDIS_URL));
 * ```
 */
export class RedisRevocationStore implements RevocationStore {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, options: RedisRevocationStoreOptions = {}) {
    this.#redis = redis;
    this.#prefix = options.prefix ?? JWT_DEFAULTS.revocationRedisPrefix;
  }

  async revoke(jti: string, expiresAtSeconds: number): Promise<void> {
    const untilMs = Math.floor(expiresAtSeconds * 1000);
    if (untilMs <= Date.now()) return;
    await this.#redis.set(this.#prefix + jti, '1', 'PXAT', untilMs);
  }

  async isRevoked(jti: string): Promise<boolean> {
    return (await this.#redis.exists(this.#prefix + jti)) === 1;
  }
}
