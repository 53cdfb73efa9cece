import {
  createHash,
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  randomUUID,
} from 'node:crypto';
import { SrekitError } from '@srekit/core';
import { type JWK, type JWTPayload, SignJWT } from 'jose';
import type { Registry } from 'prom-client';
import { guardAuditSink } from '../audit/guard-sink.js';
import { JWT_DEFAULTS } from '../defaults.js';
import { invalidOption, SECURITY_ERROR_CODES } from '../errors.js';
import { type SecurityMetrics, securityMetrics } from '../metrics.js';
import type { AuditSink, SecurityLogger } from '../types.js';
import {
  assertStrongSecret,
  isHmac,
  type JwtAlgorithm,
  keyTypeFor,
  secretBytes,
  validateAlgorithms,
} from './algorithms.js';
import { JwtVerifier } from './jwt-verifier.js';
import type { JsonWebKeySet } from './key-set.js';
import type { RefreshTokenStore } from './refresh-token-store.js';
import type { RevocationStore } from './revocation-store.js';

/** Options of {@link JwtIssuer}. */
export interface JwtIssuerOptions {
  /** Signing algorithm: `EdDSA`/`Ed25519`, `ES256`, `RS256`, `HS256` and their siblings. */
  readonly algorithm: JwtAlgorithm;
  /**
   * Signing key: a private `KeyObject`, a private JWK or PEM for public-key algorithms; the secret
   * (≥ 32 bytes, ≥ the hash size) for HS*. A `CryptoKey` is not accepted (its public half cannot be derived).
   */
  readonly key: KeyObject | JWK | string | Uint8Array;
  /** `kid` header. Default: the RFC 7638 thumbprint of the public key; none for HS*. */
  readonly kid?: string;
  /** `iss` of every token. */
  readonly issuer: string;
  /** `aud` of access tokens (the APIs that accept them). */
  readonly audience: string | readonly string[];
  /** `aud` of refresh tokens: only the issuer itself accepts them. Default: `issuer`. */
  readonly refreshAudience?: string;
  /** Access-token lifetime. Default 900 s. */
  readonly accessTokenTtlSeconds?: number;
  /** Refresh-token lifetime. Default 14 days. */
  readonly refreshTokenTtlSeconds?: number;
  /** `typ` of access tokens. Default `at+jwt`. */
  readonly accessTokenType?: string;
  /** `typ` of refresh tokens. Default `refresh+jwt`. */
  readonly refreshTokenType?: string;
  /** Family and used-token state; required by `issueTokens()` and `rotate()`. */
  readonly refreshStore?: RefreshTokenStore;
  /** Deny list the access tokens of a replayed family are put on. */
  readonly revocation?: RevocationStore;
  /** Clock skew accepted when verifying a refresh token. Default 30 s. */
  readonly clockToleranceSeconds?: number;
  /** Clock in epoch milliseconds (tests). Default `Date.now`. */
  readonly now?: () => number;
  readonly registry?: Registry;
  readonly logger?: SecurityLogger;
  readonly audit?: AuditSink;
}

/** An access token and a refresh token of one family. */
export interface TokenPair {
  readonly accessToken: string;
  readonly refreshToken: string;
  /** Always `Bearer`. */
  readonly tokenType: 'Bearer';
  /** Access-token lifetime in seconds (the OAuth `expires_in`). */
  readonly expiresIn: number;
  /** The family both tokens belong to. */
  readonly familyId: string;
}

/** Why a rotation failed. */
export type RotateFailure =
  /** Not a valid refresh token of this issuer (signature, typ, expiry, audience…). */
  | 'invalid'
  /** Already used: the family is now revoked. */
  | 'reused'
  /** The family was revoked before. */
  | 'revoked'
  /** The refresh-token store failed; nothing was issued. */
  | 'store_unavailable';

/** Outcome of {@link JwtIssuer.rotate}. */
export type RotateResult =
  | { readonly ok: true; readonly tokens: TokenPair }
  | { readonly ok: false; readonly reason: RotateFailure };

