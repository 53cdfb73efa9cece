import { generateKeyPairSync } from 'node:crypto';
import { scrapeRegistry } from '@srekit/core/testing';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { AUDIENCE, ISSUER, NOW_MS, NOW_S, RecordingAudit } from '../../test/jwt-fixtures.js';
import { JwtIssuer, type JwtIssuerOptions } from './jwt-issuer.js';
import { JwtVerifier } from './jwt-verifier.js';
import { MemoryRefreshTokenStore, type RefreshTokenStore } from './refresh-token-store.js';
import { MemoryRevocationStore } from './revocation-store.js';

const ed = generateKeyPairSync('ed25519');

function setup(overrides: Partial<JwtIssuerOptions> = {}) {
  const registry = new Registry();
  const audit = new RecordingAudit();
  const revocation = new MemoryRevocationStore({ now: () => NOW_MS });
  const refreshStore = new MemoryRefreshTokenStore({ now: () => NOW_MS });
  const issuer = new JwtIssuer({
    algorithm: 'EdDSA',
    key: ed.privateKey,
    issuer: ISSUER,
    audience: AUDIENCE,
    refreshStore,
    revocation,
    now: () => NOW_MS,
    registry,
    audit,
    ...overrides,
  });
  const verifier = new JwtVerifier({
    algorithms: ['EdDSA'],
    issuer: ISSUER,
    audience: AUDIENCE,
    jwks: issuer.publicJwks(),
    revocation,
    now: () => NOW_MS,
  });
  return { issuer, verifier, registry, audit, revocation, refreshStore };
}

