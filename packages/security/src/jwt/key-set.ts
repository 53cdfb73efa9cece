import { webcrypto } from 'node:crypto';
import { SrekitError } from '@srekit/core';
import { importJWK, type JWK } from 'jose';
import { invalidOption, SECURITY_ERROR_CODES } from '../errors.js';
import { isHmac, keyTypeFor, minSecretBytes } from './algorithms.js';
import type { JwtRejectionReason } from './rejection.js';

/** A JSON Web Key Set (RFC 7517 §5): `{ keys: [...] }`. */
export interface JsonWebKeySet {
  readonly keys: readonly JWK[];
}

/** A key ready for `crypto.subtle`. */
export type VerificationKey = webcrypto.CryptoKey;

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth'] as const;
const HASH_OF: Record<string, string> = { HS256: 'SHA-256', HS384: 'SHA-384', HS512: 'SHA-512' };

/** One verification key of a set, imported once per algorithm on first use. */
export class KeyEntry {
  readonly jwk: JWK;
  readonly #ready = new Map<string, VerificationKey>();
  readonly #pending = new Map<string, Promise<VerificationKey>>();

  constructor(jwk: JWK) {
    this.jwk = jwk;
  }

  /** The key for `alg`: synchronously once imported, a promise the first time. */
  keyFor(alg: string): VerificationKey | Promise<VerificationKey> {
    const ready = this.#ready.get(alg);
    if (ready) return ready;
    let pending = this.#pending.get(alg);
    if (!pending) {
      pending = importVerificationKey(this.jwk, alg).then(
        (key) => {
          this.#ready.set(alg, key);
          this.#pending.delete(alg);
          return key;
        },
        (error: unknown) => {
          this.#pending.delete(alg);
          throw error;
        },
      );
      this.#pending.set(alg, pending);
    }
    return pending;
  }
}

async function importVerificationKey(jwk: JWK, alg: string): Promise<VerificationKey> {
  if (isHmac(alg)) {
    const bytes = Buffer.from(jwk.k ?? '', 'base64url');
    return webcrypto.subtle.importKey(
      'raw',
      bytes,
      { name: 'HMAC', hash: HASH_OF[alg] ?? 'SHA-256' },
      false,
      ['verify'],
    );
  }
  return (await importJWK({ ...jwk, ext: false }, alg)) as VerificationKey;
}

/** What to do with a key that cannot be used: refuse the configuration, or skip the key. */
export type InvalidKeyPolicy = 'throw' | ((problem: string) => void);

function compatible(jwk: JWK, alg: string): boolean {
  const want = keyTypeFor(alg);
  if (jwk.kty !== want.kty) return false;
  if (want.crv !== undefined && jwk.crv !== want.crv) return false;
  return jwk.alg === undefined || jwk.alg === alg;
}

/**
 * The keys a verifier trusts, looked up by `kid` only among them. Built from a JWKS object; keys
 * that are not for signatures, or of a type none of the pinned algorithms uses, are left out.
 */
export class KeySet {
  readonly #byKid = new Map<string, KeyEntry[]>();
  readonly #entries: KeyEntry[] = [];

  private constructor() {}

  /**
   * Validates and indexes `jwks`. With `onInvalid: 'throw'` (configuration) an unusable key is an
   * error; otherwise (a fetched set) the problem is reported and the key skipped.
   */
  static from(
    jwks: unknown,
    algorithms: readonly string[],
    source: string,
    onInvalid: InvalidKeyPolicy,
  ): KeySet {
    const set = new KeySet();
    const keys = (jwks as { keys?: unknown } | null)?.keys;
    if (typeof jwks !== 'object' || jwks === null || !Array.isArray(keys)) {
      if (onInvalid === 'throw')
        invalidOption(source, 'it is not a JWKS (`{ "keys": [...] }`)', 'Pass a JSON Web Key Set');
      onInvalid(`${source} is not a JWKS`);
      return set;
    }
    for (const raw of keys as unknown[]) {
      const problem = set.#add(raw, algorithms);
      if (problem === undefined) continue;
      if (onInvalid !== 'throw') {
        onInvalid(`${source}: ${problem.message}`);
        continue;
      }
      if (problem.weak)
        throw new SrekitError(SECURITY_ERROR_CODES.WEAK_KEY, `${source}: ${problem.message}`);
      invalidOption(
        source,
        problem.message,
        'Publish only public signature keys with a `kid` each',
      );
    }
    return set;
  }

  #add(
    raw: unknown,
    algorithms: readonly string[],
  ): { message: string; weak?: boolean } | undefined {
    if (typeof raw !== 'object' || raw === null || typeof (raw as JWK).kty !== 'string') {
      return { message: 'a key is not a JWK object with `kty`' };
    }
    const jwk = raw as JWK;
    if (jwk.use !== undefined && jwk.use !== 'sig') return undefined;
    if (Array.isArray(jwk.key_ops) && !jwk.key_ops.includes('verify')) return undefined;
    const usable = algorithms.filter((alg) => compatible(jwk, alg));
    if (usable.length === 0) return undefined;
    if (jwk.kid !== undefined && typeof jwk.kid !== 'string')
      return { message: 'a `kid` is not a string' };
    if (jwk.kty === 'oct') {
      const bytes = typeof jwk.k === 'string' ? Buffer.from(jwk.k, 'base64url').byteLength : 0;
      const min = Math.max(...usable.map(minSecretBytes));
      if (bytes < min) {
        return {
          message: `the oct key ${jwk.kid ?? ''} has ${bytes} bytes, fewer than ${min}`,
          weak: true,
        };
      }
    } else if (PRIVATE_MEMBERS.some((member) => member in jwk)) {
      return {
        message: `the key ${jwk.kid ?? ''} carries private key members; publish the public key only`,
      };
    }
    const entry = new KeyEntry(jwk);
    this.#entries.push(entry);
    if (jwk.kid !== undefined) {
      const list = this.#byKid.get(jwk.kid) ?? [];
      list.push(entry);
      this.#byKid.set(jwk.kid, list);
    }
    return undefined;
  }

  /** Number of usable keys. */
  get size(): number {
    return this.#entries.length;
  }

  /** The key when the set holds exactly one. */
  only(): KeyEntry | undefined {
    return this.#entries.length === 1 ? this.#entries[0] : undefined;
  }

  /** The `kid`s in the set. */
  kids(): string[] {
    return [...this.#byKid.keys()];
  }

  /** True when a key with this `kid` exists (of any type). */
  has(kid: string): boolean {
    return this.#byKid.has(kid);
  }

  /**
   * The key for a token's `kid` and `alg`, or why there is none. Without a `kid` only a set with
   * exactly one key for `alg` answers.
   */
  find(kid: string | undefined, alg: string): KeyEntry | JwtRejectionReason {
    if (kid === undefined) {
      const candidates = this.#entries.filter((entry) => compatible(entry.jwk, alg));
      return candidates.length === 1 && candidates[0] ? candidates[0] : 'unknown_kid';
    }
    const list = this.#byKid.get(kid);
    if (!list) return 'unknown_kid';
    return list.find((entry) => compatible(entry.jwk, alg)) ?? 'alg_not_allowed';
  }
}
