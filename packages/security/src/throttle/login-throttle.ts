import { createHash } from 'node:crypto';
import { ipKeyGenerator } from 'express-rate-limit';
import type { Registry } from 'prom-client';
import { guardAuditSink } from '../audit/guard-sink.js';
import { LOGIN_THROTTLE_DEFAULTS } from '../defaults.js';
import { invalidOption, SECURITY_ERROR_CODES } from '../errors.js';
import { securityMetrics } from '../metrics.js';
import { type ProblemResponse, sendProblem } from '../problem.js';
import type { AuditEvent, AuditSink, SecurityLogger } from '../types.js';
import {
  MemoryThrottleStore,
  type ThrottleKeys,
  type ThrottleScope,
  type ThrottleState,
  type ThrottleStore,
} from './throttle-store.js';

/** Options of {@link LoginThrottle}. Every count is of failures within `windowSeconds`. */
export interface LoginThrottleOptions {
  /** Shared state. Default a `MemoryThrottleStore` (one process only). */
  readonly store?: ThrottleStore;
  /** Failures are forgotten once this long passes without a new one. Default 900 s. */
  readonly windowSeconds?: number;
  /** Failures of one account from one source before backoff starts. Default 3. */
  readonly pairFreeFailures?: number;
  /** Failures of one account from one source that lock that pair (only). Default 10. */
  readonly pairLockAfter?: number;
  /** Failures from one source over all accounts before backoff starts. Default 10. */
  readonly ipFreeFailures?: number;
  /** Failures from one source over all accounts that lock the source. Default 50. */
  readonly ipLockAfter?: number;
  /** Failures of one account over all sources that may lock the account. Default 20. */
  readonly accountLockAfter?: number;
  /** ... only when they came from at least this many distinct sources. Default 5. */
  readonly accountLockMinSources?: number;
  /** First backoff delay; doubles with each further failure. Default 1 s. */
  readonly baseDelaySeconds?: number;
  /** Longest backoff delay. Default 900 s. */
  readonly maxDelaySeconds?: number;
  /** How long a lock lasts. Default 900 s. */
  readonly lockoutSeconds?: number;
  /** IPv6 prefix length that counts as one source. Default 56. */
  readonly ipv6Subnet?: number;
  /** On a store failure let the attempt through (`true`) or refuse it (`false`). Default `false`. */
  readonly failOpen?: boolean;
  /** Registry for the auth-attempt, lockout and store-error counters. Default none. */
  readonly registry?: Registry;
  /** Where lockouts and store failures are reported. Default none. */
  readonly logger?: SecurityLogger;
  /** Where `login.*` and `lockout` events go. Default none. */
  readonly audit?: AuditSink;
  /** Clock for tests, epoch ms. Default `Date.now`. */
  readonly now?: () => number;
}

/** One login attempt: who it is for and where it comes from. */
export interface LoginAttempt {
  /** The account name as typed (normalised: NFKC, trimmed, lower-cased). */
  readonly account: string;
  /** The client address (`req.ip`; set express `trust proxy` to match the deployment). */
  readonly ip: string | undefined;
}

/** Why an attempt is refused. */
export type ThrottleReason =
  | 'backoff'
  | 'locked'
  | 'ip_locked'
  | 'account_locked'
  | 'store_unavailable';

/** The throttle's answer for an attempt. */
export interface ThrottleDecision {
  readonly allowed: boolean;
  /** Seconds until an attempt may be allowed; 0 when allowed. */
  readonly retryAfterSeconds: number;
  /** Set when refused. */
  readonly reason?: ThrottleReason;
}

/** The request fields the login middleware reads (express's `Request` satisfies it). */
export interface LoginRequest {
  readonly ip?: string | undefined;
  readonly body?: Readonly<Record<string, unknown>> | undefined;
}

/** Options of {@link LoginThrottle.middleware}. */
export interface LoginThrottleMiddlewareOptions {
  /** Reads the account name from the request. Default `(req) => req.body?.username`. */
  readonly account?: (req: LoginRequest) => unknown;
}

interface Resolved {
  windowMs: number;
  pairFree: number;
  pairLock: number;
  ipFree: number;
  ipLock: number;
  accountLock: number;
  accountSources: number;
  baseMs: number;
  maxMs: number;
  lockoutMs: number;
  ipv6Subnet: number;
  failOpen: boolean;
}

