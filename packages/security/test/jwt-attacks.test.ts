/**
 * The JWT attack suite: every case of ANCHORS.md (Security) as its own test against the strict
 * verifier, plus valid tokens of every supported algorithm. Tokens are forged with `node:crypto`
 * so that each carries exactly the flaw under test and is otherwise valid.
 */
import { generateKeyPairSync } from 'node:crypto';
import { isSrekitError } from '@srekit/core';
import { scrapeRegistry, startRedisServer, type TestRedis } from '@srekit/core/testing';
import { Redis } from 'ioredis';
import { CompactEncrypt } from 'jose';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBinary } from '../../../tests/support/system-deps.js';
import { JWT_ALGORITHMS } from '../src/jwt/algorithms.js';
import { JwtIssuer } from '../src/jwt/jwt-issuer.js';
import { JwtVerifier, type JwtVerifierOptions } from '../src/jwt/jwt-verifier.js';
import { RedisRevocationStore } from '../src/jwt/redis-revocation-store.js';
import { MemoryRevocationStore } from '../src/jwt/revocation-store.js';
import {
  AUDIENCE,
  claims,
  forge,
  HS_SECRET,
  ISSUER,
  type Json,
  NOW_MS,
  NOW_S,
  rawSign,
  testKeys,
} from './jwt-fixtures.js';

const keys = testKeys();
const JWKS = { keys: [keys.rsa.jwk, keys.es256.jwk, keys.ed.jwk] };
const AT = { typ: 'at+jwt' };

function verifier(overrides: Partial<JwtVerifierOptions> = {}): JwtVerifier {
  return new JwtVerifier({
    algorithms: ['RS256', 'ES256', 'EdDSA'],
    issuer: ISSUER,
    audience: AUDIENCE,
    jwks: JWKS,
    now: () => NOW_MS,
    ...overrides,
  } as JwtVerifierOptions);
}

/** A token signed with the ES256 key, header and claims adjustable. */
function es256(header: Json = {}, payload: Json = claims()): string {
  return rawSign({ alg: 'ES256', kid: 'es-1', ...AT, ...header }, payload, keys.es256.privateKey);
}

async function reasonFor(token: string, v: JwtVerifier = verifier()): Promise<string> {
  const result = await v.verify(token);
  return result.ok ? 'accepted' : result.reason;
}

describe('control: the well-formed token the attacks start from', () => {
  it('is accepted', async () => {
    expect(await reasonFor(es256())).toBe('accepted');
  });
});

describe('alg none', () => {
  for (const alg of ['none', 'None', 'NONE', 'nOnE']) {
    it(`refuses alg "${alg}" with an empty signature`, async () => {
      expect(await reasonFor(forge({ alg, ...AT, kid: 'es-1' }, claims()))).toBe('alg_not_allowed');
    });
  }
  it('refuses none in the pinned list at construction, in any case', () => {
    for (const alg of ['none', 'NoNe']) {
      expect(() => verifier({ algorithms: [alg as 'ES256'] })).toThrow(/never accepted/);
    }
  });
});

describe('key confusion: HS256 signed with the RSA public key', () => {
  it('is refused when the attacker uses the JWK of the public key as the secret (HS256 is not pinned)', async () => {
    const pem = Buffer.from(JSON.stringify(keys.rsa.jwk));
    const token = rawSign({ alg: 'HS256', kid: 'rsa-1', ...AT }, claims(), pem);
    expect(await reasonFor(token)).toBe('alg_not_allowed');
  });
  it('is refused when the attacker uses the PEM form of the public key as the secret', async () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = publicKey.export({ format: 'pem', type: 'spki' });
    const token = rawSign({ alg: 'HS256', kid: 'rsa-1', ...AT }, claims(), pem);
    expect(await reasonFor(token)).toBe('alg_not_allowed');
  });
  it('cannot be set up: a verifier mixing HS and RS algorithms is refused at construction', () => {
    expect(() => verifier({ algorithms: ['RS256', 'HS256'] })).toThrow(/mixes HMAC/);
  });
});

