import { readFileSync } from 'node:fs';
import { SrekitError } from '@srekit/core';
import { type JWSHeaderParameters, type JWTPayload, type JWTVerifyOptions, jwtVerify } from 'jose';
import type { Registry } from 'prom-client';
import { JWT_DEFAULTS } from '../defaults.js';
import { invalidOption, SECURITY_ERROR_CODES } from '../errors.js';
import { type SecurityMetrics, securityMetrics } from '../metrics.js';
import type { SecurityLogger } from '../types.js';
import {
  assertStrongSecret,
  isHmac,
  type JwtAlgorithm,
  secretBytes,
  validateAlgorithms,
} from './algorithms.js';
import { type JsonWebKeySet, type KeyEntry, KeySet, type VerificationKey } from './key-set.js';
import { JwtRejection, type JwtRejectionReason, reasonOf } from './rejection.js';
import { RemoteJwks } from './remote-jwks.js';
import type { RevocationStore } from './revocation-store.js';

/**
 * Where the verification keys come from: a JWKS object, the path of a JWKS file (read once, at
 * construction), or an `https:` URL (fetched, cached and refetched on rotation).
 */
export type JwksInput = JsonWebKeySet | string | URL;

/** Options of {@link JwtVerifier} (and of `jwtAuth()`). */
export interface JwtVerifierOptions {
  /** Accepted `alg` values. Required; `none` is refused, and HMAC and public-key algorithms cannot be mixed. */
  readonly algorithms: readonly JwtAlgorithm[];
  /** Accepted `iss` value(s). Required. */
  readonly issuer: string | readonly string[];
  /** Accepted `aud` value(s); the token must name at least one. Required. */
  readonly audience: string | readonly string[];
  /** Public keys (or `oct` secrets) to verify with; `kid` is looked up only here. */
  readonly jwks?: JwksInput;
  /** HMAC secret for HS* algorithms (≥ 32 bytes, ≥ the hash size), instead of `jwks`. */
  readonly secret?: string | Uint8Array;
  /** Expected `typ` header. Default `at+jwt` (RFC 9068 access tokens). */
  readonly tokenType?: string;
  /** Clock skew accepted on `exp`, `nbf` and `iat`. Default 30 s. */
  readonly clockToleranceSeconds?: number;
  /** Refuse tokens whose `iat` is older than this (then `iat` is required). Default: no limit. */
  readonly maxAgeSeconds?: number;
  /** Longest accepted token, in bytes, checked before parsing. Default 8192. */
  readonly maxTokenBytes?: number;
  /** Claims that must be present in addition to `exp`, `iss`, `aud` and `sub`. Default none. */
  readonly requiredClaims?: readonly string[];
  /** Deny list of revoked `jti`s. With it, `jti` becomes a required claim. */
  readonly revocation?: RevocationStore;
  /** Accept tokens when the revocation store fails (`true`) or refuse them. Default `false`. */
  readonly revocationFailOpen?: boolean;
  /** Allowed `kid` shape, checked before any lookup. Default: letters, digits and `._=+-`, ≤ 128 characters. */
  readonly kidPattern?: RegExp;
  /** JWKS URL: refetch when older than this. Default 600 s. */
  readonly jwksCacheMaxAgeSeconds?: number;
  /** JWKS URL: at most one refetch per this many seconds for unknown `kid`s or failures. Default 30 s. */
  readonly jwksCooldownSeconds?: number;
  /** JWKS URL: keys dropped from the set stay trusted this long. Default 600 s. */
  readonly jwksRotationOverlapSeconds?: number;
  /** JWKS URL: time limit of a fetch. Default 5000 ms. */
  readonly jwksTimeoutMs?: number;
  /** JWKS URL: largest response accepted. Default 512 KiB. */
  readonly jwksMaxBytes?: number;
  /** Allow an `http:` JWKS URL on a non-loopback host. Default `false`. */
  readonly allowInsecureJwksUrl?: boolean;
  /** Clock in epoch milliseconds (tests). Default `Date.now`. */
  readonly now?: () => number;
  /** Registry to count `security_jwt_rejections_total` in (core's `telemetry.registry`). */
  readonly registry?: Registry;
  /** Where JWKS and revocation-store failures are logged. */
  readonly logger?: SecurityLogger;
}

/** Outcome of {@link JwtVerifier.verify}. */
export type JwtVerifyResult =
  | {
      readonly ok: true;
      /** The verified claims. */
      readonly claims: JWTPayload;
      /** The protected header. */
      readonly header: JWSHeaderParameters;
    }
  | { readonly ok: false; readonly reason: JwtRejectionReason };

