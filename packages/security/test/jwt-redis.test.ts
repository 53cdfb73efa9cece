/**
 * The Redis JWT stores against a real redis-server: atomic refresh-token consumption across
 * clients, family revocation with tracked access tokens, and the verifier's fail-closed answer
 * when Redis dies.
 */
import { generateKeyPairSync } from 'node:crypto';
import { scrapeRegistry, startRedisServer, type TestRedis } from '@srekit/core/testing';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBinary } from '../../../tests/support/system-deps.js';
import { JwtIssuer } from '../src/jwt/jwt-issuer.js';
import { JwtVerifier } from '../src/jwt/jwt-verifier.js';
import { RedisRefreshTokenStore } from '../src/jwt/redis-refresh-token-store.js';
import { RedisRevocationStore } from '../src/jwt/redis-revocation-store.js';
import { AUDIENCE, ISSUER, RecordingLogger } from './jwt-fixtures.js';

const bin = requireBinary('redis-server');

describe.skipIf(!bin)('JWT stores on real Redis', () => {
  let redis: TestRedis;
  const clients: Redis[] = [];
  const client = () => {
    const c = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    c.on('error', () => {});
    clients.push(c);
    return c;
  };
  beforeAll(async () => {
    redis = await startRedisServer({ bin: bin as string });
  });
  afterAll(async () => {
    for (const c of clients) c.disconnect();
    await redis.stop();
  });

  it('consume() is atomic across clients: of 20 concurrent consumes exactly one is fresh', async () => {
    const stores = Array.from({ length: 4 }, () => new RedisRefreshTokenStore(client()));
    await Promise.all(stores.map((_, i) => clients[i]?.ping()));
    const exp = Math.floor(Date.now() / 1000) + 60;
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        stores[i % stores.length]?.consume('fam-1', 'jti-1', exp),
      ),
    );
    expect(outcomes.filter((o) => o === 'fresh')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'reused')).toHaveLength(19);
  });

  it('revokeFamily() answers the tracked access tokens once and blocks later tracking and consumes', async () => {
    const store = new RedisRefreshTokenStore(client());
    const exp = Math.floor(Date.now() / 1000) + 60;
    expect(await store.trackAccessToken('fam-2', { jti: 'a1', exp })).toBe(true);
    expect(await store.trackAccessToken('fam-2', { jti: 'a2', exp })).toBe(true);
    const revoked = await store.revokeFamily('fam-2', exp + 60);
    expect([...revoked].sort((x, y) => x.jti.localeCompare(y.jti))).toEqual([
      { jti: 'a1', exp },
      { jti: 'a2', exp },
    ]);
    expect(await store.trackAccessToken('fam-2', { jti: 'a3', exp })).toBe(false);
    expect(await store.consume('fam-2', 'r9', exp)).toBe('revoked');
  });

  it('rotation with reuse detection across two issuer instances sharing Redis', async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const make = () =>
      new JwtIssuer({
        algorithm: 'EdDSA',
        key: privateKey,
        issuer: ISSUER,
        audience: AUDIENCE,
        refreshStore: new RedisRefreshTokenStore(client()),
        revocation: new RedisRevocationStore(client()),
      });
    const [a, b] = [make(), make()];
    const verifier = new JwtVerifier({
      algorithms: ['EdDSA'],
      issuer: ISSUER,
      audience: AUDIENCE,
      jwks: a.publicJwks(),
      revocation: new RedisRevocationStore(client()),
    });
    const pair = await a.issueTokens('user-1');
    const rotated = await b.rotate(pair.refreshToken);
    if (!rotated.ok) throw new Error(rotated.reason);
    expect((await verifier.verify(rotated.tokens.accessToken)).ok).toBe(true);
    expect(await a.rotate(pair.refreshToken)).toEqual({ ok: false, reason: 'reused' });
    expect(await verifier.verify(rotated.tokens.accessToken)).toEqual({
      ok: false,
      reason: 'revoked',
    });
    expect(await b.rotate(rotated.tokens.refreshToken)).toEqual({ ok: false, reason: 'revoked' });
  });

  it('Redis killed: the verifier fails closed with a log line and a metric, and recovers after restart', async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const issuer = new JwtIssuer({
      algorithm: 'EdDSA',
      key: privateKey,
      issuer: ISSUER,
      audience: AUDIENCE,
    });
    const registry = new Registry();
    const logger = new RecordingLogger();
    const verifier = new JwtVerifier({
      algorithms: ['EdDSA'],
      issuer: ISSUER,
      audience: AUDIENCE,
      jwks: issuer.publicJwks(),
      revocation: new RedisRevocationStore(client()),
      registry,
      logger,
    });
    const token = await issuer.issueAccessToken('user-1');
    expect((await verifier.verify(token)).ok).toBe(true);
    await redis.kill();
    expect(await verifier.verify(token)).toEqual({ ok: false, reason: 'store_unavailable' });
    expect(logger.lines[0]?.object).toMatchObject({
      code: 'ERR_SREKIT_SECURITY_STORE_UNAVAILABLE',
      decision: 'fail_closed',
    });
    const text = (await scrapeRegistry(registry)).text;
    expect(text).toContain(
      'security_store_errors_total{component="jwt_revocation",decision="fail_closed"} 1',
    );
    expect(text).toContain('security_jwt_rejections_total{reason="store_unavailable"} 1');
    await redis.restart();
    await expect.poll(async () => (await verifier.verify(token)).ok, { timeout: 5000 }).toBe(true);
  });
});
