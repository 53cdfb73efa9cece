/**
 * A deny list of revoked token ids (`jti`). Each entry lives until the token would have expired
 * anyway, so the list never grows past the tokens still alive.
 */
export interface RevocationStore {
  /** Puts `jti` on the deny list until `expiresAtSeconds` (the token's `exp`, epoch seconds). */
  revoke(jti: string, expiresAtSeconds: number): Promise<void>;
  /** True while `jti` is on the deny list. Rejects when the store cannot answer. */
  isRevoked(jti: string): Promise<boolean>;
}

/** Options of {@link MemoryRevocationStore}. */
export interface MemoryRevocationStoreOptions {
  /** Clock in epoch milliseconds. Default `Date.now`. */
  readonly now?: () => number;
}

/**
 * In-process {@link RevocationStore}, for one instance or tests. Expired entries are swept as new
 * ones arrive. Use `RedisRevocationStore` when several instances must share the list.
 *
 * @example
 * ```ts
 * const revocation = new MemoryRevocationStore();
 * app.use(jwtAuth({ algorithms: ['ES256'], issuer, audience, jwks, revocation }));
 * await revocation.revoke(claims.jti, claims.exp); // on logout
 * ```
 */
export class MemoryRevocationStore implements RevocationStore {
  readonly #until = new Map<string, number>();
  readonly #now: () => number;
  #sweepAt = 1024;

  constructor(options: MemoryRevocationStoreOptions = {}) {
    this.#now = options.now ?? Date.now;
  }

  revoke(jti: string, expiresAtSeconds: number): Promise<void> {
    const until = expiresAtSeconds * 1000;
    if (until > this.#now()) this.#until.set(jti, Math.max(until, this.#until.get(jti) ?? 0));
    if (this.#until.size >= this.#sweepAt) this.#sweep();
    return Promise.resolve();
  }

  isRevoked(jti: string): Promise<boolean> {
    const until = this.#until.get(jti);
    if (until === undefined) return Promise.resolve(false);
    if (until > this.#now()) return Promise.resolve(true);
    this.#until.delete(jti);
    return Promise.resolve(false);
  }

  /** Number of entries held (expired ones included until swept). */
  get size(): number {
    return this.#until.size;
  }

  #sweep(): void {
    const at = this.#now();
    for (const [jti, until] of this.#until) if (until <= at) this.#until.delete(jti);
    this.#sweepAt = Math.max(1024, this.#until.size * 2);
  }
}