const RESERVED = new Set(['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti', 'fid', 'ext']);

function thumbprint(jwk: JWK): string {
  const members =
    jwk.kty === 'RSA'
      ? { e: jwk.e, kty: jwk.kty, n: jwk.n }
      : jwk.kty === 'EC'
        ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }
        : { crv: jwk.crv, kty: jwk.kty, x: jwk.x };
  return createHash('sha256').update(JSON.stringify(members)).digest('base64url');
}

function userClaims(
  claims: Readonly<Record<string, unknown>> | undefined,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(claims ?? {}))
    if (!RESERVED.has(name)) out[name] = value;
  return out;
}

/**
 * Issues access tokens (`typ: at+jwt`, RFC 9068) and refresh tokens (`typ: refresh+jwt`) with
 * `iss`, `aud`, `sub`, `iat`, `exp` and a random `jti`, and rotates refresh tokens with reuse
 * detection (RFC 9700 §4.14.2): every refresh token belongs to a family; `rotate()` accepts a
 * refresh token once and answers a new pair in the same family; presenting a used one revokes the
 * family (its refresh tokens, and its access tokens through the deny list), counts
 * `security_refresh_token_reuse_total` and audits `token.refresh_reuse`.
 *
 * @example
 * ```ts
 * const { privateKey } = generateKeyPairSync('ed25519');
 * const issuer = new JwtIssuer({
 *   algorithm: 'EdDSA', key: privateKey, issuer: 'https://id.example.com', audience: 'orders-api',
 *   refreshStore: new MemoryRefreshTokenStore(), revocation,
 * });
 * const pair = await issuer.issueTokens('user-1', { roles: ['viewer'] });
 * const next = await issuer.rotate(pair.refreshToken); // { ok: true, tokens } once; 'reused' after
 * app.get('/.well-known/jwks.json', (_req, res) => res.json(issuer.publicJwks()));
 * ```
 */
export class JwtIssuer {
  readonly #alg: JwtAlgorithm;
  readonly #signingKey: KeyObject | Uint8Array;
  readonly #kid: string | undefined;
  readonly #publicJwk: JWK | undefined;
  readonly #issuer: string;
  readonly #audience: string | string[];
  readonly #refreshAudience: string;
  readonly #accessTtl: number;
  readonly #refreshTtl: number;
  readonly #accessTyp: string;
  readonly #refreshTyp: string;
  readonly #store: RefreshTokenStore | undefined;
  readonly #revocation: RevocationStore | undefined;
  readonly #now: () => number;
  readonly #refreshVerifier: JwtVerifier;
  readonly #metrics: SecurityMetrics | undefined;
  readonly #logger: SecurityLogger | undefined;
  readonly #audit: AuditSink | undefined;

