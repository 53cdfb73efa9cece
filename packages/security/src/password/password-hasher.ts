import { createHmac, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { type Algorithm, hash as argon2Hash, verify as argon2Verify } from '@node-rs/argon2';
import { SrekitError } from '@srekit/core';
import type { Registry } from 'prom-client';
import { PASSWORD_DEFAULTS } from '../defaults.js';
import { invalidOption, SECURITY_ERROR_CODES } from '../errors.js';
import { securityMetrics } from '../metrics.js';
import type { SecurityLogger } from '../types.js';
import { b64, formatPhc, type PhcHash, parsePhc, unb64 } from './phc.js';
import {
  codePointLength,
  normalizePassword,
  type PasswordPolicy,
  type PasswordProblem,
  passwordProblems,
} from './policy.js';

/** A pepper: a server-side secret mixed into every password, named so it can be rotated. */
export interface PasswordPepper {
  /** Short name stored in the hash (`keyid` parameter): 1–11 characters of `[A-Za-z0-9+/]`. */
  readonly id: string;
  /** At least 32 bytes, kept outside the database (environment, secret manager, HSM). */
  readonly secret: string | Uint8Array;
}

/** argon2id cost parameters. */
export interface Argon2Parameters {
  /** Memory in KiB. Default 19 456 (19 MiB). */
  readonly memoryKiB?: number;
  /** Passes. Default 2. */
  readonly timeCost?: number;
  /** Lanes. Default 1. */
  readonly parallelism?: number;
}

/** scrypt cost parameters. */
export interface ScryptParameters {
  /** log2 of the cost N. Default 17 (N = 131 072). */
  readonly logN?: number;
  /** Block size r. Default 8. */
  readonly blockSize?: number;
  /** Parallelism p. Default 1. */
  readonly parallelism?: number;
}

/** Options of {@link PasswordHasher}. */
export interface PasswordHasherOptions {
  /** Algorithm for new hashes. Default `'argon2id'`; `'scrypt'` needs no native module. */
  readonly algorithm?: 'argon2id' | 'scrypt';
  /** argon2id parameters. Default m = 19 MiB, t = 2, p = 1 (OWASP). */
  readonly argon2?: Argon2Parameters;
  /** scrypt parameters. Default N = 2^17, r = 8, p = 1 (OWASP). */
  readonly scrypt?: ScryptParameters;
  /**
   * Pepper for new hashes: the password is HMAC-SHA256'd with it before hashing. A bare secret is
   * named `'1'`. Default none.
   */
  readonly pepper?: PasswordPepper | string | Uint8Array;
  /** Peppers still accepted by `verify()` during a rotation; their hashes need a rehash. */
  readonly previousPeppers?: readonly PasswordPepper[];
  /**
   * Further passwords to refuse, compared case-insensitively after NFKC: e.g. a top-3000 or
   * top-100 000 list loaded by the application (ASVS 5.0 6.2.4). Default none.
   */
  readonly refusedPasswords?: Iterable<string>;
  /**
   * Context-specific words (service, product, company names; ASVS 5.0 6.2.11) a password must
   * not contain, case-insensitively. Words shorter than 4 characters are refused as options.
   * Default none.
   */
  readonly contextWords?: readonly string[];
  /** Shortest accepted password in code points. Default 8; at least 8. */
  readonly minLength?: number;
  /** Longest accepted password in code points. Default 128; 64–1024. Longer is refused, never truncated. */
  readonly maxLength?: number;
  /** Registry for `security_password_hash_duration_seconds`. Default none. */
  readonly registry?: Registry;
  /** Where unreadable hashes and hashing failures are reported. Default none. */
  readonly logger?: SecurityLogger;
}

/** Options of {@link PasswordHasher.hash}. */
export interface HashOptions {
  /**
   * Check the full policy (length and common list) first. Default `true`. `false` still refuses
   * passwords over `maxLength`; use it only to rehash a password that was accepted earlier.
   */
  readonly enforcePolicy?: boolean;
}

/** Thrown by `hash()` when the password does not meet the policy; `problems` says why. */
export class PasswordPolicyError extends SrekitError {
  readonly problems: readonly PasswordProblem[];
  constructor(problems: readonly PasswordProblem[]) {
    super(
      SECURITY_ERROR_CODES.PASSWORD_POLICY,
      `Password refused: ${problems.map((p) => p.code).join(', ')}. Call check() first and show its messages to the user`,
    );
    this.name = 'PasswordPolicyError';
    this.problems = problems;
  }
}

/** True for a {@link PasswordPolicyError} from any copy of the package. */
export function isPasswordPolicyError(value: unknown): value is PasswordPolicyError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { code?: unknown }).code === SECURITY_ERROR_CODES.PASSWORD_POLICY &&
    Array.isArray((value as { problems?: unknown }).problems)
  );
}

