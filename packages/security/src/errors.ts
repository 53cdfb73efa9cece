import { SrekitError } from '@srekit/core';

/**
 * Stable error codes of `@srekit/security`. Each is listed with its cause and fix in
 * `docs/error-codes.md`.
 */
export const SECURITY_ERROR_CODES = {
  /** An option of a security part is invalid (thrown at construction). */
  INVALID_OPTION: 'ERR_SREKIT_SECURITY_INVALID_OPTION',
  /** An HS secret is shorter than 32 bytes, or a key is unusable for the pinned algorithm. */
  WEAK_KEY: 'ERR_SREKIT_SECURITY_WEAK_KEY',
  /** Startup warning: express `trust proxy` does not match the deployment. */
  TRUST_PROXY: 'ERR_SREKIT_SECURITY_TRUST_PROXY',
  /** A shared store (Redis) failed; the configured fail-open/closed choice was applied. */
  STORE_UNAVAILABLE: 'ERR_SREKIT_SECURITY_STORE_UNAVAILABLE',
  /** A JWKS could not be fetched or read. */
  JWKS_UNAVAILABLE: 'ERR_SREKIT_SECURITY_JWKS_UNAVAILABLE',
  /** A password does not meet the policy (length, common password). */
  PASSWORD_POLICY: 'ERR_SREKIT_SECURITY_PASSWORD_POLICY',
  /** Startup warning: `sessions({ insecureDevCookie: true })` drops `__Host-` and `Secure` (development only). */
  INSECURE_DEV_COOKIE: 'ERR_SREKIT_SECURITY_INSECURE_DEV_COOKIE',
  /** Warning: a session request arrived over plain HTTP, where browsers drop the `Secure` session cookie. */
  COOKIE_OVER_HTTP: 'ERR_SREKIT_SECURITY_COOKIE_OVER_HTTP',
} as const;

/** Union of every error code `@srekit/security` can produce. */
export type SecurityErrorCode = (typeof SECURITY_ERROR_CODES)[keyof typeof SECURITY_ERROR_CODES];

/** Throws `ERR_SREKIT_SECURITY_INVALID_OPTION` naming the option and the fix. */
export function invalidOption(option: string, problem: string, fix: string): never {
  throw new SrekitError(
    SECURITY_ERROR_CODES.INVALID_OPTION,
    `Invalid option \`${option}\`: ${problem}. ${fix}`,
  );
}
