import { SrekitError } from '@srekit/core';
import { SECURITY_DEFAULTS } from '../defaults.js';
import { invalidOption, SECURITY_ERROR_CODES } from '../errors.js';

/** JWS algorithms srekit signs and verifies. `none` is not one of them and never will be. */
export const JWT_ALGORITHMS = [
  'HS256',
  'HS384',
  'HS512',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
] as const;

/** One of {@link JWT_ALGORITHMS}. */
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

const SUPPORTED = new Set<string>(JWT_ALGORITHMS);

/** True for the HMAC algorithms (shared secret). */
export function isHmac(alg: string): boolean {
  return alg.startsWith('HS');
}

/** The JWK `kty` (and `crv`) a key must have to be used with `alg`. */
export function keyTypeFor(alg: string): { kty: string; crv?: string } {
  if (isHmac(alg)) return { kty: 'oct' };
  if (alg.startsWith('RS') || alg.startsWith('PS')) return { kty: 'RSA' };
  if (alg === 'ES256') return { kty: 'EC', crv: 'P-256' };
  if (alg === 'ES384') return { kty: 'EC', crv: 'P-384' };
  if (alg === 'ES512') return { kty: 'EC', crv: 'P-521' };
  return { kty: 'OKP', crv: 'Ed25519' };
}

/** Shortest HMAC secret for `alg`: 32 bytes, and never less than the hash (RFC 7518 §3.2). */
export function minSecretBytes(alg: string): number {
  const hashBytes = Number(alg.slice(2)) / 8;
  return Math.max(SECURITY_DEFAULTS.minHmacSecretBytes, Number.isFinite(hashBytes) ? hashBytes : 0);
}

/** Throws `ERR_SREKIT_SECURITY_WEAK_KEY` when `secret` is too short for any of `algorithms`. */
export function assertStrongSecret(secret: Uint8Array, algorithms: readonly string[]): void {
  for (const alg of algorithms) {
    if (!isHmac(alg)) continue;
    const min = minSecretBytes(alg);
    if (secret.byteLength < min) {
      throw new SrekitError(
        SECURITY_ERROR_CODES.WEAK_KEY,
        `The ${alg} secret is ${secret.byteLength} bytes; at least ${min} random bytes are needed. ` +
          'Generate one with crypto.randomBytes(32) (or 64 for HS512) and keep it out of the code',
      );
    }
  }
}

/** The secret as bytes (strings are UTF-8). */
export function secretBytes(secret: string | Uint8Array): Uint8Array {
  return typeof secret === 'string' ? new TextEncoder().encode(secret) : secret;
}

/**
 * Validates the pinned algorithm list: non-empty, known, no `none` in any spelling, and not a mix
 * of HMAC and public-key algorithms (the shape of the key-confusion attack).
 */
export function validateAlgorithms(option: string, algorithms: unknown): readonly JwtAlgorithm[] {
  if (!Array.isArray(algorithms) || algorithms.length === 0) {
    invalidOption(option, 'it must list the accepted algorithms', "Pin them, e.g. ['ES256']");
  }
  for (const alg of algorithms) {
    if (typeof alg === 'string' && alg.toLowerCase() === 'none') {
      invalidOption(option, '`none` is never accepted', 'Remove it and sign every token');
    }
    if (typeof alg !== 'string' || !SUPPORTED.has(alg)) {
      invalidOption(
        option,
        `\`${String(alg)}\` is not supported`,
        `Use some of ${JWT_ALGORITHMS.join(', ')}`,
      );
    }
  }
  const hmac = algorithms.filter(isHmac).length;
  if (hmac > 0 && hmac < algorithms.length) {
    invalidOption(
      option,
      'it mixes HMAC (HS*) and public-key algorithms',
      'Use one kind per verifier, so a public key can never be used as an HMAC secret',
    );
  }
  return [...new Set(algorithms as JwtAlgorithm[])];
}