describe('algorithm not allowed', () => {
  it('refuses PS256 from a pinned RS256/ES256/EdDSA verifier although the RSA key would verify it', async () => {
    const token = rawSign({ alg: 'PS256', kid: 'rsa-1', ...AT }, claims(), keys.rsa.privateKey);
    expect(await reasonFor(token)).toBe('alg_not_allowed');
  });
  it('refuses an alg the named key is not for (ES256 header on the RSA kid)', async () => {
    const token = rawSign({ alg: 'ES256', kid: 'rsa-1', ...AT }, claims(), keys.es256.privateKey);
    expect(await reasonFor(token)).toBe('alg_not_allowed');
  });
});

describe('signature', () => {
  it('refuses a stripped signature', async () => {
    const [h, p] = es256().split('.');
    expect(await reasonFor(`${h}.${p}.`)).toBe('bad_signature');
  });
  it('refuses a tampered payload', async () => {
    const [h, , s] = es256().split('.');
    const forged = Buffer.from(JSON.stringify(claims({ sub: 'admin' }))).toString('base64url');
    expect(await reasonFor(`${h}.${forged}.${s}`)).toBe('bad_signature');
  });
  it('refuses a signature by another key under a trusted kid', async () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const token = rawSign({ alg: 'ES256', kid: 'es-1', ...AT }, claims(), other);
    expect(await reasonFor(token)).toBe('bad_signature');
  });
});

describe('time claims at the leeway edge (clock tolerance 30 s)', () => {
  it('accepts exp 29 s in the past (just inside)', async () => {
    expect(await reasonFor(es256({}, claims({ exp: NOW_S - 29 })))).toBe('accepted');
  });
  it('refuses exp 30 s in the past (just outside)', async () => {
    expect(await reasonFor(es256({}, claims({ exp: NOW_S - 30 })))).toBe('expired');
  });
  it('accepts nbf 30 s in the future (just inside)', async () => {
    expect(await reasonFor(es256({}, claims({ nbf: NOW_S + 30 })))).toBe('accepted');
  });
  it('refuses nbf 31 s in the future (not yet valid)', async () => {
    expect(await reasonFor(es256({}, claims({ nbf: NOW_S + 31 })))).toBe('not_yet_valid');
  });
  it('refuses a token older than maxAgeSeconds, and one without iat when a max age is set', async () => {
    const v = verifier({ maxAgeSeconds: 60 });
    expect(await reasonFor(es256({}, claims({ iat: NOW_S - 60 })), v)).toBe('accepted');
    expect(await reasonFor(es256({}, claims({ iat: NOW_S - 91 })), v)).toBe('too_old');
    expect(await reasonFor(es256({}, claims({ iat: undefined })), v)).toBe('invalid_claims');
  });
  it('refuses a non-numeric exp', async () => {
    expect(await reasonFor(es256({}, claims({ exp: 'never' })))).toBe('malformed');
  });
});

describe('required claims', () => {
  it('refuses a token without exp', async () => {
    expect(await reasonFor(es256({}, claims({ exp: undefined })))).toBe('invalid_claims');
  });
  it('refuses a wrong aud', async () => {
    expect(await reasonFor(es256({}, claims({ aud: 'billing-api' })))).toBe('invalid_claims');
  });
  it('refuses a missing aud', async () => {
    expect(await reasonFor(es256({}, claims({ aud: undefined })))).toBe('invalid_claims');
  });
  it('refuses a wrong iss', async () => {
    expect(await reasonFor(es256({}, claims({ iss: 'https://evil.example' })))).toBe(
      'invalid_claims',
    );
  });
  it('refuses a missing iss', async () => {
    expect(await reasonFor(es256({}, claims({ iss: undefined })))).toBe('invalid_claims');
  });
  it('refuses a missing sub', async () => {
    expect(await reasonFor(es256({}, claims({ sub: undefined })))).toBe('invalid_claims');
  });
});

describe('kid', () => {
  it('refuses an unknown kid', async () => {
    expect(await reasonFor(es256({ kid: 'es-2' }))).toBe('unknown_kid');
  });
  it('refuses a kid with path characters before any lookup, even if such a key were configured', async () => {
    const kid = '../../dev/null';
    const v = verifier({ jwks: { keys: [{ ...keys.es256.jwk, kid }] } });
    expect(await reasonFor(es256({ kid }), v)).toBe('unknown_kid');
  });
  it('refuses a kid with SQL characters before any lookup, even if such a key were configured', async () => {
    const kid = "' OR 1=1 --";
    const v = verifier({ jwks: { keys: [{ ...keys.es256.jwk, kid }] } });
    expect(await reasonFor(es256({ kid }), v)).toBe('unknown_kid');
  });
  it('refuses a missing kid when several keys could match', async () => {
    const v = verifier({ jwks: { keys: [keys.es256.jwk, { ...keys.es256.jwk, kid: 'es-2' }] } });
    expect(await reasonFor(es256({ kid: undefined }), v)).toBe('unknown_kid');
  });
});

