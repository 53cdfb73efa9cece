import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { JwtAlgorithm } from '@srekit/security';

/** The signing key of the access and refresh tokens, and where it came from. */
export interface SigningKey {
  readonly key: KeyObject;
  readonly algorithm: JwtAlgorithm;
  /** `true` when generated at start (development only: tokens die with the process). */
  readonly generated: boolean;
}

/** Warning printed when no key is configured. */
export const DEV_KEY_WARNING = [
  '',
  '!!! ================================================================================= !!!',
  '!!!  JWT_PRIVATE_KEY is not set: using a signing key generated at start (development).  !!!',
  '!!!  Tokens stop working when the process restarts and other instances reject them.   !!!',
  '!!!  Set JWT_PRIVATE_KEY (PEM, e.g. `openssl genpkey -algorithm ed25519`) in production. !!!',
  '!!! ================================================================================= !!!',
  '',
].join('\n');

/**
 * Reads the PEM private key, or generates an Ed25519 development key when there is none. The
 * algorithm follows the key: Ed25519 → EdDSA, P-256 → ES256, P-384 → ES384, RSA → RS256.
 */
export function resolveSigningKey(pem: string | undefined): SigningKey {
  if (pem === undefined) {
    return { key: generateKeyPairSync('ed25519').privateKey, algorithm: 'EdDSA', generated: true };
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (error) {
    throw new Error(
      `JWT_PRIVATE_KEY: the PEM could not be read (${(error as Error).message}). Pass a PKCS#8 private key, e.g. from \`openssl genpkey -algorithm ed25519\`.`,
    );
  }
  const type = key.asymmetricKeyType;
  const curve = key.asymmetricKeyDetails?.namedCurve;
  const algorithm: JwtAlgorithm | undefined =
    type === 'ed25519'
      ? 'EdDSA'
      : type === 'ec' && curve === 'prime256v1'
        ? 'ES256'
        : type === 'ec' && curve === 'secp384r1'
          ? 'ES384'
          : type === 'rsa'
            ? 'RS256'
            : undefined;
  if (algorithm === undefined) {
    throw new Error(
      `JWT_PRIVATE_KEY: a ${type ?? 'secret'}${curve ? ` (${curve})` : ''} key is not supported. Use Ed25519, P-256, P-384 or RSA.`,
    );
  }
  return { key, algorithm, generated: false };
}
