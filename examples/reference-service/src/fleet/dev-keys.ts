import { generateKeyPairSync, randomUUID } from 'node:crypto';

/** The JWT signing key pair every instance of a fleet shares (`JWT_PRIVATE_KEY`, `JWT_PUBLIC_JWKS`). */
export interface FleetKeys {
  /** PKCS #8 PEM of an Ed25519 (EdDSA) private key. */
  readonly privateKeyPem: string;
  /** JWKS JSON (`{"keys":[…]}`) with the public key, `kid`, `alg: EdDSA`, `use: sig`. */
  readonly publicJwks: string;
}

/** Generates one dev key pair for the whole fleet (never for production: keys die with the fleet). */
export function generateFleetKeys(): FleetKeys {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const jwk = publicKey.export({ format: 'jwk' });
  const kid = `fleet-dev-${randomUUID().slice(0, 8)}`;
  return {
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicJwks: JSON.stringify({ keys: [{ ...jwk, kid, alg: 'EdDSA', use: 'sig' }] }),
  };
}