describe('key-carrying headers', () => {
  const attackerKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const attackerJwk = attackerKey.publicKey.export({ format: 'jwk' });
  const cases: [string, Json][] = [
    ['jku', { jku: 'https://evil.example/jwks.json' }],
    ['x5u', { x5u: 'https://evil.example/cert.pem' }],
    ['jwk', { jwk: attackerJwk }],
    ['x5c', { x5c: ['MIIB'] }],
  ];
  for (const [name, extra] of cases) {
    it(`refuses a "${name}" header (signed by the trusted key, so only the header is wrong)`, async () => {
      expect(await reasonFor(es256(extra))).toBe('forbidden_header');
    });
  }
  it('refuses an embedded jwk that signed the token itself', async () => {
    const token = rawSign(
      { alg: 'ES256', ...AT, jwk: attackerJwk },
      claims(),
      attackerKey.privateKey,
    );
    expect(await reasonFor(token)).toBe('forbidden_header');
  });
});

describe('crit', () => {
  it('refuses an unknown critical extension', async () => {
    expect(await reasonFor(es256({ crit: ['exp-ext'], 'exp-ext': true }))).toBe('forbidden_header');
  });
  it('refuses b64=false (unencoded payload) for a JWT', async () => {
    expect(await reasonFor(es256({ crit: ['b64'], b64: false }))).toBe('malformed');
  });
});

describe('typ', () => {
  it('refuses a refresh token used as an access token', async () => {
    expect(await reasonFor(es256({ typ: 'refresh+jwt' }))).toBe('wrong_type');
  });
  it('refuses a plain JWT typ and a missing typ', async () => {
    expect(await reasonFor(es256({ typ: 'JWT' }))).toBe('wrong_type');
    expect(await reasonFor(es256({ typ: undefined }))).toBe('wrong_type');
  });
  it('accepts the media-type spelling application/at+jwt', async () => {
    expect(await reasonFor(es256({ typ: 'application/at+jwt' }))).toBe('accepted');
  });
  it('refuses a real refresh token of JwtIssuer at the access-token verifier', async () => {
    const { MemoryRefreshTokenStore } = await import('../src/jwt/refresh-token-store.js');
    const issuer = new JwtIssuer({
      algorithm: 'ES256',
      key: keys.es256.privateKey,
      kid: 'es-1',
      issuer: ISSUER,
      audience: AUDIENCE,
      refreshAudience: AUDIENCE,
      refreshStore: new MemoryRefreshTokenStore(),
      now: () => NOW_MS,
    });
    const pair = await issuer.issueTokens('user-1');
    expect(await reasonFor(pair.accessToken)).toBe('accepted');
    expect(await reasonFor(pair.refreshToken)).toBe('wrong_type');
  });
});

describe('structure', () => {
  it('refuses a JWE (5 segments) where a JWS is expected', async () => {
    const jwe = await new CompactEncrypt(new TextEncoder().encode(JSON.stringify(claims())))
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid: 'es-1', ...AT })
      .encrypt(new Uint8Array(32));
    expect(jwe.split('.')).toHaveLength(5);
    expect(await reasonFor(jwe)).toBe('malformed');
  });
  it('refuses malformed base64url in the header', async () => {
    const [, p, s] = es256().split('.');
    expect(await reasonFor(`eyJ*bGci.${p}.${s}`)).toBe('malformed');
  });
  it('refuses malformed base64url in the signature', async () => {
    const [h, p] = es256().split('.');
    expect(await reasonFor(`${h}.${p}.a+b/c=`)).toBe('malformed');
  });
  it('refuses a header that is not JSON', async () => {
    const [, p, s] = es256().split('.');
    expect(await reasonFor(`${Buffer.from('{alg:ES256').toString('base64url')}.${p}.${s}`)).toBe(
      'malformed',
    );
  });
  it('refuses a payload that is not JSON, even correctly signed', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'ES256', kid: 'es-1', ...AT })).toString(
      'base64url',
    );
    const payload = Buffer.from('not json').toString('base64url');
    const { sign } = await import('node:crypto');
    const sig = sign('sha256', Buffer.from(`${header}.${payload}`), {
      key: keys.es256.privateKey,
      dsaEncoding: 'ieee-p1363',
    }).toString('base64url');
    expect(await reasonFor(`${header}.${payload}.${sig}`)).toBe('malformed');
  });
  it('refuses two segments and non-string input', async () => {
    expect(await reasonFor('abc.def')).toBe('malformed');
    expect((await verifier().verify(undefined)).ok).toBe(false);
  });
});

