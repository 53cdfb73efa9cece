import type { AuthPrincipal } from '../types.js';
import { newCsrfToken, newSessionId, sessionKey } from './session-id.js';
import type { SessionRecord } from './session-store.js';

/** What a {@link Session} needs from the `sessions()` middleware that made it. */
export interface SessionHost {
  now(): number;
  /** Writes a record; `onlyIfExists` for updates. Rejects with `STORE_UNAVAILABLE` on failure. */
  write(key: string, record: SessionRecord, onlyIfExists: boolean): Promise<boolean>;
  remove(key: string): Promise<void>;
  setCookie(id: string): void;
  clearCookie(): void;
  principalChanged(principal: AuthPrincipal | undefined): void;
  audited(
    event: 'session.created' | 'session.rotated' | 'session.revoked',
    actor: string | undefined,
    details: Record<string, unknown>,
  ): void;
}

/** Options of {@link Session.login}. */
export interface SessionLoginOptions {
  /** The subject's roles, for `req.auth.roles` and `requirePermission()`. Default none. */
  readonly roles?: readonly string[];
  /** Data to keep in the new session. Default: the anonymous session's data is carried over. */
  readonly data?: Readonly<Record<string, unknown>>;
}

/**
 * The session of one request, as `req.session`. Its id never leaves this object except in the
 * `Set-Cookie` header: the store sees only the id's hash, and the application never sees it.
 *
 * Changes to the id (`login`, `setRoles`, `rotate`, `destroy`) are written at once and must be
 * awaited before the response is sent; `set()` is written when the response finishes (or at
 * once with `await save()`).
 */
export class Session {
  readonly #host: SessionHost;
  #id: string | undefined;
  #record: SessionRecord | undefined;
  #persisted: boolean;
  #dirty = false;

  /** @internal created by `sessions()` */
  constructor(host: SessionHost, id?: string, record?: SessionRecord) {
    this.#host = host;
    this.#id = record === undefined ? undefined : id;
    this.#record = record;
    this.#persisted = record !== undefined;
  }

  /** Whether this request has a session (a valid cookie, or one created during the request). */
  get exists(): boolean {
    return this.#record !== undefined;
  }

  /** The authenticated subject, or `undefined` for an anonymous or missing session. */
  get subject(): string | undefined {
    return this.#record?.subject;
  }

  /** The subject's roles. */
  get roles(): readonly string[] {
    return this.#record?.roles ?? [];
  }

  /**
   * The CSRF token to put in forms (`<input name="_csrf">`) or the `x-csrf-token` header of
   * unsafe requests; `undefined` until the session exists (call `start()` on a login page).
   */
  get csrfToken(): string | undefined {
    return this.#record?.csrfToken;
  }

  /** When the absolute timeout started: session creation or the last login. */
  get createdAt(): Date | undefined {
    return this.#record === undefined ? undefined : new Date(this.#record.createdAtMs);
  }

  /** A value of the session's data. */
  get<T = unknown>(key: string): T | undefined {
    return this.#record?.data[key] as T | undefined;
  }

  /**
   * Sets a value of the session's data (JSON-serialisable), creating an anonymous session when
   * there is none. Written when the response finishes, or at once with `await save()`.
   */
  set(key: string, value: unknown): void {
    const record = this.#ensure();
    this.#record = { ...record, data: { ...record.data, [key]: value } };
    this.#dirty = true;
  }

