import { timingSafeEqual } from 'node:crypto';
import type { Registry } from 'prom-client';
import { guardAuditSink } from '../audit/guard-sink.js';
import { TOTP_DEFAULTS } from '../defaults.js';
import { invalidOption, SECURITY_ERROR_CODES } from '../errors.js';
import { securityMetrics } from '../metrics.js';
import type { AuditEvent, AuditSink, SecurityLogger } from '../types.js';
import {
  checkOtpParameters,
  generateTotpSecret,
  hotpRaw,
  type OtpAlgorithm,
  type OtpSecret,
  secretBytes,
  timeStep,
  totpUri,
} from './otp.js';
import { generateRecoveryCodes, hashRecoveryCode } from './recovery-codes.js';
import { MemoryTotpStore, type TotpStore } from './totp-store.js';

/** Options of {@link Totp}. */
export interface TotpOptions {
  /** Replay and recovery-code store. Default a `MemoryTotpStore` (one process only). */
  readonly store?: TotpStore;
  /** Service name for enrolment URIs. Default none (required by `enrolment()`). */
  readonly issuer?: string;
  /** HMAC hash. Default `'SHA1'` (the one every authenticator app supports). */
  readonly algorithm?: OtpAlgorithm;
  /** Code length, 6–8. Default 6. */
  readonly digits?: number;
  /** Time step in seconds. Default 30. */
  readonly step?: number;
  /** Steps accepted either side of now, 0–2. Default 1 (a 90 s span for clock drift). */
  readonly window?: number;
  /** Registry for `security_auth_attempts_total` and `security_store_errors_total`. Default none. */
  readonly registry?: Registry;
  /** Where store failures are reported. Default none. */
  readonly logger?: SecurityLogger;
  /** Where `mfa.*` events go. Default none. */
  readonly audit?: AuditSink;
  /** Clock for tests, epoch ms. Default `Date.now`. */
  readonly now?: () => number;
}

/** Why a verification failed. */
export type TotpFailureReason = 'invalid' | 'malformed' | 'replay' | 'store_unavailable';

/** The answer of {@link Totp.verify}. */
export interface TotpVerification {
  readonly valid: boolean;
  /** Set when `valid` is false. */
  readonly reason?: TotpFailureReason;
  /** Which step matched, relative to now (−window … +window), when one did. */
  readonly drift?: number;
}

/** The answer of {@link Totp.verifyRecoveryCode}. */
export interface RecoveryCodeVerification {
  readonly valid: boolean;
  readonly reason?: 'invalid' | 'store_unavailable';
  /** Unused codes left (when the store answered). */
  readonly remaining?: number;
}

/** Request facts for the audit trail. */
export interface MfaContext {
  /** Client address. */
  readonly ip?: string;
}

/**
 * Verifies RFC 6238 TOTP codes with replay protection (a time step is accepted once per
 * account, RFC 6238 §5.2) and manages hashed single-use recovery codes. Counts
 * `security_auth_attempts_total{method="totp"|"recovery_code"}` and audits `mfa.*` events.
 *
 * @example
 * ```ts
 * const totp = new Totp({ issuer: 'Checkout', store: new RedisTotpStore(redis), registry, audit });
 * const { secret, uri } = totp.enrolment('alice@example.com');  // show uri as a QR code
 * const codes = await totp.createRecoveryCodes('alice@example.com'); // show once
 * const { valid } = await totp.verify('alice@example.com', req.body.code, user.totpSecret, { ip: req.ip });
 * ```
 */
export class Totp {
  readonly #store: TotpStore;
  readonly #issuer: string | undefined;
  readonly #algorithm: OtpAlgorithm;
  readonly #digits: number;
  readonly #step: number;
  readonly #window: number;
  readonly #registry: Registry | undefined;
  readonly #logger: SecurityLogger | undefined;
  readonly #audit: AuditSink | undefined;
  readonly #now: () => number;