describe('size', () => {
  it('refuses a token one byte over maxTokenBytes and accepts one at the limit', async () => {
    const base = es256({}, claims({ pad: '' }));
    const room = 8192 - base.length;
    const padded = (n: number) => es256({}, claims({ pad: 'x'.repeat(n) }));
    let atLimit = padded(Math.floor((room * 3) / 4));
    let n = Math.floor((room * 3) / 4);
    while (atLimit.length < 8192) atLimit = padded(++n);
    while (atLimit.length > 8192) atLimit = padded(--n);
    const overLimit = padded(n + 3);
    expect(atLimit.length).toBe(8192);
    expect(overLimit.length).toBeGreaterThan(8192);
    expect(await reasonFor(atLimit)).toBe('accepted');
    expect(await reasonFor(overLimit)).toBe('oversized');
  });
  it('refuses a huge garbage string as oversized, without parsing it', async () => {
    expect(await reasonFor('a'.repeat(5_000_000))).toBe('oversized');
  });
});

describe('weak HS secret at construction', () => {
  it('refuses a 31-byte secret with WEAK_KEY and accepts 32 bytes', () => {
    const build = (secret: string) =>
      new JwtVerifier({ algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE, secret });
    let error: unknown;
    try {
      build('k'.repeat(31));
    } catch (e) {
      error = e;
    }
    expect(isSrekitError(error) && error.code).toBe('ERR_SREKIT_SECURITY_WEAK_KEY');
    expect(() => build(HS_SECRET)).not.toThrow();
  });
  it('refuses an HS512 secret shorter than the hash (64 bytes)', () => {
    expect(
      () =>
        new JwtVerifier({
          algorithms: ['HS512'],
          issuer: ISSUER,
          audience: AUDIENCE,
          secret: 'k'.repeat(63),
        }),
    ).toThrow(/WEAK_KEY/);
  });
  it('refuses a short oct key in a JWKS', () => {
    expect(
      () =>
        new JwtVerifier({
          algorithms: ['HS256'],
          issuer: ISSUER,
          audience: AUDIENCE,
          jwks: { keys: [{ kty: 'oct', kid: 'h', k: Buffer.from('short').toString('base64url') }] },
        }),
    ).toThrow(/WEAK_KEY/);
  });
  it('refuses a weak secret in JwtIssuer', () => {
    expect(
      () =>
        new JwtIssuer({ algorithm: 'HS256', key: 'secret', issuer: ISSUER, audience: AUDIENCE }),
    ).toThrow(/WEAK_KEY/);
  });
});

describe('revoked jti (memory)', () => {
  it('refuses a token once its jti is revoked, and counts the reason', async () => {
    const registry = new Registry();
    const revocation = new MemoryRevocationStore({ now: () => NOW_MS });
    const v = verifier({ revocation, registry });
    const payload = claims();
    const token = es256({}, payload);
    expect(await reasonFor(token, v)).toBe('accepted');
    await revocation.revoke(payload.jti as string, payload.exp as number);
    expect(await reasonFor(token, v)).toBe('revoked');
    const scraped = await scrapeRegistry(registry);
    expect(scraped.text).toContain('security_jwt_rejections_total{reason="revoked"} 1');
  });
  it('requires a jti when a deny list is configured', async () => {
    const v = verifier({ revocation: new MemoryRevocationStore({ now: () => NOW_MS }) });
    expect(await reasonFor(es256({}, claims({ jti: undefined })), v)).toBe('invalid_claims');
  });
});

