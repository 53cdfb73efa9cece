/**
 * Where `Totp` keeps per-account state: the last accepted time step (replay protection) and the
 * hashes of unused recovery codes. Every method must be atomic across all instances sharing the
 * store; the Redis store is, the memory store is within one process.
 */
export interface TotpStore {
  /**
   * Records that `step` was accepted for `account`, only if it is later than the last accepted
   * step. Resolves `false` (a replay) when `step` is not later. `ttlMs` is how long the record
   * must be kept (after that no code of that step is valid any more).
   */
  useStep(account: string, step: number, ttlMs: number): Promise<boolean>;
  /** Replaces the account's recovery-code hashes. */
  setRecoveryCodes(account: string, hashes: readonly string[]): Promise<void>;
  /** Removes `hash` from the account's recovery codes; `false` when it was not there. */
  consumeRecoveryCode(account: string, hash: string): Promise<boolean>;
  /** How many unused recovery codes the account has. */
  countRecoveryCodes(account: string): Promise<number>;
}

/**
 * An in-process {@link TotpStore}: fine for one instance; a fleet needs `RedisTotpStore`, or a
 * code used on one instance could be used again on another.
 */
export class MemoryTotpStore implements TotpStore {
  readonly #steps = new Map<string, { step: number; expiresAt: number }>();
  readonly #codes = new Map<string, Set<string>>();
  readonly #now: () => number;

  /** @param options.now - clock for tests. Default `Date.now`. */
  constructor(options: { now?: () => number } = {}) {
    this.#now = options.now ?? Date.now;
  }

  useStep(account: string, step: number, ttlMs: number): Promise<boolean> {
    const now = this.#now();
    const last = this.#steps.get(account);
    if (last && last.expiresAt > now && last.step >= step) return Promise.resolve(false);
    this.#steps.set(account, { step, expiresAt: now + ttlMs });
    if (this.#steps.size > 10_000) this.#sweep(now);
    return Promise.resolve(true);
  }

  setRecoveryCodes(account: string, hashes: readonly string[]): Promise<void> {
    this.#codes.set(account, new Set(hashes));
    return Promise.resolve();
  }

  consumeRecoveryCode(account: string, hash: string): Promise<boolean> {
    return Promise.resolve(this.#codes.get(account)?.delete(hash) ?? false);
  }

  countRecoveryCodes(account: string): Promise<number> {
    return Promise.resolve(this.#codes.get(account)?.size ?? 0);
  }

  #sweep(now: number): void {
    for (const [account, entry] of this.#steps)
      if (entry.expiresAt <= now) this.#steps.delete(account);
  }
}