describe('JwtIssuer', () => {
  it('issues RFC 9068 access tokens: typ at+jwt, kid, iss, aud, sub, iat, exp, jti; user claims cannot override them', async () => {
    const { issuer, verifier } = setup();
    const token = await issuer.issueAccessToken('user-1', {
      roles: ['admin'],
      iss: 'https://evil',
      exp: 9e9,
    });
    const header = decodeProtectedHeader(token);
    expect(header).toMatchObject({ alg: 'EdDSA', typ: 'at+jwt', kid: issuer.kid });
    const payload = decodeJwt(token);
    expect(payload).toMatchObject({
      iss: ISSUER,
      aud: AUDIENCE,
      sub: 'user-1',
      iat: NOW_S,
      exp: NOW_S + 900,
      roles: ['admin'],
    });
    expect(payload.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect((await verifier.verify(token)).ok).toBe(true);
  });

  it('signs with ES256, RS256 and HS256 keys that its own verification accepts', async () => {
    const es = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const rs = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const cases = [
      { algorithm: 'ES256' as const, key: es },
      { algorithm: 'RS256' as const, key: rs.export({ format: 'pem', type: 'pkcs8' }) as string },
      { algorithm: 'HS256' as const, key: 's'.repeat(32) },
    ];
    for (const { algorithm, key } of cases) {
      const issuer = new JwtIssuer({
        algorithm,
        key,
        issuer: ISSUER,
        audience: AUDIENCE,
        now: () => NOW_MS,
      });
      const token = await issuer.issueAccessToken('u');
      const verifier = new JwtVerifier({
        algorithms: [algorithm],
        issuer: ISSUER,
        audience: AUDIENCE,
        ...(algorithm === 'HS256' ? { secret: key as string } : { jwks: issuer.publicJwks() }),
        now: () => NOW_MS,
      });
      expect((await verifier.verify(token)).ok, algorithm).toBe(true);
    }
  });

  it('rotates HS256 tokens that carry a configured kid', async () => {
    const issuer = new JwtIssuer({
      algorithm: 'HS256',
      key: 's'.repeat(32),
      kid: 'hs-1',
      issuer: ISSUER,
      audience: AUDIENCE,
      refreshStore: new MemoryRefreshTokenStore(),
      now: () => NOW_MS,
    });
    const pair = await issuer.issueTokens('u');
    expect(decodeProtectedHeader(pair.refreshToken).kid).toBe('hs-1');
    expect((await issuer.rotate(pair.refreshToken)).ok).toBe(true);
  });

  it('publishes no key for HS256 and refuses keys that do not fit the algorithm or are weak', () => {
    const hs = new JwtIssuer({
      algorithm: 'HS256',
      key: 's'.repeat(32),
      issuer: ISSUER,
      audience: AUDIENCE,
    });
    expect(hs.publicJwks()).toEqual({ keys: [] });
    expect(
      () =>
        new JwtIssuer({
          algorithm: 'ES256',
          key: ed.privateKey,
          issuer: ISSUER,
          audience: AUDIENCE,
        }),
    ).toThrow(/cannot sign ES256/);
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
    expect(
      () => new JwtIssuer({ algorithm: 'RS256', key: small, issuer: ISSUER, audience: AUDIENCE }),
    ).toThrow(/WEAK_KEY/);
    expect(
      () =>
        new JwtIssuer({
          algorithm: 'EdDSA',
          key: ed.publicKey,
          issuer: ISSUER,
          audience: AUDIENCE,
        }),
    ).toThrow(/not a private key/);
  });

  it('rotates a refresh token once into a new pair of the same family, carrying the claims', async () => {
    const { issuer, verifier } = setup();
    const first = await issuer.issueTokens('user-1', { roles: ['viewer'] });
    const rotated = await issuer.rotate(first.refreshToken);
    if (!rotated.ok) throw new Error(rotated.reason);
    expect(rotated.tokens.familyId).toBe(first.familyId);
    expect(rotated.tokens.refreshToken).not.toBe(first.refreshToken);
    const access = await verifier.verify(rotated.tokens.accessToken);
    expect(access.ok && access.claims.roles).toEqual(['viewer']);
    expect(decodeProtectedHeader(rotated.tokens.refreshToken).typ).toBe('refresh+jwt');
    const second = await issuer.rotate(rotated.tokens.refreshToken, {
      claims: { roles: ['admin'] },
    });
    expect(second.ok && decodeJwt(second.tokens.accessToken).roles).toEqual(['admin']);
  });

  it('reuse of a used refresh token revokes the family: refresh tokens and live access tokens, counted and audited', async () => {
    const { issuer, verifier, registry, audit } = setup();
    const first = await issuer.issueTokens('user-1');
    const rotated = await issuer.rotate(first.refreshToken);
    if (!rotated.ok) throw new Error(rotated.reason);
    expect((await verifier.verify(rotated.tokens.accessToken)).ok).toBe(true);

    expect(await issuer.rotate(first.refreshToken)).toEqual({ ok: false, reason: 'reused' });

    expect(await issuer.rotate(rotated.tokens.refreshToken)).toEqual({
      ok: false,
      reason: 'revoked',
    });
    expect(await verifier.verify(rotated.tokens.accessToken)).toEqual({
      ok: false,
      reason: 'revoked',
    });
    expect(await verifier.verify(first.accessToken)).toEqual({ ok: false, reason: 'revoked' });
    const text = (await scrapeRegistry(registry)).text;
    expect(text).toContain('security_refresh_token_reuse_total 1');
    const reuse = audit.events.find((e) => e.event === 'token.refresh_reuse');
    expect(reuse).toEqual({
      event: 'token.refresh_reuse',
      outcome: 'blocked',
      actor: 'user-1',
      details: { family: first.familyId },
    });
    expect(JSON.stringify(audit.events)).not.toContain(first.refreshToken.split('.')[2]);
  });

  it('two concurrent rotations of one refresh token: exactly one passes the store, the other is a reuse, and nothing from the race stays usable', async () => {
    const { issuer, verifier } = setup();
    const { refreshToken } = await issuer.issueTokens('user-1');
    const results = await Promise.all([issuer.rotate(refreshToken), issuer.rotate(refreshToken)]);
    expect(results.filter((r) => !r.ok && r.reason === 'reused')).toHaveLength(1);
    const other = results.find((r) => r.ok || r.reason !== 'reused');
    // RFC 9700 §4.14.2: the server cannot tell the thief from the client, so the winner's new
    // pair dies with the family: refused at once, or issued and then denied.
    if (other?.ok) {
      expect(await verifier.verify(other.tokens.accessToken)).toEqual({
        ok: false,
        reason: 'revoked',
      });
      expect(await issuer.rotate(other.tokens.refreshToken)).toEqual({
        ok: false,
        reason: 'revoked',
      });
    } else {
      expect(other).toEqual({ ok: false, reason: 'revoked' });
    }
  });

  it('the memory store marks a token fresh exactly once under concurrent consumes', async () => {
    const store = new MemoryRefreshTokenStore({ now: () => NOW_MS });
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, () => store.consume('f', 'j', NOW_S + 60)),
    );
    expect(outcomes.filter((o) => o === 'fresh')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'reused')).toHaveLength(19);
  });

  it('refuses access tokens, foreign and expired tokens as refresh tokens', async () => {
    const { issuer } = setup();
    const pair = await issuer.issueTokens('user-1');
    expect(await issuer.rotate(pair.accessToken)).toEqual({ ok: false, reason: 'invalid' });
    expect(await issuer.rotate('not.a.token')).toEqual({ ok: false, reason: 'invalid' });
    const later = setup({ now: () => NOW_MS + 15 * 24 * 3600 * 1000 }).issuer;
    const old = await setup().issuer.issueTokens('user-1');
    expect(await later.rotate(old.refreshToken)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('revokeFamily() (logout everywhere) stops rotation and denies the family access tokens', async () => {
    const { issuer, verifier, audit } = setup();
    const pair = await issuer.issueTokens('user-1');
    await issuer.revokeFamily(pair.familyId, 'user-1');
    expect(await issuer.rotate(pair.refreshToken)).toEqual({ ok: false, reason: 'revoked' });
    expect(await verifier.verify(pair.accessToken)).toEqual({ ok: false, reason: 'revoked' });
    expect(
      audit.events.some((e) => e.event === 'token.revoked' && e.details?.cause === 'request'),
    ).toBe(true);
  });

  it('a failing store refuses the rotation and logs STORE_UNAVAILABLE, never throws', async () => {
    const broken: RefreshTokenStore = {
      consume: () => Promise.reject(new Error('connection refused')),
      trackAccessToken: () => Promise.reject(new Error('connection refused')),
      revokeFamily: () => Promise.reject(new Error('connection refused')),
    };
    const lines: unknown[] = [];
    const logger = { info: () => {}, warn: () => {}, error: (o: object) => lines.push(o) };
    const issuer = new JwtIssuer({
      algorithm: 'EdDSA',
      key: ed.privateKey,
      issuer: ISSUER,
      audience: AUDIENCE,
      refreshStore: broken,
      now: () => NOW_MS,
      logger,
    });
    const ok = new JwtIssuer({
      algorithm: 'EdDSA',
      key: ed.privateKey,
      issuer: ISSUER,
      audience: AUDIENCE,
      refreshStore: new MemoryRefreshTokenStore(),
      now: () => NOW_MS,
    });
    const pair = await ok.issueTokens('user-1');
    expect(await issuer.rotate(pair.refreshToken)).toEqual({
      ok: false,
      reason: 'store_unavailable',
    });
    expect(lines).toEqual([
      expect.objectContaining({ code: 'ERR_SREKIT_SECURITY_STORE_UNAVAILABLE' }),
    ]);
  });
});