const redisBin = requireBinary('redis-server');
describe.skipIf(!redisBin)('revoked jti (real Redis)', () => {
  let redis: TestRedis;
  let client: Redis;
  beforeAll(async () => {
    redis = await startRedisServer({ bin: redisBin as string });
    client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    client.disconnect();
    await redis.stop();
  });

  it('refuses a token revoked through another store instance on the same Redis', async () => {
    const payload = claims({
      exp: Math.floor(Date.now() / 1000) + 300,
      iat: Math.floor(Date.now() / 1000),
    });
    const token = es256({}, payload);
    const v = verifier({ revocation: new RedisRevocationStore(client), now: Date.now });
    expect(await reasonFor(token, v)).toBe('accepted');
    const other = new Redis(redis.url);
    await new RedisRevocationStore(other).revoke(payload.jti as string, payload.exp as number);
    other.disconnect();
    expect(await reasonFor(token, v)).toBe('revoked');
    expect(await client.pttl(`srekit:jwt:revoked:${payload.jti as string}`)).toBeGreaterThan(
      290_000,
    );
  });
});

describe('valid tokens of every supported algorithm pass', () => {
  const secrets: Record<string, string> = {
    HS256: 'a'.repeat(32),
    HS384: 'b'.repeat(48),
    HS512: 'c'.repeat(64),
  };
  const keyFor: Record<string, keyof ReturnType<typeof testKeys>> = {
    RS256: 'rsa',
    RS384: 'rsa',
    RS512: 'rsa',
    PS256: 'ps',
    PS384: 'ps',
    PS512: 'ps',
    ES256: 'es256',
    ES384: 'es384',
    ES512: 'es512',
    EdDSA: 'ed',
    Ed25519: 'ed',
  };
  for (const alg of JWT_ALGORITHMS) {
    it(`accepts ${alg}`, async () => {
      const secret = secrets[alg];
      if (secret !== undefined) {
        const v = new JwtVerifier({
          algorithms: [alg],
          issuer: ISSUER,
          audience: AUDIENCE,
          secret,
          now: () => NOW_MS,
        });
        expect(await reasonFor(rawSign({ alg, ...AT }, claims(), secret), v)).toBe('accepted');
        expect(await reasonFor(rawSign({ alg, ...AT }, claims(), 'z'.repeat(64)), v)).toBe(
          'bad_signature',
        );
        return;
      }
      const key = keys[keyFor[alg] as keyof typeof keys];
      const jwk = { ...key.jwk, alg, kid: `${alg}-key` };
      const v = new JwtVerifier({
        algorithms: [alg],
        issuer: ISSUER,
        audience: AUDIENCE,
        jwks: { keys: [jwk] },
        now: () => NOW_MS,
      });
      const token = rawSign(
        { alg, kid: jwk.kid, ...AT },
        claims({ aud: [AUDIENCE, 'other'] }),
        key.privateKey,
      );
      expect(await reasonFor(token, v)).toBe('accepted');
    });
  }
});

describe('single-key verifier (the key goes to jose directly; header checks follow the signature)', () => {
  const single = () => verifier({ algorithms: ['ES256'], jwks: { keys: [keys.es256.jwk] } });
  it('accepts the control token, with and without its kid', async () => {
    expect(await reasonFor(es256(), single())).toBe('accepted');
    expect(await reasonFor(es256({ kid: undefined }), single())).toBe('accepted');
  });
  it('refuses a jku header', async () => {
    expect(await reasonFor(es256({ jku: 'https://evil.example/jwks.json' }), single())).toBe(
      'forbidden_header',
    );
  });
  it('refuses a refresh token typ', async () => {
    expect(await reasonFor(es256({ typ: 'refresh+jwt' }), single())).toBe('wrong_type');
  });
  it('refuses a kid that names no configured key', async () => {
    expect(await reasonFor(es256({ kid: 'es-2' }), single())).toBe('unknown_kid');
  });
  it('refuses a kid with SQL characters', async () => {
    expect(await reasonFor(es256({ kid: "' OR 1=1 --" }), single())).toBe('unknown_kid');
  });
  it('refuses alg none', async () => {
    expect(await reasonFor(forge({ alg: 'none', ...AT }, claims()), single())).toBe(
      'alg_not_allowed',
    );
  });
});