interface ResolvedPepper {
  readonly id: string;
  readonly key: Buffer;
}

const PEPPER_ID = /^[A-Za-z0-9+/]{1,11}$/;
const ARGON2ID = 2 as Algorithm;
const ARGON2_VERSION = 19;
/** Bounds on parameters read back from stored scrypt hashes, so a corrupt row cannot pin a CPU. */
const SCRYPT_MAX_LOG_N = 22;

function scryptAsync(
  password: Uint8Array,
  salt: Uint8Array,
  keyLength: number,
  params: { N: number; r: number; p: number },
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(
      password,
      salt,
      keyLength,
      { ...params, maxmem: 256 * params.N * params.r + 1_048_576 },
      (error, key) => (error ? reject(error) : resolve(key)),
    );
  });
}

function resolvePepper(option: string, pepper: PasswordPepper): ResolvedPepper {
  if (!PEPPER_ID.test(pepper.id)) {
    invalidOption(
      `${option}.id`,
      `"${pepper.id}" is not 1–11 characters of [A-Za-z0-9+/]`,
      'Use a short name such as "2026a"',
    );
  }
  const key =
    typeof pepper.secret === 'string' ? Buffer.from(pepper.secret) : Buffer.from(pepper.secret);
  if (key.length < 32) {
    throw new SrekitError(
      SECURITY_ERROR_CODES.WEAK_KEY,
      `The password pepper \`${option}\` has ${key.length} bytes; at least 32 are required. Generate one with: openssl rand -base64 48`,
    );
  }
  return { id: pepper.id, key };
}

function integer(option: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    invalidOption(
      option,
      `${value} is not an integer in ${min}..${max}`,
      `Pass a value in ${min}..${max}`,
    );
  }
  return value;
}

/**
 * Hashes and verifies passwords: argon2id (OWASP parameters) by default, scrypt as a fallback,
 * PHC strings, an optional rotating pepper, NFKC normalisation, 8–128 code points without
 * truncation and a built-in list of the most common passwords.
 *
 * @example
 * ```ts
 * const passwords = new PasswordHasher({ registry: telemetry.registry, logger: telemetry.logger });
 * const problems = passwords.check(req.body.password);       // show these to the user
 * if (problems.length === 0) user.passwordHash = await passwords.hash(req.body.password);
 * // at login
 * if (await passwords.verify(user.passwordHash, req.body.password)) {
 *   if (passwords.needsRehash(user.passwordHash)) {
 *     user.passwordHash = await passwords.hash(req.body.password, { enforcePolicy: false });
 *   }
 * }
 * ```
 */
export class PasswordHasher {
  /** Algorithm of new hashes. */
  readonly algorithm: 'argon2id' | 'scrypt';
  /** Shortest accepted password, in code points. */
  readonly minLength: number;
  /** Longest accepted password, in code points. */
  readonly maxLength: number;
  readonly #argon2: { memoryCost: number; timeCost: number; parallelism: number };
  readonly #scrypt: { logN: number; r: number; p: number };
  readonly #pepper: ResolvedPepper | undefined;
  readonly #peppers: ReadonlyMap<string, ResolvedPepper>;
  readonly #logger: SecurityLogger | undefined;
  readonly #registry: Registry | undefined;
  readonly #policy: PasswordPolicy;
  #dummy: Promise<string> | undefined;

