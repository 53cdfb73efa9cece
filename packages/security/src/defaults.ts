/**
 * Defaults of `@srekit/security`, one block per part; docs and tests import them from here.
 * Each part adds its block below.
 */
export const SECURITY_DEFAULTS = {
  /** Shortest accepted HMAC secret for HS* JWTs, in bytes (RFC 7518 §3.2: ≥ the hash size). */
  minHmacSecretBytes: 32,
} as const;