const ALLOWED: ThrottleDecision = { allowed: true, retryAfterSeconds: 0 };

function positive(option: string, value: number, max: number): number {
  if (!Number.isInteger(value) || value < 1 || value > max) {
    invalidOption(option, `${value} is not an integer in 1..${max}`, `Pass a value in 1..${max}`);
  }
  return value;
}

/**
 * Slows down and stops password guessing without handing attackers a way to lock users out.
 *
 * It counts failures for three subjects: the account from one source (pair), the source over all
 * accounts (ip), and the account over all sources. The first two back off exponentially and then
 * lock — so a single-source attacker is stopped without affecting the same user logging in from
 * elsewhere. The account itself is locked only when failures come from several distinct sources
 * (a distributed attack); `unlock(account)` (e.g. after a successful second factor) lifts it.
 *
 * @example
 * ```ts
 * const throttle = new LoginThrottle({ store: new RedisThrottleStore(redis), registry, audit });
 * app.post('/login', throttle.middleware(), async (req, res) => {   // account: req.body.username
 *   const attempt = { account: req.body.username, ip: req.ip };
 *   if (!(await passwords.verify(user.hash, req.body.password))) {
 *     await throttle.recordFailure(attempt);
 *     return res.status(401).end();
 *   }
 *   await throttle.recordSuccess(attempt);
 *   // ...
 * });
 * ```
 */
export class LoginThrottle {
  readonly #store: ThrottleStore;
  readonly #o: Resolved;
  readonly #registry: Registry | undefined;
  readonly #logger: SecurityLogger | undefined;
  readonly #audit: AuditSink | undefined;
  readonly #now: () => number;

  constructor(options: LoginThrottleOptions = {}) {
    const d = LOGIN_THROTTLE_DEFAULTS;
    const o: Resolved = {
      windowMs: positive('windowSeconds', options.windowSeconds ?? d.windowSeconds, 604_800) * 1000,
      pairFree: positive('pairFreeFailures', options.pairFreeFailures ?? d.pairFreeFailures, 1_000),
      pairLock: positive('pairLockAfter', options.pairLockAfter ?? d.pairLockAfter, 10_000),
      ipFree: positive('ipFreeFailures', options.ipFreeFailures ?? d.ipFreeFailures, 10_000),
      ipLock: positive('ipLockAfter', options.ipLockAfter ?? d.ipLockAfter, 100_000),
      accountLock: positive(
        'accountLockAfter',
        options.accountLockAfter ?? d.accountLockAfter,
        100_000,
      ),
      accountSources: positive(
        'accountLockMinSources',
        options.accountLockMinSources ?? d.accountLockMinSources,
        1_000,
      ),
      baseMs:
        positive('baseDelaySeconds', options.baseDelaySeconds ?? d.baseDelaySeconds, 3_600) * 1000,
      maxMs:
        positive('maxDelaySeconds', options.maxDelaySeconds ?? d.maxDelaySeconds, 86_400) * 1000,
      lockoutMs:
        positive('lockoutSeconds', options.lockoutSeconds ?? d.lockoutSeconds, 604_800) * 1000,
      ipv6Subnet: positive('ipv6Subnet', options.ipv6Subnet ?? d.ipv6Subnet, 128),
      failOpen: options.failOpen ?? d.failOpen,
    };
    if (o.pairLock <= o.pairFree) {
      invalidOption('pairLockAfter', 'it must exceed pairFreeFailures', 'Raise pairLockAfter');
    }
    if (o.ipLock <= o.ipFree)
      invalidOption('ipLockAfter', 'it must exceed ipFreeFailures', 'Raise ipLockAfter');
    if (o.accountSources < 2) {
      invalidOption(
        'accountLockMinSources',
        'with 1, one source could lock any account (lockout denial of service)',
        'Use 2 or more (default 5)',
      );
    }
    this.#o = o;
    this.#store = options.store ?? new MemoryThrottleStore();
    this.#registry = options.registry;
    this.#logger = options.logger;
    this.#audit = guardAuditSink(options.audit, options.logger);
    this.#now = options.now ?? Date.now;
  }