/** Default `kid` shape: no path separators, quotes, spaces or SQL punctuation. */
export const DEFAULT_KID_PATTERN = /^[A-Za-z0-9_=+-][A-Za-z0-9._=+-]*$/;

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);
const STORE_LOG_INTERVAL_MS = 10_000;

function normalizeTyp(value: string): string {
  const lower = value.toLowerCase();
  return lower.startsWith('application/') ? lower.slice('application/'.length) : lower;
}

function nonEmpty(option: string, value: unknown): string | string[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0 || list.some((v) => typeof v !== 'string' || v.length === 0)) {
    invalidOption(
      option,
      'it must be a non-empty string or list of strings',
      `Set \`${option}\` to the expected value`,
    );
  }
  return Array.isArray(value) ? [...(value as string[])] : (value as string);
}

function positive(
  option: string,
  value: number | undefined,
  fallback: number,
  allowZero = false,
): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) {
    invalidOption(
      option,
      `${String(value)} is not a ${allowZero ? 'non-negative' : 'positive'} number`,
      `Use e.g. ${fallback}`,
    );
  }
  return v;
}

function loadJwksFile(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (error) {
    throw new SrekitError(
      SECURITY_ERROR_CODES.JWKS_UNAVAILABLE,
      `The JWKS file ${path} could not be read as JSON. Check the path and its content`,
      { cause: error },
    );
  }
}

/**
 * A strict JWT verifier: every check RFC 8725 (JWT best practices) and RFC 9068 ask for is on
 * and cannot be forgotten. Pinned algorithms; required `exp`, `iss`, `aud`, `sub` and `typ`;
 * `kid` looked up only in the configured keys; `jku`/`x5u`/`jwk`/`x5c` headers and unknown
 * `crit` extensions refused; size checked before parsing; an optional deny list of `jti`s.
 *
 * `verify()` never throws: it answers `{ ok: true, claims }` or `{ ok: false, reason }` and
 * counts the reason in `security_jwt_rejections_total`. Construction throws on bad options:
 * `ERR_SREKIT_SECURITY_INVALID_OPTION`, `ERR_SREKIT_SECURITY_WEAK_KEY` (short HMAC secret),
 * `ERR_SREKIT_SECURITY_JWKS_UNAVAILABLE` (unreadable JWKS file).
 *
 * @example
 * ```ts
 * const verifier = new JwtVerifier({
 *   algorithms: ['ES256'],
 *   issuer: 'https://id.example.com',
 *   audience: 'orders-api',
 *   jwks: new URL('https://id.example.com/.well-known/jwks.json'),
 * });
 * const result = await verifier.verify(token);
 * if (result.ok) console.log(result.claims.sub);
 * ```
 */
export class JwtVerifier {
  readonly #algorithms: readonly JwtAlgorithm[];
  readonly #typ: string;
  readonly #typRaw: string;
  readonly #single: { entry: KeyEntry; alg: string } | undefined;
  readonly #maxTokenBytes: number;
  readonly #maxKidLength: number = JWT_DEFAULTS.maxKidLength;
  readonly #kidPattern: RegExp;
  readonly #keys: KeySet | undefined;
  readonly #remote: RemoteJwks | undefined;
  readonly #joseOptions: JWTVerifyOptions;
  readonly #now: (() => number) | undefined;
  readonly #revocation: RevocationStore | undefined;
  readonly #revocationFailOpen: boolean;
  readonly #metrics: SecurityMetrics | undefined;
  readonly #logger: SecurityLogger | undefined;
  #lastStoreLog = Number.NEGATIVE_INFINITY;

  constructor(options: JwtVerifierOptions) {
    this.#algorithms = validateAlgorithms('algorithms', options.algorithms);
    const issuer = nonEmpty('issuer', options.issuer);
    const audience = nonEmpty('audience', options.audience);
    this.#typRaw = options.tokenType ?? JWT_DEFAULTS.accessTokenType;
    this.#typ = normalizeTyp(this.#typRaw);
    this.#maxTokenBytes = positive(
      'maxTokenBytes',
      options.maxTokenBytes,
      JWT_DEFAULTS.maxTokenBytes,
    );
    this.#kidPattern = options.kidPattern ?? DEFAULT_KID_PATTERN;
    this.#now = options.now;
    this.#revocation = options.revocation;
    this.#revocationFailOpen = options.revocationFailOpen ?? false;
    this.#metrics = options.registry ? securityMetrics(options.registry) : undefined;
    this.#logger = options.logger;
    const clockTolerance = positive(
      'clockToleranceSeconds',
      options.clockToleranceSeconds,
      JWT_DEFAULTS.clockToleranceSeconds,
      true,
    );
    const required = new Set(['exp', 'iss', 'aud', 'sub', ...(options.requiredClaims ?? [])]);
    if (options.revocation) required.add('jti');
    this.#joseOptions = {
      algorithms: [...this.#algorithms],
      issuer,
      audience,
      clockTolerance,
      requiredClaims: [...required],
      ...(options.maxAgeSeconds === undefined
        ? {}
        : { maxTokenAge: positive('maxAgeSeconds', options.maxAgeSeconds, 3600) }),
    };

