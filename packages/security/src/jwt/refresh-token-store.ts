/** What {@link RefreshTokenStore.consume} found. */
export type RefreshConsumeOutcome =
  /** First use: the token is now marked used; rotation may go on. */
  | 'fresh'
  /** Already used: someone replays it (RFC 9700 §4.14.2); revoke the family. */
  | 'reused'
  /** Its family was revoked earlier. */
  | 'revoked';

/** An access token issued in a family, kept so a reuse can put it on the deny list. */
export interface TrackedAccessToken {
  readonly jti: string;
  /** Its `exp`, epoch seconds. */
  readonly exp: number;
}

/**
 * State of refresh-token families for rotation with reuse detection. Every method must be
 * atomic: two concurrent `consume()` calls for one token must see exactly one `'fresh'`.
 */
export interface RefreshTokenStore {
  /**
   * Marks refresh token `jti` of `familyId` used, unless it already was or the family is revoked.
   * The mark lives until `expiresAtSeconds` (the token's `exp`).
   */
  consume(familyId: string, jti: string, expiresAtSeconds: number): Promise<RefreshConsumeOutcome>;
  /**
   * Records an access token issued in the family. Answers `false` (and records nothing) when the
   * family is already revoked, so a rotation racing a revocation cannot hand out a live token.
   */
  trackAccessToken(familyId: string, token: TrackedAccessToken): Promise<boolean>;
  /**
   * Revokes the family until `untilSeconds` (epoch seconds; past every refresh token it may hold)
   * and answers the access tokens recorded in it.
   */
  revokeFamily(familyId: string, untilSeconds: number): Promise<readonly TrackedAccessToken[]>;
}

/** Options of {@link MemoryRefreshTokenStore}. */
export interface MemoryRefreshTokenStoreOptions {
  /** Clock in epoch milliseconds. Default `Date.now`. */
  readonly now?: () => number;
}

/**
 * In-process {@link RefreshTokenStore}: one instance or tests. Each method runs without awaiting,
 * so it is atomic within the process. Use `RedisRefreshTokenStore` for several instances.
 */
export class MemoryRefreshTokenStore implements RefreshTokenStore {
  readonly #used = new Map<string, number>();
  readonly #revoked = new Map<string, number>();
  readonly #access = new Map<string, TrackedAccessToken[]>();
  readonly #now: () => number;
  #sweepAt = 1024;

  constructor(options: MemoryRefreshTokenStoreOptions = {}) {
    this.#now = options.now ?? Date.now;
  }

  consume(familyId: string, jti: string, expiresAtSeconds: number): Promise<RefreshConsumeOutcome> {
    const at = this.#now();
    if ((this.#revoked.get(familyId) ?? 0) > at) return Promise.resolve('revoked');
    if ((this.#used.get(jti) ?? 0) > at) return Promise.resolve('reused');
    this.#used.set(jti, expiresAtSeconds * 1000);
    if (this.#used.size >= this.#sweepAt) this.#sweep(at);
    return Promise.resolve('fresh');
  }

  trackAccessToken(familyId: string, token: TrackedAccessToken): Promise<boolean> {
    const at = this.#now();
    if ((this.#revoked.get(familyId) ?? 0) > at) return Promise.resolve(false);
    const live = (this.#access.get(familyId) ?? []).filter((t) => t.exp * 1000 > at);
    live.push(token);
    this.#access.set(familyId, live);
    return Promise.resolve(true);
  }

  revokeFamily(familyId: string, untilSeconds: number): Promise<readonly TrackedAccessToken[]> {
    this.#revoked.set(familyId, Math.max(untilSeconds * 1000, this.#revoked.get(familyId) ?? 0));
    const tracked = this.#access.get(familyId) ?? [];
    this.#access.delete(familyId);
    return Promise.resolve(tracked);
  }

  #sweep(at: number): void {
    for (const [jti, until] of this.#used) if (until <= at) this.#used.delete(jti);
    for (const [family, until] of this.#revoked) if (until <= at) this.#revoked.delete(family);
    for (const [family, tokens] of this.#access) {
      if (tokens.every((t) => t.exp * 1000 <= at)) this.#access.delete(family);
    }
    this.#sweepAt = Math.max(1024, this.#used.size * 2);
  }
}