  constructor(options: TotpOptions = {}) {
    this.#algorithm = options.algorithm ?? TOTP_DEFAULTS.algorithm;
    this.#digits = options.digits ?? TOTP_DEFAULTS.digits;
    this.#step = options.step ?? TOTP_DEFAULTS.stepSeconds;
    checkOtpParameters(this.#digits, this.#algorithm, this.#step);
    this.#window = options.window ?? TOTP_DEFAULTS.window;
    if (!Number.isInteger(this.#window) || this.#window < 0 || this.#window > 2) {
      invalidOption(
        'window',
        `${this.#window} is not 0, 1 or 2`,
        'Use 1 (RFC 6238 §5.2 recommends at most one step)',
      );
    }
    this.#store = options.store ?? new MemoryTotpStore();
    this.#issuer = options.issuer;
    this.#registry = options.registry;
    this.#logger = options.logger;
    this.#audit = guardAuditSink(options.audit, options.logger);
    this.#now = options.now ?? Date.now;
  }

  /**
   * A new secret (160 bits, base32) and its otpauth:// URI for `account`. Store the secret
   * (encrypted) with the user once they have confirmed a first code with {@link Totp.verify}.
   */
  enrolment(
    account: string,
    secret: OtpSecret = generateTotpSecret(),
  ): { secret: string; uri: string } {
    if (this.#issuer === undefined) {
      invalidOption(
        'issuer',
        'it is required for enrolment URIs',
        'Pass new Totp({ issuer: "Your service" })',
      );
    }
    const uri = totpUri({
      secret,
      issuer: this.#issuer,
      account,
      algorithm: this.#algorithm,
      digits: this.#digits,
      period: this.#step,
    });
    const encoded = new URL(uri).searchParams.get('secret') ?? '';
    return { secret: encoded, uri };
  }

  /**
   * Checks `code` for `account` against `secret`: the current step ± `window`, compared in
   * constant time, and each step accepted at most once per account. Never throws; a failing store
   * makes it answer `{ valid: false, reason: 'store_unavailable' }` (fail closed).
   */
  async verify(
    account: string,
    code: string,
    secret: OtpSecret,
    context: MfaContext = {},
  ): Promise<TotpVerification> {
    const candidate = typeof code === 'string' ? code.replace(/\s/g, '') : '';
    if (!new RegExp(`^\\d{${this.#digits}}$`).test(candidate)) {
      return this.#fail('totp', account, context, 'malformed');
    }
    let key: Buffer;
    try {
      key = secretBytes(secret);
    } catch {
      this.#logger?.error(
        { component: 'totp', account },
        'stored TOTP secret is not base32; the code was refused',
      );
      return this.#fail('totp', account, context, 'invalid');
    }
    const now = timeStep(this.#now(), this.#step);
    const given = Buffer.from(candidate);
    let matched: number | undefined;
    // Every candidate step is computed and compared, so timing does not tell which one matched.
    for (let drift = -this.#window; drift <= this.#window; drift++) {
      const expected = Buffer.from(
        hotpRaw(key, BigInt(now + drift), this.#digits, this.#algorithm),
      );
      if (timingSafeEqual(expected, given) && matched === undefined) matched = drift;
    }
    if (matched === undefined) return this.#fail('totp', account, context, 'invalid');
    let fresh: boolean;
    try {
      fresh = await this.#store.useStep(
        account,
        now + matched,
        (2 * this.#window + 2) * this.#step * 1000,
      );
    } catch (error) {
      this.#storeError(error);
      return this.#fail('totp', account, context, 'store_unavailable');
    }
    if (!fresh) {
      this.#count('totp', 'replay');
      this.#record({
        event: 'mfa.replay',
        outcome: 'denied',
        actor: account,
        ip: context.ip,
        details: { method: 'totp' },
      });
      return { valid: false, reason: 'replay', drift: matched };
    }
    this.#count('totp', 'success');
    this.#record({
      event: 'mfa.success',
      outcome: 'success',
      actor: account,
      ip: context.ip,
      details: { method: 'totp' },
    });
    return { valid: true, drift: matched };
  }

  /**
   * Generates `count` new recovery codes for `account` (default 10), stores only their hashes
   * (replacing earlier ones) and returns the codes to show to the user once.
   */
  async createRecoveryCodes(
    account: string,
    count: number = TOTP_DEFAULTS.recoveryCodes,
  ): Promise<string[]> {
    const codes = generateRecoveryCodes(count);
    await this.#store.setRecoveryCodes(account, codes.map(hashRecoveryCode));
    return codes;
  }

  /**
   * Checks a recovery code and consumes it: each code works once. Never throws; a failing store
   * answers `{ valid: false, reason: 'store_unavailable' }`.
   */
  async verifyRecoveryCode(
    account: string,
    code: string,
    context: MfaContext = {},
  ): Promise<RecoveryCodeVerification> {
    if (typeof code !== 'string' || code.length > 64)
      return this.#fail('recovery_code', account, context, 'invalid');
    let consumed: boolean;
    let remaining: number;
    try {
      consumed = await this.#store.consumeRecoveryCode(account, hashRecoveryCode(code));
      remaining = await this.#store.countRecoveryCodes(account);
    } catch (error) {
      this.#storeError(error);
      return this.#fail('recovery_code', account, context, 'store_unavailable');
    }
    if (!consumed)
      return { ...this.#fail('recovery_code', account, context, 'invalid'), remaining };
    this.#count('recovery_code', 'success');
    this.#record({
      event: 'mfa.recovery_code_used',
      outcome: 'success',
      actor: account,
      ip: context.ip,
      details: { method: 'recovery_code', remaining },
    });
    return { valid: true, remaining };
  }

  #fail<R extends TotpFailureReason>(
    method: 'totp' | 'recovery_code',
    account: string,
    context: MfaContext,
    reason: R,
  ): { valid: false; reason: R } {
    this.#count(method, 'failure');
    this.#record({
      event: 'mfa.failure',
      outcome: 'failure',
      actor: account,
      ip: context.ip,
      details: { method, reason },
    });
    return { valid: false, reason };
  }

  #storeError(error: unknown): void {
    this.#logger?.error(
      {
        code: SECURITY_ERROR_CODES.STORE_UNAVAILABLE,
        component: 'totp',
        decision: 'fail_closed',
        err: error instanceof Error ? error.message : String(error),
      },
      'TOTP store failed; the code was refused (fail closed)',
    );
    if (this.#registry)
      securityMetrics(this.#registry).storeErrors.inc({
        component: 'totp',
        decision: 'fail_closed',
      });
  }

  #count(method: string, outcome: string): void {
    if (this.#registry) securityMetrics(this.#registry).authAttempts.inc({ method, outcome });
  }

  #record(event: AuditEvent): void {
    this.#audit?.record(event);
  }
}