    if (options.jwks !== undefined && options.secret !== undefined) {
      invalidOption('secret', 'both `jwks` and `secret` are set', 'Give the keys one way');
    }
    const hmac = this.#algorithms.some(isHmac);
    if (options.secret !== undefined) {
      if (!hmac)
        invalidOption(
          'secret',
          'a secret only verifies HS* algorithms',
          'Pin HS256 or pass `jwks`',
        );
      const bytes = secretBytes(options.secret);
      assertStrongSecret(bytes, this.#algorithms);
      this.#keys = KeySet.from(
        { keys: [{ kty: 'oct', k: Buffer.from(bytes).toString('base64url') }] },
        this.#algorithms,
        'secret',
        'throw',
      );
    } else if (
      options.jwks instanceof URL ||
      (typeof options.jwks === 'string' && /^https?:\/\//i.test(options.jwks))
    ) {
      const url = new URL(options.jwks);
      if (
        url.protocol !== 'https:' &&
        !(url.protocol === 'http:' && (LOOPBACK.has(url.hostname) || options.allowInsecureJwksUrl))
      ) {
        invalidOption('jwks', `${url.protocol} URLs are not accepted`, 'Serve the JWKS over https');
      }
      this.#remote = new RemoteJwks({
        url,
        algorithms: this.#algorithms,
        cacheMaxAgeSeconds: positive(
          'jwksCacheMaxAgeSeconds',
          options.jwksCacheMaxAgeSeconds,
          JWT_DEFAULTS.jwksCacheMaxAgeSeconds,
        ),
        cooldownSeconds: positive(
          'jwksCooldownSeconds',
          options.jwksCooldownSeconds,
          JWT_DEFAULTS.jwksCooldownSeconds,
          true,
        ),
        rotationOverlapSeconds: positive(
          'jwksRotationOverlapSeconds',
          options.jwksRotationOverlapSeconds,
          JWT_DEFAULTS.jwksRotationOverlapSeconds,
          true,
        ),
        timeoutMs: positive('jwksTimeoutMs', options.jwksTimeoutMs, JWT_DEFAULTS.jwksTimeoutMs),
        maxBytes: positive('jwksMaxBytes', options.jwksMaxBytes, JWT_DEFAULTS.jwksMaxBytes),
        now: options.now ?? Date.now,
        logger: options.logger,
      });
    } else if (options.jwks !== undefined) {
      const jwks = typeof options.jwks === 'string' ? loadJwksFile(options.jwks) : options.jwks;
      this.#keys = KeySet.from(jwks, this.#algorithms, 'jwks', 'throw');
      if (this.#keys.size === 0) {
        invalidOption(
          'jwks',
          'it holds no signature key usable with the pinned algorithms',
          'Check `kty`, `crv`, `alg` and `use`',
        );
      }
    } else {
      invalidOption(
        'jwks',
        'no keys are configured',
        'Pass `jwks` (object, file or URL) or `secret`',
      );
    }
    const only = this.#keys?.only();
    const [alg] = this.#algorithms;
    this.#single =
      only && alg !== undefined && this.#algorithms.length === 1 ? { entry: only, alg } : undefined;
  }

  /** The pinned algorithms. */
  get algorithms(): readonly JwtAlgorithm[] {
    return this.#algorithms;
  }

  /**
   * Verifies a compact JWS. Never throws; rejections are counted by reason.
   *
   * @param token - the bearer token as received (untrusted).
   */
  async verify(token: unknown): Promise<JwtVerifyResult> {
    const early = this.#precheck(token);
    if (early !== undefined) return this.#reject(early);
    let verified: { payload: JWTPayload; protectedHeader: JWSHeaderParameters };
    try {
      const options = this.#now
        ? { ...this.#joseOptions, currentDate: new Date(this.#now()) }
        : this.#joseOptions;
      verified = this.#single
        ? await this.#verifySingle(token as string, this.#single, options)
        : await jwtVerify(token as string, this.#resolveKey, options);
    } catch (error) {
      return this.#reject(reasonOf(error));
    }
    const claims = verified.payload;
    if (typeof claims.sub !== 'string') return this.#reject('malformed');
    if (this.#revocation) {
      if (typeof claims.jti !== 'string') return this.#reject('malformed');
      const revoked = await this.#isRevoked(claims.jti);
      if (revoked !== false)
        return this.#reject(revoked === true ? 'revoked' : 'store_unavailable');
    }
    return { ok: true, claims, header: verified.protectedHeader };
  }

  /** Fetches the JWKS now when keys come from a URL (e.g. at startup); otherwise does nothing. */
  async refreshKeys(): Promise<void> {
    await this.#remote?.refresh();
  }

  #precheck(token: unknown): JwtRejectionReason | undefined {
    if (typeof token !== 'string' || token.length === 0) return 'malformed';
    // Characters outside ASCII take more bytes than string units; such a token is malformed
    // anyway, so the length check is a sound byte limit for every token that could pass.
    if (token.length > this.#maxTokenBytes) return 'oversized';
    const first = token.indexOf('.');
    const second = first === -1 ? -1 : token.indexOf('.', first + 1);
    if (second === -1 || token.indexOf('.', second + 1) !== -1) return 'malformed';
    return undefined;
  }

  /** Header checks that need no key: key-carrying headers, `typ`, `kid` shape. Throws a rejection. */
  #checkHeader(header: JWSHeaderParameters): void {
    if (
      header.jku !== undefined ||
      header.x5u !== undefined ||
      header.jwk !== undefined ||
      header.x5c !== undefined
    ) {
      throw new JwtRejection('forbidden_header');
    }
    const { typ, kid } = header;
    if (typ !== this.#typRaw && (typeof typ !== 'string' || normalizeTyp(typ) !== this.#typ)) {
      throw new JwtRejection('wrong_type');
    }
    if (
      kid !== undefined &&
      (typeof kid !== 'string' || kid.length > this.#maxKidLength || !this.#kidPattern.test(kid))
    ) {
      throw new JwtRejection('unknown_kid');
    }
  }

  readonly #resolveKey = (
    header: JWSHeaderParameters,
  ): VerificationKey | Promise<VerificationKey> => {
    this.#checkHeader(header);
    const { kid, alg } = header;
    const algorithm = alg as string;
    if (this.#remote) {
      return this.#remote.find(kid, algorithm).then((found) => this.#keyOf(found, algorithm));
    }
    return this.#keyOf((this.#keys as KeySet).find(kid, algorithm), algorithm);
  };

  /**
   * One key and one algorithm: the key is handed to jose directly (no lookup to do) and the
   * header is checked once the signature holds; a `kid` must then name that key.
   */
  async #verifySingle(
    token: string,
    single: { entry: KeyEntry; alg: string },
    options: JWTVerifyOptions,
  ): Promise<{ payload: JWTPayload; protectedHeader: JWSHeaderParameters }> {
    let key = single.entry.keyFor(single.alg);
    if (key instanceof Promise) key = await this.#keyOf(single.entry, single.alg);
    const verified = await jwtVerify(token, key, options);
    const header = verified.protectedHeader;
    this.#checkHeader(header);
    if (header.kid !== undefined && header.kid !== single.entry.jwk.kid) {
      throw new JwtRejection('unknown_kid');
    }
    return verified;
  }

  #keyOf(
    found: KeyEntry | JwtRejectionReason,
    alg: string,
  ): VerificationKey | Promise<VerificationKey> {
    if (typeof found === 'string') throw new JwtRejection(found);
    const key = found.keyFor(alg);
    if (!(key instanceof Promise)) return key;
    return key.catch(() => {
      throw new JwtRejection('jwks_unavailable');
    });
  }

  async #isRevoked(jti: string): Promise<boolean | 'error'> {
    try {
      return await (this.#revocation as RevocationStore).isRevoked(jti);
    } catch (error) {
      const decision = this.#revocationFailOpen ? 'fail_open' : 'fail_closed';
      this.#metrics?.storeErrors.inc({ component: 'jwt_revocation', decision });
      const at = Date.now();
      if (at - this.#lastStoreLog >= STORE_LOG_INTERVAL_MS) {
        this.#lastStoreLog = at;
        this.#logger?.error(
          {
            code: SECURITY_ERROR_CODES.STORE_UNAVAILABLE,
            component: 'jwt_revocation',
            decision,
            err: error instanceof Error ? error.message : String(error),
          },
          this.#revocationFailOpen
            ? 'JWT revocation store failed; accepting tokens without the deny-list check'
            : 'JWT revocation store failed; refusing tokens until it answers',
        );
      }
      return this.#revocationFailOpen ? false : 'error';
    }
  }

  #reject(reason: JwtRejectionReason): JwtVerifyResult {
    this.#metrics?.jwtRejections.inc({ reason });
    return { ok: false, reason };
  }
}