  /** Writes pending `set()` changes now. */
  async save(): Promise<void> {
    if (!this.#dirty || this.#record === undefined || this.#id === undefined) return;
    const record = this.#record;
    this.#dirty = false;
    const written = await this.#host.write(sessionKey(this.#id), record, this.#persisted);
    if (!written) {
      // Revoked or expired while this request ran: never bring it back.
      this.#forget();
      this.#host.clearCookie();
      return;
    }
    this.#persisted = true;
  }

  /** Whether `set()` changes are waiting for `save()`. */
  get pending(): boolean {
    return this.#dirty;
  }

  /**
   * Creates an anonymous session (and its cookie and CSRF token) if there is none, e.g. to
   * render a login form that carries a CSRF token.
   */
  async start(): Promise<void> {
    if (this.#record !== undefined) return;
    this.#ensure();
    this.#dirty = true;
    await this.save();
  }

  /**
   * Authenticates the session as `subject`: a new id and CSRF token (the pre-login id dies, so a
   * planted id cannot be fixed on the victim), a new absolute timeout, and `req.auth` set.
   * Audited as `session.created`.
   */
  async login(subject: string, options: SessionLoginOptions = {}): Promise<void> {
    const now = this.#host.now();
    const record: SessionRecord = {
      subject,
      roles: [...(options.roles ?? [])],
      data: { ...(options.data ?? this.#record?.data ?? {}) },
      csrfToken: newCsrfToken(),
      createdAtMs: now,
      lastSeenAtMs: now,
    };
    await this.#replace(record);
    this.#host.audited('session.created', subject, {});
  }

  /**
   * Changes the subject's roles (a privilege change) and rotates the id, as ASVS asks.
   * Audited as `session.rotated` with `reason: 'privilege_change'`.
   */
  async setRoles(roles: readonly string[]): Promise<void> {
    const record = this.#record;
    if (record === undefined) return;
    await this.#replace({
      ...record,
      roles: [...roles],
      csrfToken: newCsrfToken(),
      lastSeenAtMs: this.#host.now(),
    });
    this.#host.audited('session.rotated', record.subject, { reason: 'privilege_change' });
  }

  /**
   * Gives the session a new id and CSRF token and kills the old id, keeping subject, data and
   * the absolute timeout. Audited as `session.rotated`.
   */
  async rotate(): Promise<void> {
    const record = this.#record;
    if (record === undefined) return;
    await this.#replace({ ...record, csrfToken: newCsrfToken(), lastSeenAtMs: this.#host.now() });
    this.#host.audited('session.rotated', record.subject, { reason: 'rotate' });
  }

  /** The same as {@link Session.rotate}, under express-session's name. */
  regenerate(): Promise<void> {
    return this.rotate();
  }

  /**
   * Ends the session (logout): removes it from the store, expires the cookie and clears
   * `req.auth`. Audited as `session.revoked` with `reason: 'logout'`.
   */
  async destroy(): Promise<void> {
    const id = this.#id;
    const subject = this.#record?.subject;
    const existed = this.#persisted;
    this.#forget();
    this.#host.clearCookie();
    this.#host.principalChanged(undefined);
    if (id !== undefined && existed) {
      await this.#host.remove(sessionKey(id));
      this.#host.audited('session.revoked', subject, { reason: 'logout' });
    }
  }

  #forget(): void {
    this.#id = undefined;
    this.#record = undefined;
    this.#persisted = false;
    this.#dirty = false;
  }

  #ensure(): SessionRecord {
    if (this.#record !== undefined && this.#id !== undefined) return this.#record;
    const now = this.#host.now();
    this.#id = newSessionId();
    this.#record = {
      roles: [],
      data: {},
      csrfToken: newCsrfToken(),
      createdAtMs: now,
      lastSeenAtMs: now,
    };
    this.#persisted = false;
    this.#host.setCookie(this.#id);
    return this.#record;
  }

  /** Writes `record` under a fresh id, then deletes the old one. */
  async #replace(record: SessionRecord): Promise<void> {
    const oldId = this.#persisted ? this.#id : undefined;
    const id = newSessionId();
    await this.#host.write(sessionKey(id), record, false);
    this.#id = id;
    this.#record = record;
    this.#persisted = true;
    this.#dirty = false;
    this.#host.setCookie(id);
    this.#host.principalChanged(
      record.subject === undefined
        ? undefined
        : {
            subject: record.subject,
            roles: record.roles,
            scopes: [],
            claims: record.data,
            method: 'session',
          },
    );
    if (oldId !== undefined) await this.#host.remove(sessionKey(oldId));
  }
}
