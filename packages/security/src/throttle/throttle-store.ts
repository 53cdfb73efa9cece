/** The three subjects the login throttle counts failures for. */
export type ThrottleScope = 'pair' | 'ip' | 'account';

/** Store keys of one login attempt. */
export interface ThrottleKeys {
  /** The account as seen from one source (`<source>|<account>`). */
  readonly pair: string;
  /** The source address (IPv6 grouped by prefix). */
  readonly ip: string;
  /** The account, across all sources. */
  readonly account: string;
}

/** Failures of one subject within the window. */
export interface ThrottleCounter {
  readonly failures: number;
  /** Epoch ms of the last failure; 0 when none. */
  readonly lastFailureMs: number;
}

/** What the store knows about one attempt's subjects. */
export interface ThrottleState {
  readonly pair: ThrottleCounter;
  readonly ip: ThrottleCounter;
  readonly account: ThrottleCounter;
  /** Distinct sources that failed on the account within the window. */
  readonly accountSources: number;
  /** Locked-until, epoch ms, per scope; 0 when not locked. */
  readonly lockedUntilMs: Readonly<Record<ThrottleScope, number>>;
}

/**
 * Where `LoginThrottle` keeps its counts. Counters are forgotten once `windowMs` passes without a
 * new failure. Every method must be atomic across all instances sharing the store.
 */
export interface ThrottleStore {
  /** The current state of the attempt's subjects. */
  read(keys: ThrottleKeys, nowMs: number, windowMs: number): Promise<ThrottleState>;
  /** Adds one failure to each subject and `keys.ip` to the account's sources; the state after. */
  recordFailure(keys: ThrottleKeys, nowMs: number, windowMs: number): Promise<ThrottleState>;
  /** Locks `key` of `scope` until `untilMs` unless already locked; `true` when this call locked it. */
  lock(scope: ThrottleScope, key: string, untilMs: number, nowMs: number): Promise<boolean>;
  /** Forgets the failures and lock of the given pair and/or account (the ip counter is kept). */
  reset(keys: { readonly pair?: string; readonly account?: string }): Promise<void>;
}

interface Entry {
  failures: number;
  lastFailureMs: number;
}

/**
 * An in-process {@link ThrottleStore}. One instance only: behind a load balancer an attacker
 * spreads attempts over instances, so fleets use `RedisThrottleStore`.
 */
export class MemoryThrottleStore implements ThrottleStore {
  readonly #counters = new Map<string, Entry>();
  readonly #sources = new Map<string, Map<string, number>>();
  readonly #locks = new Map<string, number>();

  read(keys: ThrottleKeys, nowMs: number, windowMs: number): Promise<ThrottleState> {
    return Promise.resolve(this.#state(keys, nowMs, windowMs));
  }

  recordFailure(keys: ThrottleKeys, nowMs: number, windowMs: number): Promise<ThrottleState> {
    for (const key of [`pair:${keys.pair}`, `ip:${keys.ip}`, `account:${keys.account}`]) {
      const entry = this.#counter(key, nowMs, windowMs);
      this.#counters.set(key, { failures: entry.failures + 1, lastFailureMs: nowMs });
    }
    const sources = this.#sources.get(keys.account) ?? new Map<string, number>();
    sources.set(keys.ip, nowMs);
    this.#sources.set(keys.account, sources);
    if (this.#counters.size > 50_000) this.#sweep(nowMs, windowMs);
    return Promise.resolve(this.#state(keys, nowMs, windowMs));
  }

  lock(scope: ThrottleScope, key: string, untilMs: number, nowMs: number): Promise<boolean> {
    const id = `${scope}:${key}`;
    if ((this.#locks.get(id) ?? 0) > nowMs) return Promise.resolve(false);
    this.#locks.set(id, untilMs);
    return Promise.resolve(true);
  }

  reset(keys: { readonly pair?: string; readonly account?: string }): Promise<void> {
    if (keys.pair !== undefined) {
      this.#counters.delete(`pair:${keys.pair}`);
      this.#locks.delete(`pair:${keys.pair}`);
    }
    if (keys.account !== undefined) {
      this.#counters.delete(`account:${keys.account}`);
      this.#locks.delete(`account:${keys.account}`);
      this.#sources.delete(keys.account);
    }
    return Promise.resolve();
  }

  #counter(key: string, nowMs: number, windowMs: number): Entry {
    const entry = this.#counters.get(key);
    if (!entry || nowMs - entry.lastFailureMs >= windowMs) return { failures: 0, lastFailureMs: 0 };
    return entry;
  }

  #state(keys: ThrottleKeys, nowMs: number, windowMs: number): ThrottleState {
    let accountSources = 0;
    for (const at of this.#sources.get(keys.account)?.values() ?? [])
      if (nowMs - at < windowMs) accountSources++;
    const lock = (id: string) => {
      const until = this.#locks.get(id) ?? 0;
      return until > nowMs ? until : 0;
    };
    return {
      pair: this.#counter(`pair:${keys.pair}`, nowMs, windowMs),
      ip: this.#counter(`ip:${keys.ip}`, nowMs, windowMs),
      account: this.#counter(`account:${keys.account}`, nowMs, windowMs),
      accountSources,
      lockedUntilMs: {
        pair: lock(`pair:${keys.pair}`),
        ip: lock(`ip:${keys.ip}`),
        account: lock(`account:${keys.account}`),
      },
    };
  }

  #sweep(nowMs: number, windowMs: number): void {
    for (const [key, entry] of this.#counters)
      if (nowMs - entry.lastFailureMs >= windowMs) this.#counters.delete(key);
    for (const [key, until] of this.#locks) if (until <= nowMs) this.#locks.delete(key);
    for (const [account, sources] of this.#sources) {
      for (const [source, at] of sources) if (nowMs - at >= windowMs) sources.delete(source);
      if (sources.size === 0) this.#sources.delete(account);
    }
  }
}
