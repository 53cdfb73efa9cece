/** What a store keeps for one session. Never the session id itself: stores see its hash only. */
export interface SessionRecord {
  /** The authenticated subject, once `login()` was called. */
  readonly subject?: string;
  /** The subject's roles, for `req.auth.roles`. */
  readonly roles: readonly string[];
  /** Application data (`session.set()`), JSON-serialisable. */
  readonly data: Readonly<Record<string, unknown>>;
  /** The synchronizer CSRF token of this session. */
  readonly csrfToken: string;
  /** Start of the absolute timeout (epoch ms): session creation or the last login. */
  readonly createdAtMs: number;
  /** Last request seen (epoch ms), for the idle timeout. */
  readonly lastSeenAtMs: number;
}

/**
 * Where sessions live. `key` is the SHA-256 of the session id (see `sessionKey`), never the id.
 * Implementations must index sessions by subject so {@link SessionStore.revokeAll} can end every
 * session of a user; `MemorySessionStore` and `RedisSessionStore` do.
 */
export interface SessionStore {
  /** The record under `key`, or `undefined` when there is none (or it expired). */
  get(key: string): Promise<SessionRecord | undefined>;
  /**
   * Stores `record` under `key` for `ttlMs`, indexing it under its subject. With
   * `onlyIfExists`, writes nothing when the key is gone (revoked or expired meanwhile) and
   * resolves `false`, so an update can never bring a revoked session back.
   */
  set(
    key: string,
    record: SessionRecord,
    ttlMs: number,
    options?: SessionSetOptions,
  ): Promise<boolean>;
  /** Removes the record under `key`. */
  delete(key: string): Promise<void>;
  /** Removes every session of `subject`; resolves to how many were removed. */
  revokeAll(subject: string): Promise<number>;
}

/** Options of {@link SessionStore.set}. */
export interface SessionSetOptions {
  /** Only update an existing record. Default `false`. */
  readonly onlyIfExists?: boolean;
}
