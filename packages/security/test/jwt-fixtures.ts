/**
 * Keys, claims and a raw signer for the JWT tests. The raw signer uses `node:crypto` directly so
 * tests can forge tokens a well-behaved library refuses to produce (unknown `crit`, `jku`, …).
 */
import { createHmac, generateKeyPairSync, type KeyObject, randomUUID, sign } from 'node:crypto';
import type { JWK } from 'jose';
import type { AuditEvent, AuditSink, SecurityLogger } from '../src/types.js';

export const NOW_MS = 1_800_000_000_000;
export const NOW_S = NOW_MS / 1000;
export const ISSUER = 'https://id.example.test';
export const AUDIENCE = 'orders-api';
export const HS_SECRET = 'k'.repeat(32);

export type Json = Record<string, unknown>;

export function b64(value: Json | string): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString(
    'base64url',
  );
}

/** A token from raw segments; the signature defaults to empty. */
export function forge(header: Json, payload: Json, signature = ''): string {
  return `${b64(header)}.${b64(payload)}.${signature}`;
}

/** Valid access-token claims at {@link NOW_S}, with `overrides` applied (`undefined` deletes). */
export function claims(overrides: Json = {}): Json {
  const out: Json = {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: 'user-1',
    iat: NOW_S - 10,
    exp: NOW_S + 300,
    jti: randomUUID(),
    ...overrides,
  };
  for (const [k, v] of Object.entries(out)) if (v === undefined) delete out[k];
  return out;
}

export interface TestKey {
  readonly privateKey: KeyObject;
  readonly jwk: JWK;
}

function pair(type: 'rsa' | 'ec' | 'ed25519', kid: string, alg: string, curve?: string): TestKey {
  const { privateKey, publicKey } =
    type === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : type === 'ec'
        ? generateKeyPairSync('ec', { namedCurve: curve ?? 'P-256' })
        : generateKeyPairSync('ed25519');
  return {
    privateKey,
    jwk: { ...(publicKey.export({ format: 'jwk' }) as JWK), kid, alg, use: 'sig' },
  };
}

let cached: Record<string, TestKey> | undefined;

/** One key per family, generated once per test file. */
export function testKeys(): Record<'rsa' | 'ps' | 'es256' | 'es384' | 'es512' | 'ed', TestKey> {
  cached ??= {
    rsa: pair('rsa', 'rsa-1', 'RS256'),
    ps: pair('rsa', 'ps-1', 'PS256'),
    es256: pair('ec', 'es-1', 'ES256', 'P-256'),
    es384: pair('ec', 'es384-1', 'ES384', 'P-384'),
    es512: pair('ec', 'es512-1', 'ES512', 'P-521'),
    ed: pair('ed25519', 'ed-1', 'EdDSA'),
  };
  return cached as Record<'rsa' | 'ps' | 'es256' | 'es384' | 'es512' | 'ed', TestKey>;
}

const HASH: Record<string, string> = { '256': 'sha256', '384': 'sha384', '512': 'sha512' };

/** Signs `header.payload` with `key` for `header.alg`, whatever else the header holds. */
export function rawSign(header: Json, payload: Json, key: KeyObject | string | Buffer): string {
  const input = `${b64(header)}.${b64(payload)}`;
  const alg = String(header.alg);
  const data = Buffer.from(input);
  let signature: Buffer;
  if (alg.startsWith('HS')) {
    signature = createHmac(HASH[alg.slice(2)] ?? 'sha256', key as string | Buffer)
      .update(input)
      .digest();
  } else if (alg === 'EdDSA' || alg === 'Ed25519') {
    signature = sign(null, data, key as KeyObject);
  } else if (alg.startsWith('ES')) {
    signature = sign(HASH[alg.slice(2)] ?? 'sha256', data, {
      key: key as KeyObject,
      dsaEncoding: 'ieee-p1363',
    });
  } else if (alg.startsWith('PS')) {
    signature = sign(HASH[alg.slice(2)] ?? 'sha256', data, {
      key: key as KeyObject,
      padding: 6, // RSA_PKCS1_PSS_PADDING
      saltLength: Number(alg.slice(2)) / 8,
    });
  } else {
    signature = sign(HASH[alg.slice(2)] ?? 'sha256', data, key as KeyObject);
  }
  return `${input}.${signature.toString('base64url')}`;
}

/** An audit sink that keeps events. */
export class RecordingAudit implements AuditSink {
  readonly events: AuditEvent[] = [];
  record(event: AuditEvent): void {
    this.events.push(event);
  }
}

/** A logger that keeps lines. */
export class RecordingLogger implements SecurityLogger {
  readonly lines: { level: string; object: Record<string, unknown>; message: string }[] = [];
  info(object: object, message: string): void {
    this.lines.push({ level: 'info', object: object as Record<string, unknown>, message });
  }
  warn(object: object, message: string): void {
    this.lines.push({ level: 'warn', object: object as Record<string, unknown>, message });
  }
  error(object: object, message: string): void {
    this.lines.push({ level: 'error', object: object as Record<string, unknown>, message });
  }
}