  constructor(options: JwtIssuerOptions) {
    const [alg] = validateAlgorithms('algorithm', [options.algorithm]) as [JwtAlgorithm];
    this.#alg = alg;
    if (typeof options.issuer !== 'string' || options.issuer.length === 0) {
      invalidOption('issuer', 'it must be a non-empty string', 'Set it to your issuer URL');
    }
    this.#issuer = options.issuer;
    this.#audience = Array.isArray(options.audience)
      ? [...(options.audience as string[])]
      : (options.audience as string);
    this.#refreshAudience = options.refreshAudience ?? options.issuer;
    this.#accessTtl = options.accessTokenTtlSeconds ?? JWT_DEFAULTS.accessTokenTtlSeconds;
    this.#refreshTtl = options.refreshTokenTtlSeconds ?? JWT_DEFAULTS.refreshTokenTtlSeconds;
    for (const [name, value] of [
      ['accessTokenTtlSeconds', this.#accessTtl],
      ['refreshTokenTtlSeconds', this.#refreshTtl],
    ] as const) {
      if (!Number.isInteger(value) || value <= 0)
        invalidOption(name, `${value} is not a positive integer`, 'Use whole seconds');
    }
    this.#accessTyp = options.accessTokenType ?? JWT_DEFAULTS.accessTokenType;
    this.#refreshTyp = options.refreshTokenType ?? JWT_DEFAULTS.refreshTokenType;
    if (this.#accessTyp.toLowerCase() === this.#refreshTyp.toLowerCase()) {
      invalidOption(
        'refreshTokenType',
        'it equals the access token type',
        'Keep them distinct so one cannot pass for the other',
      );
    }
    this.#store = options.refreshStore;
    this.#revocation = options.revocation;
    this.#now = options.now ?? Date.now;
    this.#metrics = options.registry ? securityMetrics(options.registry) : undefined;
    this.#logger = options.logger;
    this.#audit = guardAuditSink(options.audit, options.logger);

    const verifierBase = {
      algorithms: [alg],
      issuer: this.#issuer,
      audience: this.#refreshAudience,
      tokenType: this.#refreshTyp,
      requiredClaims: ['jti', 'fid'],
      ...(options.clockToleranceSeconds === undefined
        ? {}
        : { clockToleranceSeconds: options.clockToleranceSeconds }),
      ...(options.now === undefined ? {} : { now: options.now }),
      ...(options.registry === undefined ? {} : { registry: options.registry }),
      ...(options.logger === undefined ? {} : { logger: options.logger }),
    };
    if (isHmac(alg)) {
      const { key } = options;
      if (typeof key !== 'string' && !(key instanceof Uint8Array)) {
        invalidOption('key', `${alg} needs a secret (string or bytes)`, 'Pass the shared secret');
      }
      const secret = secretBytes(key);
      assertStrongSecret(secret, [alg]);
      this.#signingKey = secret;
      this.#kid = options.kid;
      // As a one-key JWKS so that a configured `kid` names the secret.
      const oct: JWK = { kty: 'oct', k: Buffer.from(secret).toString('base64url') };
      if (options.kid !== undefined) oct.kid = options.kid;
      this.#refreshVerifier = new JwtVerifier({ ...verifierBase, jwks: { keys: [oct] } });
    } else {
      const privateKey = this.#privateKey(options.key);
      const publicJwk = createPublicKey(privateKey).export({ format: 'jwk' }) as JWK;
      const want = keyTypeFor(alg);
      if (publicJwk.kty !== want.kty || (want.crv !== undefined && publicJwk.crv !== want.crv)) {
        invalidOption(
          'key',
          `a ${publicJwk.kty} ${publicJwk.crv ?? ''} key cannot sign ${alg}`,
          `Use a ${want.kty} ${want.crv ?? ''} key`,
        );
      }
      const bits = privateKey.asymmetricKeyDetails?.modulusLength;
      if (bits !== undefined && bits < 2048) {
        throw new SrekitError(
          SECURITY_ERROR_CODES.WEAK_KEY,
          `The RSA key has ${bits} bits; use at least 2048`,
        );
      }
      this.#signingKey = privateKey;
      this.#kid = options.kid ?? thumbprint(publicJwk);
      this.#publicJwk = { ...publicJwk, kid: this.#kid, alg, use: 'sig' };
      this.#refreshVerifier = new JwtVerifier({
        ...verifierBase,
        jwks: { keys: [this.#publicJwk] },
      });
    }
  }

  #privateKey(key: JwtIssuerOptions['key']): KeyObject {
    try {
      if (typeof key === 'string') return createPrivateKey(key);
      if (key instanceof Uint8Array)
        return createPrivateKey({ key: Buffer.from(key), format: 'der', type: 'pkcs8' });
      if ((key as KeyObject).type === 'private') return key as KeyObject;
      if ((key as KeyObject).type !== undefined) {
        invalidOption(
          'key',
          'it is not a private key',
          'Pass the private key; publish its public half with publicJwks()',
        );
      }
      return createPrivateKey({
        key: key as import('node:crypto').JsonWebKeyInput['key'],
        format: 'jwk',
      });
    } catch (error) {
      if (error instanceof SrekitError) throw error;
      return invalidOption(
        'key',
        'it is not a private key srekit can read',
        'Pass a KeyObject, a PEM string or a private JWK',
      );
    }
  }

  /** The `kid` header of issued tokens (undefined for HS* without a configured `kid`). */
  get kid(): string | undefined {
    return this.#kid;
  }

  /** The public key as a JWKS to publish; empty for HS* (a secret is never published). */
  publicJwks(): JsonWebKeySet {
    return { keys: this.#publicJwk ? [{ ...this.#publicJwk }] : [] };
  }

  /**
   * Signs an access token for `subject`. `claims` add to the registered ones (which they cannot
   * override).
   */
  async issueAccessToken(
    subject: string,
    claims?: Readonly<Record<string, unknown>>,
  ): Promise<string> {
    const { token } = await this.#access(subject, userClaims(claims));
    return token;
  }

  /**
   * Starts a refresh-token family: a new access token and refresh token for `subject`. The
   * refresh token carries `claims` so that `rotate()` can re-issue them.
   */
  async issueTokens(
    subject: string,
    claims?: Readonly<Record<string, unknown>>,
  ): Promise<TokenPair> {
    const store = this.#requireStore('issueTokens');
    return this.#pair(store, subject, userClaims(claims), randomUUID());
  }

  /**
   * Exchanges a refresh token for a new pair in its family. A token is accepted once: presented
   * again, it revokes the whole family. Never throws.
   *
   * @param options.claims - claims for the new tokens (e.g. freshly loaded roles); default: the
   *   ones the family was issued with.
   */
  async rotate(
    refreshToken: string,
    options: { claims?: Readonly<Record<string, unknown>> } = {},
  ): Promise<RotateResult> {
    const store = this.#requireStore('rotate');
    const verified = await this.#refreshVerifier.verify(refreshToken);
    if (!verified.ok) return { ok: false, reason: 'invalid' };
    const { claims } = verified;
    const familyId = claims.fid;
    const jti = claims.jti;
    const subject = claims.sub as string;
    if (typeof familyId !== 'string' || typeof jti !== 'string' || typeof claims.exp !== 'number') {
      return { ok: false, reason: 'invalid' };
    }
    let outcome: Awaited<ReturnType<RefreshTokenStore['consume']>>;
    try {
      outcome = await store.consume(familyId, jti, claims.exp);
    } catch (error) {
      this.#storeFailed(error);
      return { ok: false, reason: 'store_unavailable' };
    }
    if (outcome === 'revoked') {
      this.#audit?.record({
        event: 'token.rejected',
        outcome: 'denied',
        actor: subject,
        details: { reason: 'family_revoked', family: familyId, method: 'refresh_token' },
      });
      return { ok: false, reason: 'revoked' };
    }
    if (outcome === 'reused') {
      try {
        await this.#revokeFamily(familyId, subject, 'reuse');
      } catch (error) {
        this.#storeFailed(error);
      }
      this.#metrics?.refreshTokenReuse.inc();
      this.#audit?.record({
        event: 'token.refresh_reuse',
        outcome: 'blocked',
        actor: subject,
        details: { family: familyId },
      });
      this.#logger?.warn(
        { family: familyId, actor: subject },
        'Refresh token reused; its family is revoked',
      );
      return { ok: false, reason: 'reused' };
    }
    const ext = claims.ext;
    const carried =
      options.claims ??
      (typeof ext === 'object' && ext !== null ? (ext as Record<string, unknown>) : {});
    try {
      return { ok: true, tokens: await this.#pair(store, subject, userClaims(carried), familyId) };
    } catch (error) {
      if (error instanceof FamilyRevoked) return { ok: false, reason: 'revoked' };
      this.#storeFailed(error);
      return { ok: false, reason: 'store_unavailable' };
    }
  }

  /**
   * Revokes a family (logout everywhere, password change): its refresh tokens stop rotating and
   * its tracked access tokens go on the deny list. Rejects when a store fails.
   */
  async revokeFamily(familyId: string, actor?: string): Promise<void> {
    this.#requireStore('revokeFamily');
    await this.#revokeFamily(familyId, actor, 'request');
  }

  async #revokeFamily(
    familyId: string,
    actor: string | undefined,
    cause: 'reuse' | 'request',
  ): Promise<void> {
    const store = this.#store as RefreshTokenStore;
    const until = Math.floor(this.#now() / 1000) + this.#refreshTtl;
    const tracked = await store.revokeFamily(familyId, until);
    if (this.#revocation)
      await Promise.all(tracked.map((t) => this.#revocation?.revoke(t.jti, t.exp)));
    this.#audit?.record({
      event: 'token.revoked',
      outcome: 'success',
      ...(actor === undefined ? {} : { actor }),
      details: { family: familyId, cause, accessTokens: tracked.length },
    });
  }

  async #pair(
    store: RefreshTokenStore,
    subject: string,
    claims: Record<string, unknown>,
    familyId: string,
  ): Promise<TokenPair> {
    const access = await this.#access(subject, claims);
    if (this.#revocation) {
      const tracked = await store.trackAccessToken(familyId, { jti: access.jti, exp: access.exp });
      if (!tracked) {
        await this.#revocation.revoke(access.jti, access.exp);
        throw new FamilyRevoked();
      }
    }
    const iat = Math.floor(this.#now() / 1000);
    const refreshToken = await this.#sign(
      { ...(Object.keys(claims).length > 0 ? { ext: claims } : {}), fid: familyId },
      subject,
      this.#refreshAudience,
      this.#refreshTyp,
      iat,
      iat + this.#refreshTtl,
      randomUUID(),
    );
    return {
      accessToken: access.token,
      refreshToken,
      tokenType: 'Bearer',
      expiresIn: this.#accessTtl,
      familyId,
    };
  }

  async #access(
    subject: string,
    claims: Record<string, unknown>,
  ): Promise<{ token: string; jti: string; exp: number }> {
    const iat = Math.floor(this.#now() / 1000);
    const exp = iat + this.#accessTtl;
    const jti = randomUUID();
    const token = await this.#sign(claims, subject, this.#audience, this.#accessTyp, iat, exp, jti);
    return { token, jti, exp };
  }

  #sign(
    claims: JWTPayload,
    subject: string,
    audience: string | string[],
    typ: string,
    iat: number,
    exp: number,
    jti: string,
  ): Promise<string> {
    if (typeof subject !== 'string' || subject.length === 0) {
      invalidOption('subject', 'it must be a non-empty string', 'Pass the user id');
    }
    return new SignJWT(claims)
      .setProtectedHeader({
        alg: this.#alg,
        typ,
        ...(this.#kid === undefined ? {} : { kid: this.#kid }),
      })
      .setIssuer(this.#issuer)
      .setSubject(subject)
      .setAudience(audience)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .setJti(jti)
      .sign(this.#signingKey);
  }

  #requireStore(method: string): RefreshTokenStore {
    if (!this.#store) {
      invalidOption(
        'refreshStore',
        `${method}() needs a refresh-token store`,
        'Pass a MemoryRefreshTokenStore or RedisRefreshTokenStore',
      );
    }
    return this.#store;
  }

  #storeFailed(error: unknown): void {
    this.#metrics?.storeErrors.inc({ component: 'refresh_tokens', decision: 'fail_closed' });
    this.#logger?.error(
      {
        code: SECURITY_ERROR_CODES.STORE_UNAVAILABLE,
        component: 'refresh_tokens',
        err: error instanceof Error ? error.message : String(error),
      },
      'Refresh-token store failed; the rotation was refused',
    );
  }
}

class FamilyRevoked extends Error {}
