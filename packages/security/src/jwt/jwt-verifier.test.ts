import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AUDIENCE, claims, ISSUER, NOW_MS, rawSign, testKeys } from '../../test/jwt-fixtures.js';
import { JwtVerifier, type JwtVerifierOptions } from './jwt-verifier.js';
import { principalFromClaims } from './principal.js';

const keys = testKeys();
const dir = mkdtempSync(join(tmpdir(), 'srekit-jwks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const base = {
  algorithms: ['ES256'],
  issuer: ISSUER,
  audience: AUDIENCE,
  jwks: { keys: [keys.es256.jwk] },
};
const build = (overrides: Record<string, unknown>) => () =>
  new JwtVerifier({ ...base, ...overrides } as unknown as JwtVerifierOptions);

describe('JwtVerifier construction', () => {
  it('requires pinned algorithms, an issuer, an audience and keys', () => {
    expect(build({ algorithms: undefined })).toThrow(/INVALID_OPTION.*|algorithms/);
    expect(build({ algorithms: [] })).toThrow(/`algorithms`/);
    expect(build({ algorithms: ['XS256'] })).toThrow(/not supported/);
    expect(build({ issuer: '' })).toThrow(/`issuer`/);
    expect(build({ audience: [] })).toThrow(/`audience`/);
    expect(build({ jwks: undefined })).toThrow(/no keys are configured/);
    expect(build({ secret: 'k'.repeat(32) })).toThrow(/both `jwks` and `secret`/);
    expect(build({ clockToleranceSeconds: -1 })).toThrow(/clockToleranceSeconds/);
  });

  it('refuses a JWKS with private key members or without a usable key', () => {
    const d = keys.es256.privateKey.export({ format: 'jwk' }).d;
    expect(build({ jwks: { keys: [{ ...keys.es256.jwk, d }] } })).toThrow(/private key members/);
    expect(build({ jwks: { keys: [keys.ed.jwk] } })).toThrow(/no signature key usable/);
    expect(build({ jwks: { keys: [{ ...keys.es256.jwk, use: 'enc' }] } })).toThrow(
      /no signature key usable/,
    );
    expect(build({ jwks: { nope: true } })).toThrow(/not a JWKS/);
  });

  it('reads a JWKS file at construction and refuses an unreadable one with JWKS_UNAVAILABLE', async () => {
    const file = join(dir, 'jwks.json');
    writeFileSync(file, JSON.stringify({ keys: [keys.es256.jwk] }));
    const v = new JwtVerifier({ ...base, algorithms: ['ES256'], jwks: file, now: () => NOW_MS });
    const token = rawSign(
      { alg: 'ES256', kid: 'es-1', typ: 'at+jwt' },
      claims(),
      keys.es256.privateKey,
    );
    expect((await v.verify(token)).ok).toBe(true);
    expect(build({ jwks: join(dir, 'missing.json') })).toThrow(/JWKS_UNAVAILABLE/);
  });

  it('accepts a token without kid only when exactly one key fits its alg', async () => {
    const v = new JwtVerifier({ ...base, algorithms: ['ES256'], now: () => NOW_MS });
    const token = rawSign({ alg: 'ES256', typ: 'at+jwt' }, claims(), keys.es256.privateKey);
    expect((await v.verify(token)).ok).toBe(true);
  });

  it('honours a custom tokenType', async () => {
    const v = new JwtVerifier({
      ...base,
      algorithms: ['ES256'],
      tokenType: 'JWT',
      now: () => NOW_MS,
    });
    const token = rawSign(
      { alg: 'ES256', kid: 'es-1', typ: 'JWT' },
      claims(),
      keys.es256.privateKey,
    );
    expect((await v.verify(token)).ok).toBe(true);
  });
});

describe('principalFromClaims', () => {
  it('maps sub, roles (list, string or dot path) and scopes (scope or scp)', () => {
    expect(principalFromClaims({ sub: 'a', roles: 'x y', scope: 'r w' }, 'roles')).toMatchObject({
      subject: 'a',
      roles: ['x', 'y'],
      scopes: ['r', 'w'],
      method: 'jwt',
    });
    expect(
      principalFromClaims({ sub: 'a', app: { roles: ['z', 3] }, scp: ['s'] }, 'app.roles'),
    ).toMatchObject({
      roles: ['z'],
      scopes: ['s'],
    });
    expect(principalFromClaims({ sub: 'a', roles: { toString: 1 } }, 'roles').roles).toEqual([]);
  });
});
