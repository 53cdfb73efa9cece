import { createHmac, randomBytes } from 'node:crypto';
import { TOTP_DEFAULTS } from '../defaults.js';
import { invalidOption } from '../errors.js';
import { base32Decode, base32Encode } from './base32.js';

/** HMAC hash of an OTP. */
export type OtpAlgorithm = 'SHA1' | 'SHA256' | 'SHA512';

/** An OTP secret: raw bytes, or a base32 string as authenticator apps show it. */
export type OtpSecret = string | Uint8Array;

/** Options of {@link hotp}. */
export interface HotpOptions {
  /** Code length, 6–8. Default 6. */
  readonly digits?: number;
  /** HMAC hash. Default `'SHA1'`. */
  readonly algorithm?: OtpAlgorithm;
}

/** Options of {@link generateTotp}. */
export interface GenerateTotpOptions extends HotpOptions {
  /** The moment: a `Date` or epoch milliseconds. Default now. */
  readonly time?: Date | number;
  /** Time step in seconds. Default 30. */
  readonly step?: number;
}

const ALGORITHMS: Record<OtpAlgorithm, string> = {
  SHA1: 'sha1',
  SHA256: 'sha256',
  SHA512: 'sha512',
};

/** Validates the OTP parameters; throws `ERR_SREKIT_SECURITY_INVALID_OPTION`. */
export function checkOtpParameters(digits: number, algorithm: OtpAlgorithm, step: number): void {
  if (!Number.isInteger(digits) || digits < 6 || digits > 8) {
    invalidOption(
      'digits',
      `${digits} is not 6, 7 or 8`,
      'Use 6 (what authenticator apps expect) or 8',
    );
  }
  if (!(algorithm in ALGORITHMS)) {
    invalidOption(
      'algorithm',
      `"${String(algorithm)}" is not supported`,
      "Use 'SHA1', 'SHA256' or 'SHA512'",
    );
  }
  if (!Number.isInteger(step) || step < 1 || step > 300) {
    invalidOption('step', `${step} is not an integer number of seconds in 1..300`, 'Use 30');
  }
}

/** The secret's bytes; a string is read as base32. Throws on a string that is not base32. */
export function secretBytes(secret: OtpSecret): Buffer {
  if (typeof secret !== 'string') return Buffer.from(secret);
  const bytes = base32Decode(secret);
  if (!bytes || bytes.length === 0) {
    invalidOption(
      'secret',
      'it is not a base32 string',
      'Pass the base32 secret given at enrolment, or its bytes',
    );
  }
  return bytes;
}

/**
 * RFC 4226 HOTP: the `digits`-digit code for `counter`.
 *
 * @example
 * hotp(Buffer.from('12345678901234567890'), 0); // '755224'
 */
export function hotp(
  secret: OtpSecret,
  counter: number | bigint,
  options: HotpOptions = {},
): string {
  const digits = options.digits ?? TOTP_DEFAULTS.digits;
  const algorithm = options.algorithm ?? TOTP_DEFAULTS.algorithm;
  checkOtpParameters(digits, algorithm, TOTP_DEFAULTS.stepSeconds);
  return hotpRaw(secretBytes(secret), BigInt(counter), digits, algorithm);
}

/** HOTP without validation, for the verifier's inner loop. */
export function hotpRaw(
  key: Uint8Array,
  counter: bigint,
  digits: number,
  algorithm: OtpAlgorithm,
): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt.asUintN(64, counter));
  const mac = createHmac(ALGORITHMS[algorithm], key).update(message).digest();
  const offset = (mac[mac.length - 1] as number) & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/** The RFC 6238 time step counter of `time` (epoch ms or Date). */
export function timeStep(time: Date | number, step: number): number {
  const ms = typeof time === 'number' ? time : time.getTime();
  return Math.floor(ms / 1000 / step);
}

/**
 * RFC 6238 TOTP: the code for a moment. Pure when `time` is given.
 *
 * @example
 * generateTotp(secret, { time: 59_000, digits: 8 }); // '94287082' for the RFC's SHA1 seed
 */
export function generateTotp(secret: OtpSecret, options: GenerateTotpOptions = {}): string {
  const digits = options.digits ?? TOTP_DEFAULTS.digits;
  const algorithm = options.algorithm ?? TOTP_DEFAULTS.algorithm;
  const step = options.step ?? TOTP_DEFAULTS.stepSeconds;
  checkOtpParameters(digits, algorithm, step);
  const counter = timeStep(options.time ?? Date.now(), step);
  return hotpRaw(secretBytes(secret), BigInt(counter), digits, algorithm);
}

/**
 * A new random TOTP secret in base32. Default 20 bytes (160 bits, RFC 4226's recommendation);
 * at least 16 bytes.
 */
export function generateTotpSecret(bytes: number = TOTP_DEFAULTS.secretBytes): string {
  if (!Number.isInteger(bytes) || bytes < 16 || bytes > 64) {
    invalidOption('bytes', `${bytes} is not in 16..64`, 'Use 20 (160 bits) or more');
  }
  return base32Encode(randomBytes(bytes));
}

/** What an otpauth:// enrolment URI carries. */
export interface TotpUriOptions {
  /** The secret (bytes or base32). */
  readonly secret: OtpSecret;
  /** Service name shown in the app, e.g. `'Checkout'`. Must not contain `:`. */
  readonly issuer: string;
  /** The user's account name, e.g. an e-mail address. Must not contain `:`. */
  readonly account: string;
  /** Default `'SHA1'`. */
  readonly algorithm?: OtpAlgorithm;
  /** Default 6. */
  readonly digits?: number;
  /** Time step in seconds. Default 30. */
  readonly period?: number;
}

/**
 * The `otpauth://totp/...` URI an authenticator app reads (usually from a QR code), with issuer,
 * account, algorithm, digits and period; label and parameters percent-encoded.
 *
 * @example
 * totpUri({ secret, issuer: 'Checkout', account: 'alice@example.com' });
 * // otpauth://totp/Checkout:alice%40example.com?secret=...&issuer=Checkout&algorithm=SHA1&digits=6&period=30
 */
export function totpUri(options: TotpUriOptions): string {
  const algorithm = options.algorithm ?? TOTP_DEFAULTS.algorithm;
  const digits = options.digits ?? TOTP_DEFAULTS.digits;
  const period = options.period ?? TOTP_DEFAULTS.stepSeconds;
  checkOtpParameters(digits, algorithm, period);
  for (const name of ['issuer', 'account'] as const) {
    const value = options[name];
    if (typeof value !== 'string' || value.length === 0 || value.includes(':')) {
      invalidOption(
        name,
        'it must be a non-empty string without ":"',
        'The label separates issuer and account with ":"',
      );
    }
  }
  const secret = base32Encode(secretBytes(options.secret));
  const label = `${encodeURIComponent(options.issuer)}:${encodeURIComponent(options.account)}`;
  const query = [
    `secret=${secret}`,
    `issuer=${encodeURIComponent(options.issuer)}`,
    `algorithm=${algorithm}`,
    `digits=${digits}`,
    `period=${period}`,
  ].join('&');
  return `otpauth://totp/${label}?${query}`;
}
