import { createHash, randomBytes } from 'node:crypto';
import { TOTP_DEFAULTS } from '../defaults.js';
import { invalidOption } from '../errors.js';
import { base32Encode } from './base32.js';

/** Lower-case, without separators or spaces: how a recovery code is hashed. */
export function normalizeRecoveryCode(code: string): string {
  return code.replace(/[\s-]/g, '').toLowerCase();
}

/**
 * The stored form of a recovery code: SHA-256 (hex) of the normalised code. A fast hash is
 * adequate because each code carries 120 random bits (ASVS 5.0 6.5.2 allows an approved
 * hash when a lookup secret has ≥ 112 bits of entropy).
 */
export function hashRecoveryCode(code: string): string {
  return createHash('sha256').update(normalizeRecoveryCode(code)).digest('hex');
}

/**
 * `count` new random recovery codes like `k3vq-9xzp-2mfa-7hcd-qw4e-8tyb` (120 bits each), to be
 * shown to the user once; store only {@link hashRecoveryCode} of each.
 */
export function generateRecoveryCodes(count: number = TOTP_DEFAULTS.recoveryCodes): string[] {
  if (!Number.isInteger(count) || count < 1 || count > 100) {
    invalidOption('count', `${count} is not in 1..100`, 'Use 10');
  }
  return Array.from(
    { length: count },
    () =>
      base32Encode(randomBytes(TOTP_DEFAULTS.recoveryCodeBytes))
        .toLowerCase()
        .match(/.{4}/g)
        ?.join('-') ?? '',
  );
}