  constructor(options: PasswordHasherOptions = {}) {
    const algorithm = options.algorithm ?? PASSWORD_DEFAULTS.algorithm;
    if (algorithm !== 'argon2id' && algorithm !== 'scrypt') {
      invalidOption(
        'algorithm',
        `"${String(algorithm)}" is not supported`,
        "Use 'argon2id' or 'scrypt'",
      );
    }
    this.algorithm = algorithm;
    this.minLength = integer(
      'minLength',
      options.minLength ?? PASSWORD_DEFAULTS.minLength,
      8,
      1024,
    );
    this.maxLength = integer(
      'maxLength',
      options.maxLength ?? PASSWORD_DEFAULTS.maxLength,
      64,
      1024,
    );
    if (this.minLength > this.maxLength) {
      invalidOption(
        'minLength',
        `${this.minLength} exceeds maxLength ${this.maxLength}`,
        'Lower minLength',
      );
    }
    const a = options.argon2 ?? {};
    this.#argon2 = {
      memoryCost: integer(
        'argon2.memoryKiB',
        a.memoryKiB ?? PASSWORD_DEFAULTS.argon2MemoryKiB,
        7_168,
        4_194_304,
      ),
      timeCost: integer('argon2.timeCost', a.timeCost ?? PASSWORD_DEFAULTS.argon2TimeCost, 1, 100),
      parallelism: integer(
        'argon2.parallelism',
        a.parallelism ?? PASSWORD_DEFAULTS.argon2Parallelism,
        1,
        16,
      ),
    };
    // OWASP's equivalent settings all spend about m·t ≥ 35 840 KiB·passes (7 MiB × 5 … 46 MiB × 1).
    if (this.#argon2.memoryCost * this.#argon2.timeCost < 35_840) {
      invalidOption(
        'argon2',
        `m=${this.#argon2.memoryCost} KiB × t=${this.#argon2.timeCost} is below the OWASP minimum`,
        'Use m=19456,t=2 (default) or m=47104,t=1, or another OWASP-equivalent pair with m·t ≥ 35840',
      );
    }
    const s = options.scrypt ?? {};
    this.#scrypt = {
      logN: integer('scrypt.logN', s.logN ?? PASSWORD_DEFAULTS.scryptLogN, 13, SCRYPT_MAX_LOG_N),
      r: integer('scrypt.blockSize', s.blockSize ?? PASSWORD_DEFAULTS.scryptBlockSize, 1, 32),
      p: integer('scrypt.parallelism', s.parallelism ?? PASSWORD_DEFAULTS.scryptParallelism, 1, 16),
    };
    if (2 ** this.#scrypt.logN * this.#scrypt.r * this.#scrypt.p < 2 ** 20) {
      invalidOption(
        'scrypt',
        'N·r·p is below the OWASP minimum of 2^20',
        'Use N=2^17,r=8,p=1 (default) or another OWASP-equivalent setting',
      );
    }
    const peppers = new Map<string, ResolvedPepper>();
    for (const [i, previous] of (options.previousPeppers ?? []).entries()) {
      const resolved = resolvePepper(`previousPeppers[${i}]`, previous);
      peppers.set(resolved.id, resolved);
    }
    if (options.pepper !== undefined) {
      const pepper =
        typeof options.pepper === 'string' || options.pepper instanceof Uint8Array
          ? { id: '1', secret: options.pepper }
          : options.pepper;
      this.#pepper = resolvePepper('pepper', pepper);
      peppers.set(this.#pepper.id, this.#pepper);
    }
    this.#peppers = peppers;
    const fold = (word: string) => word.normalize('NFKC').toLowerCase();
    const contextWords = (options.contextWords ?? []).map((word, i) => {
      if (typeof word !== 'string' || codePointLength(word) < 4) {
        invalidOption(
          `contextWords[${i}]`,
          'it is shorter than 4 characters',
          'Leave out short words',
        );
      }
      return fold(word);
    });
    this.#policy = {
      minLength: this.minLength,
      maxLength: this.maxLength,
      refusedPasswords: new Set([...(options.refusedPasswords ?? [])].map(fold)),
      contextWords,
    };
    this.#logger = options.logger;
    this.#registry = options.registry;
  }

  /**
   * The policy problems of `password` (empty when it is acceptable): shorter than `minLength` or
   * longer than `maxLength` code points after NFKC normalisation, on the common-password list or
   * `refusedPasswords`, or containing one of `contextWords`.
   */
  check(password: string): PasswordProblem[] {
    return passwordProblems(password, this.#policy);
  }

  /**
   * Hashes `password` into a PHC string with a fresh 16-byte salt.
   *
   * @throws {@link PasswordPolicyError} (`ERR_SREKIT_SECURITY_PASSWORD_POLICY`) when the password
   *   breaks the policy; call {@link PasswordHasher.check} first to show the problems.
   */
  async hash(password: string, options: HashOptions = {}): Promise<string> {
    let problems = this.check(password);
    if (options.enforcePolicy === false) {
      problems = problems.filter((p) => p.code === 'too_long' || p.code === 'not_a_string');
    }
    if (problems.length > 0) throw new PasswordPolicyError(problems);
    const started = performance.now();
    try {
      const input = this.#input(password, this.#pepper);
      const keyid: Record<string, string> = this.#pepper ? { keyid: this.#pepper.id } : {};
      if (this.algorithm === 'argon2id') {
        const encoded = await argon2Hash(input, { ...this.#argon2, algorithm: ARGON2ID });
        const phc = parsePhc(encoded);
        if (!phc) throw new Error('argon2 returned an unexpected encoding');
        return formatPhc({ ...phc, params: { ...phc.params, ...keyid } });
      }
      const salt = randomBytes(PASSWORD_DEFAULTS.saltBytes);
      const { logN, r, p } = this.#scrypt;
      const key = await scryptAsync(input, salt, PASSWORD_DEFAULTS.hashBytes, {
        N: 2 ** logN,
        r,
        p,
      });
      return formatPhc({
        id: 'scrypt',
        params: { ln: String(logN), r: String(r), p: String(p), ...keyid },
        salt: b64(salt),
        hash: b64(key),
      });
    } finally {
      this.#observe(started);
    }
  }

  /**
   * True when `password` matches `hash`. Compares in constant time; answers `false` (and logs why)
   * for a hash it cannot read, an unknown pepper id or a password over `maxLength`. Never throws.
   */
  async verify(hash: string, password: string): Promise<boolean> {
    if (typeof password !== 'string' || typeof hash !== 'string') return false;
    if (codePointLength(normalizePassword(password)) > this.maxLength) return false;
    const phc = parsePhc(hash);
    if (!phc || (phc.id !== 'argon2id' && phc.id !== 'scrypt')) {
      this.#logger?.warn(
        { component: 'password_hasher' },
        'password hash is not a supported PHC string; verification refused',
      );
      return false;
    }
    const { keyid, ...params } = phc.params;
    const pepper = keyid === undefined ? undefined : this.#peppers.get(keyid);
    if (keyid !== undefined && !pepper) {
      this.#logger?.warn(
        { component: 'password_hasher', keyid },
        'password hash names a pepper that is not configured; verification refused',
      );
      return false;
    }
    const started = performance.now();
    try {
      const input = this.#input(password, pepper);
      if (phc.id === 'argon2id') return await argon2Verify(formatPhc({ ...phc, params }), input);
      return await this.#verifyScrypt(phc, params, input);
    } catch (error) {
      this.#logger?.warn(
        {
          component: 'password_hasher',
          err: error instanceof Error ? error.message : String(error),
        },
        'password hash could not be verified; verification refused',
      );
      return false;
    } finally {
      this.#observe(started);
    }
  }

  /**
   * Spends the time of one `verify()` and answers `false`: call it when the account does not
   * exist, so response times do not tell which accounts exist (ASVS 5.0 6.3.8).
   */
  async verifyUnknownAccount(password: string): Promise<false> {
    this.#dummy ??= this.hash(randomBytes(24).toString('base64'), { enforcePolicy: false });
    await this.verify(await this.#dummy, typeof password === 'string' ? password : '');
    return false;
  }

  /**
   * True when `hash` was made with another algorithm, other parameters or another pepper than
   * the current ones (or cannot be read): hash the password again after a successful `verify()`.
   */
  needsRehash(hash: string): boolean {
    const phc = parsePhc(hash);
    if (!phc) return true;
    if (phc.params.keyid !== this.#pepper?.id) return true;
    if (this.algorithm === 'argon2id') {
      return (
        phc.id !== 'argon2id' ||
        phc.version !== ARGON2_VERSION ||
        phc.params.m !== String(this.#argon2.memoryCost) ||
        phc.params.t !== String(this.#argon2.timeCost) ||
        phc.params.p !== String(this.#argon2.parallelism) ||
        unb64(phc.hash).length !== PASSWORD_DEFAULTS.hashBytes
      );
    }
    return (
      phc.id !== 'scrypt' ||
      phc.params.ln !== String(this.#scrypt.logN) ||
      phc.params.r !== String(this.#scrypt.r) ||
      phc.params.p !== String(this.#scrypt.p)
    );
  }

  async #verifyScrypt(
    phc: PhcHash,
    params: Record<string, string>,
    input: Uint8Array,
  ): Promise<boolean> {
    const logN = Number(params.ln);
    const r = Number(params.r);
    const p = Number(params.p);
    if (
      !Number.isInteger(logN) ||
      logN < 1 ||
      logN > SCRYPT_MAX_LOG_N ||
      !Number.isInteger(r) ||
      r < 1 ||
      r > 32 ||
      !Number.isInteger(p) ||
      p < 1 ||
      p > 16
    ) {
      throw new Error('scrypt parameters out of range');
    }
    const expected = unb64(phc.hash);
    if (expected.length < 16) throw new Error('scrypt hash too short');
    const actual = await scryptAsync(input, unb64(phc.salt), expected.length, {
      N: 2 ** logN,
      r,
      p,
    });
    return timingSafeEqual(actual, expected);
  }

  #input(password: string, pepper: ResolvedPepper | undefined): Buffer {
    const normalized = normalizePassword(password);
    // The HMAC goes in as base64 text: @node-rs/argon2's verify() reads its input as UTF-8.
    return pepper
      ? Buffer.from(createHmac('sha256', pepper.key).update(normalized, 'utf8').digest('base64'))
      : Buffer.from(normalized, 'utf8');
  }

  #observe(started: number): void {
    if (!this.#registry) return;
    securityMetrics(this.#registry).passwordHashDuration.observe(
      (performance.now() - started) / 1000,
    );
  }
}
