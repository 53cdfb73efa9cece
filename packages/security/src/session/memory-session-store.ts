import type { SessionRecord, SessionSetOptions, SessionStore } from './session-store.js';

interface Entry {
  readonly record: SessionRecord;
  readonly expiresAtMs: number;
}

/** Options of {@link MemorySessionStore}. */
export interface MemorySessionStoreOptions {
  /** The clock, for tests. Default `Date.now`. */
  readonly now?: () => number;
}

/**
 * Sessions in this process's memory: the default of `sessions()`. Lost on restart and not
 * shared between instances; use {@link RedisSessionStore} for a fleet. Expired entries are
 * dropped when read and swept as the map grows.
 */
export class MemorySessionStore implements SessionStore {
  readonly #entries = new Map<string, Entry>();
  readonly #bySubject = new Map<string, Set<string>>();
  readonly #now: () => number;
  #writesSinceSweep = 0;

  constructor(options: MemorySessionStoreOptions = {}) {
    this.#now = options.now ?? Date.now;
  }

  get(key: string): Promise<SessionRecord | undefined> {
    const entry = this.#entries.get(key);
    if (entry === undefined) return Promise.resolve(undefined);
    if (entry.expiresAtMs <= this.#now()) {
      this.#remove(key);
      return Promise.resolve(undefined);
    }
    return Promise.resolve(structuredClone(entry.record));
  }

  set(
    key: string,
    record: SessionRecord,
    ttlMs: number,
    options: SessionSetOptions = {},
  ): Promise<boolean> {
    if (options.onlyIfExists === true) {
      const current = this.#entries.get(key);
      if (current === undefined || current.expiresAtMs <= this.#now())
        return Promise.resolve(false);
    }
    const previous = this.#entries.get(key)?.record.subject;
    if (previous !== undefined && previous !== record.subject)
      this.#bySubject.get(previous)?.delete(key);
    this.#entries.set(key, { record: structuredClone(record), expiresAtMs: this.#now() + ttlMs });
    if (record.subject !== undefined) {
      let keys = this.#bySubject.get(record.subject);
      if (keys === undefined) {
        keys = new Set();
        this.#bySubject.set(record.subject, keys);
      }
      keys.add(key);
    }
    if (++this.#writesSinceSweep >= 1000) this.#sweep();
    return Promise.resolve(true);
  }

  delete(key: string): Promise<void> {
    this.#remove(key);
    return Promise.resolve();
  }

  revokeAll(subject: string): Promise<number> {
    const keys = this.#bySubject.get(subject);
    let count = 0;
    for (const key of keys ?? []) {
      if (this.#entries.delete(key)) count++;
    }
    this.#bySubject.delete(subject);
    return Promise.resolve(count);
  }

  /** How many sessions are held (expired ones not yet swept included). */
  get size(): number {
    return this.#entries.size;
  }

  #remove(key: string): void {
    const subject = this.#entries.get(key)?.record.subject;
    this.#entries.delete(key);
    if (subject === undefined) return;
    const keys = this.#bySubject.get(subject);
    keys?.delete(key);
    if (keys?.size === 0) this.#bySubject.delete(subject);
  }

  #sweep(): void {
    this.#writesSinceSweep = 0;
    const now = this.#now();
    for (const [key, entry] of this.#entries) if (entry.expiresAtMs <= now) this.#remove(key);
  }
}
