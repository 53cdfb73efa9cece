import type { Redis } from 'ioredis';
import { JWT_DEFAULTS } from '../defaults.js';
import { withTimeout } from '../with-timeout.js';
import type { RevocationStore } from './revocation-store.js';

/** Options of {@link RedisRevocationStore}. */
export interface RedisRevocationStoreOptions {
  /** Key prefix. Default `srekit:jwt:revoked:`. */
  readonly prefix?: string;
  /**
   * Give up on a command after this long (a paused or partitioned Redis never answers); the
   * verifier then applies its fail-open/closed choice. Default 500 ms.
   */
  readonly timeoutMs?: number;
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
  readonly #timeoutMs: number;

  constructor(redis: Redis, options: RedisRevocationStoreOptions = {}) {
    this.#redis = redis;
    this.#prefix = options.prefix ?? JWT_DEFAULTS.revocationRedisPrefix;
    this.#timeoutMs = options.timeoutMs ?? JWT_DEFAULTS.revocationRedisTimeoutMs;
  }

  async revoke(jti: string, expiresAtSeconds: number): Promise<void> {
    const untilMs = Math.floor(expiresAtSeconds * 1000);
    if (untilMs <= Date.now()) return;
    await withTimeout(
      this.#redis.set(this.#prefix + jti, '1', 'PXAT', untilMs),
      this.#timeoutMs,
      'Redis revocation store',
    );
  }

  async isRevoked(jti: string): Promise<boolean> {
    const found = await withTimeout(
      this.#redis.exists(this.#prefix + jti),
      this.#timeoutMs,
      'Redis revocation store',
    );
    return found === 1;
  }
}
