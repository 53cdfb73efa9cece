/**
 * Why a JWT was refused. A fixed, small set: it is the `reason` label of
 * `security_jwt_rejections_total`, so it must never carry values from the token.
 */
export const JWT_REJECTION_REASONS = [
  /** No bearer token on a request that needs one. */
  'missing',
  /** Longer than `maxTokenBytes`. */
  'oversized',
  /** Not a compact JWS: wrong segment count (e.g. a JWE), bad base64url or JSON, bad claim types. */
  'malformed',
  /** `alg` not pinned (including `none` in any case), or not usable with the key it names. */
  'alg_not_allowed',
  /** `jku`, `x5u`, `jwk` or `x5c` header, or a `crit` extension srekit does not understand. */
  'forbidden_header',
  /** `kid` unknown to the configured key set, or with characters a key id never needs. */
  'unknown_kid',
  /** The signature does not verify. */
  'bad_signature',
  /** `typ` is not the expected one (e.g. a refresh token presented as an access token). */
  'wrong_type',
  /** `exp` is past (beyond the clock tolerance). */
  'expired',
  /** `nbf` or `iat` is in the future (beyond the clock tolerance). */
  'not_yet_valid',
  /** `iat` is older than `maxAgeSeconds`. */
  'too_old',
  /** A required claim is missing, or `iss` / `aud` do not match. */
  'invalid_claims',
  /** `jti` is on the deny list. */
  'revoked',
  /** No key could be loaded: the JWKS URL failed and no usable key is cached. */
  'jwks_unavailable',
  /** The revocation store failed and the verifier fails closed. */
  'store_unavailable',
] as const;

/** One of {@link JWT_REJECTION_REASONS}. */
export type JwtRejectionReason = (typeof JWT_REJECTION_REASONS)[number];

/** Thrown inside the verifier's key lookup to stop verification with a known reason. */
export class JwtRejection extends Error {
  readonly reason: JwtRejectionReason;

  constructor(reason: JwtRejectionReason) {
    super(`JWT rejected: ${reason}`);
    this.name = 'JwtRejection';
    this.reason = reason;
  }
}

/** Maps an error from `jose` (or a {@link JwtRejection}) to a rejection reason. */
export function reasonOf(error: unknown): JwtRejectionReason {
  if (error instanceof JwtRejection) return error.reason;
  const code = (error as { code?: unknown } | null)?.code;
  const claim = (error as { claim?: unknown } | null)?.claim;
  const why = (error as { reason?: unknown } | null)?.reason;
  switch (code) {
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return 'alg_not_allowed';
    case 'ERR_JOSE_NOT_SUPPORTED':
      return 'forbidden_header';
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return 'bad_signature';
    case 'ERR_JWT_EXPIRED':
      return claim === 'iat' ? 'too_old' : 'expired';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      if (why === 'missing') return 'invalid_claims';
      if (claim === 'nbf' || claim === 'iat')
        return why === 'invalid' ? 'malformed' : 'not_yet_valid';
      if (claim === 'exp') return 'malformed';
      if (claim === 'typ') return 'wrong_type';
      return 'invalid_claims';
    default:
      return 'malformed';
  }
}