  /**
   * Whether a password may be checked for this attempt now. Call before verifying the password.
   * A refused attempt is counted (`outcome="throttled"`) and audited as `login.locked`.
   */
  async check(attempt: LoginAttempt): Promise<ThrottleDecision> {
    const keys = this.#keys(attempt);
    const now = this.#now();
    let state: ThrottleState;
    try {
      state = await this.#store.read(keys, now, this.#o.windowMs);
    } catch (error) {
      return this.#storeFailure(error, 'check');
    }
    const decision = this.#decide(state, now);
    if (!decision.allowed) {
      this.#count('throttled');
      this.#record({
        event: 'login.locked',
        outcome: 'blocked',
        actor: keys.account,
        ip: attempt.ip,
        details: { reason: decision.reason, retryAfterSeconds: decision.retryAfterSeconds },
      });
    }
    return decision;
  }

  /**
   * Records a failed password check; locks the pair, the source or (from several sources) the
   * account when their thresholds are reached. Returns the decision for the next attempt.
   */
  async recordFailure(attempt: LoginAttempt): Promise<ThrottleDecision> {
    const keys = this.#keys(attempt);
    const now = this.#now();
    this.#count('failure');
    let state: ThrottleState;
    try {
      state = await this.#store.recordFailure(keys, now, this.#o.windowMs);
    } catch (error) {
      this.#record({
        event: 'login.failure',
        outcome: 'failure',
        actor: keys.account,
        ip: attempt.ip,
      });
      return this.#storeFailure(error, 'recordFailure');
    }
    this.#record({
      event: 'login.failure',
      outcome: 'failure',
      actor: keys.account,
      ip: attempt.ip,
      details: { failures: state.pair.failures },
    });
    const until = now + this.#o.lockoutMs;
    const locks: [ThrottleScope, string, boolean, number][] = [
      ['pair', keys.pair, state.pair.failures >= this.#o.pairLock, state.pair.failures],
      ['ip', keys.ip, state.ip.failures >= this.#o.ipLock, state.ip.failures],
      [
        'account',
        keys.account,
        state.account.failures >= this.#o.accountLock &&
          state.accountSources >= this.#o.accountSources,
        state.account.failures,
      ],
    ];
    const lockedUntilMs = { ...state.lockedUntilMs };
    for (const [scope, key, due, failures] of locks) {
      if (!due || lockedUntilMs[scope] > now) continue;
      try {
        if (await this.#store.lock(scope, key, until, now))
          this.#lockedOut(scope, keys, attempt, failures, state);
        lockedUntilMs[scope] = until;
      } catch (error) {
        return this.#storeFailure(error, 'lock');
      }
    }
    return this.#decide({ ...state, lockedUntilMs }, now);
  }

  /**
   * Records a successful login: forgets the failures and lock of this account (and of this
   * account from this source). The source's own counter is kept, so an attacker cannot clear it
   * by logging in to an account of their own between guesses.
   */
  async recordSuccess(attempt: LoginAttempt): Promise<void> {
    const keys = this.#keys(attempt);
    this.#count('success');
    this.#record({
      event: 'login.success',
      outcome: 'success',
      actor: keys.account,
      ip: attempt.ip,
    });
    try {
      await this.#store.reset({ pair: keys.pair, account: keys.account });
    } catch (error) {
      this.#storeFailure(error, 'recordSuccess');
    }
  }

  /**
   * Lifts an account lock and forgets the account's failures, e.g. once the user has passed a
   * second factor or a password reset. Locks on single sources stay.
   */
  async unlock(account: string): Promise<void> {
    try {
      await this.#store.reset({ account: this.#account(account) });
    } catch (error) {
      this.#storeFailure(error, 'unlock');
    }
  }

  /**
   * Express middleware for the login route: answers 429 problem+json with `Retry-After` when the
   * attempt is throttled (503 when the store is down and `failOpen` is false), otherwise calls
   * `next()`. The route still calls `recordFailure` / `recordSuccess`.
   */
  middleware(
    options: LoginThrottleMiddlewareOptions = {},
  ): (req: LoginRequest, res: ProblemResponse, next: (error?: unknown) => void) => void {
    const accountOf = options.account ?? ((req: LoginRequest) => req.body?.username);
    return (req, res, next) => {
      const raw = accountOf(req);
      const account = typeof raw === 'string' ? raw : '';
      this.check({ account, ip: req.ip }).then(
        (decision) => {
          if (decision.allowed) return next();
          const unavailable = decision.reason === 'store_unavailable';
          sendProblem(res, {
            status: unavailable ? 503 : 429,
            title: unavailable ? 'Service Unavailable' : 'Too Many Requests',
            detail: unavailable
              ? 'Sign-in is temporarily unavailable. Try again shortly.'
              : 'Too many failed sign-in attempts. Try again later.',
            headers: { 'Retry-After': String(decision.retryAfterSeconds) },
            extensions: { retry_after: decision.retryAfterSeconds },
          });
        },
        (error: unknown) => next(error),
      );
    };
  }

  #decide(state: ThrottleState, now: number): ThrottleDecision {
    const locks: [ThrottleScope, ThrottleReason][] = [
      ['ip', 'ip_locked'],
      ['account', 'account_locked'],
      ['pair', 'locked'],
    ];
    for (const [scope, reason] of locks) {
      const until = state.lockedUntilMs[scope];
      if (until > now)
        return { allowed: false, retryAfterSeconds: Math.ceil((until - now) / 1000), reason };
    }
    const wait = Math.max(
      this.#backoffWaitMs(state.pair.failures, state.pair.lastFailureMs, this.#o.pairFree, now),
      this.#backoffWaitMs(state.ip.failures, state.ip.lastFailureMs, this.#o.ipFree, now),
    );
    if (wait > 0)
      return { allowed: false, retryAfterSeconds: Math.ceil(wait / 1000), reason: 'backoff' };
    return ALLOWED;
  }

  /** Delay after the n-th failure: none up to `free`, then base · 2^(n − free), capped. */
  #backoffWaitMs(failures: number, lastMs: number, free: number, now: number): number {
    if (failures < free) return 0;
    const delay = Math.min(this.#o.baseMs * 2 ** Math.min(failures - free, 40), this.#o.maxMs);
    return lastMs + delay - now;
  }

  #keys(attempt: LoginAttempt): ThrottleKeys {
    const account = this.#account(attempt.account);
    let ip = 'unknown';
    if (typeof attempt.ip === 'string' && attempt.ip.length > 0) {
      try {
        ip = ipKeyGenerator(attempt.ip, this.#o.ipv6Subnet);
      } catch {
        ip = attempt.ip.slice(0, 64);
      }
    }
    return { pair: `${ip}|${account}`, ip, account };
  }

  #account(account: unknown): string {
    const text = typeof account === 'string' ? account.normalize('NFKC').trim().toLowerCase() : '';
    // Long names are hashed so an attacker cannot make huge store keys.
    return text.length > 256 ? `sha256:${createHash('sha256').update(text).digest('hex')}` : text;
  }

  #lockedOut(
    scope: ThrottleScope,
    keys: ThrottleKeys,
    attempt: LoginAttempt,
    failures: number,
    state: ThrottleState,
  ): void {
    if (this.#registry) securityMetrics(this.#registry).lockouts.inc();
    const details = {
      scope,
      failures,
      lockoutSeconds: this.#o.lockoutMs / 1000,
      ...(scope === 'account' ? { sources: state.accountSources } : {}),
    };
    this.#record({
      event: 'lockout',
      outcome: 'blocked',
      actor: keys.account,
      ip: attempt.ip,
      details,
    });
    this.#logger?.warn(
      { event: 'lockout', account: keys.account, ip: attempt.ip, ...details },
      'login lockout',
    );
  }

  #storeFailure(error: unknown, operation: string): ThrottleDecision {
    const decision = this.#o.failOpen ? 'fail_open' : 'fail_closed';
    this.#logger?.error(
      {
        code: SECURITY_ERROR_CODES.STORE_UNAVAILABLE,
        component: 'login_throttle',
        operation,
        decision,
        err: error instanceof Error ? error.message : String(error),
      },
      `login throttle store failed; ${this.#o.failOpen ? 'attempt allowed (fail open)' : 'attempt refused (fail closed)'}`,
    );
    if (this.#registry)
      securityMetrics(this.#registry).storeErrors.inc({ component: 'login_throttle', decision });
    return this.#o.failOpen
      ? ALLOWED
      : { allowed: false, retryAfterSeconds: 5, reason: 'store_unavailable' };
  }

  #count(outcome: string): void {
    if (this.#registry)
      securityMetrics(this.#registry).authAttempts.inc({ method: 'password', outcome });
  }

  #record(event: AuditEvent): void {
    this.#audit?.record(event);
  }
}
