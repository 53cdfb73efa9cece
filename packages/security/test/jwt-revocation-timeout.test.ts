/**
 * A Redis that accepts connections and never answers (paused with SIGSTOP, or partitioned without
 * a reset): the revocation lookup gives up after its time limit and the verifier fails closed,
 * instead of every authenticated request hanging. Found by tests/reliability/chaos/redis.test.ts.
 */
import { generateKeyPairSync } from 'node:crypto';
import { once } from 'node:events';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { JwtIssuer } from '../src/jwt/jwt-issuer.js';
import { JwtVerifier } from '../src/jwt/jwt-verifier.js';
import { RedisRefreshTokenStore } from '../src/jwt/redis-refresh-token-store.js';
import { RedisRevocationStore } from '../src/jwt/redis-revocation-store.js';
import { MemoryRefreshTokenStore } from '../src/jwt/refresh-token-store.js';
import { AUDIENCE, ISSUER, RecordingLogger } from './jwt-fixtures.js';

const sockets = new Set<Socket>();
const silent = createServer((socket) => {
  sockets.add(socket);
  socket.on('error', () => {});
});
let client: Redis;

beforeAll(async () => {
  silent.listen(0, '127.0.0.1');
  await once(silent, 'listening');
  const { port } = silent.address() as AddressInfo;
  client = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 1, lazyConnect: false });
  client.on('error', () => {});
});

afterAll(async () => {
  client.disconnect();
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => silent.close(() => r()));
});

it('isRevoked() and revoke() reject after timeoutMs when Redis never answers', async () => {
  const store = new RedisRevocationStore(client, { timeoutMs: 200 });
  const started = performance.now();
  await expect(store.isRevoked('jti-1')).rejects.toThrow(/timed out after 200 ms/);
  await expect(store.revoke('jti-1', Date.now() / 1000 + 60)).rejects.toThrow(/timed out/);
  expect(performance.now() - started).toBeLessThan(1_500);
});

it('the verifier fails closed within the default time limit (500 ms)', async () => {
  const { privateKey } = generateKeyPairSync('ed25519');
  const issuer = new JwtIssuer({
    algorithm: 'EdDSA',
    key: privateKey,
    issuer: ISSUER,
    audience: AUDIENCE,
  });
  const verifier = new JwtVerifier({
    algorithms: ['EdDSA'],
    issuer: ISSUER,
    audience: AUDIENCE,
    jwks: issuer.publicJwks(),
    revocation: new RedisRevocationStore(client),
    logger: new RecordingLogger(),
  });
  const token = await issuer.issueAccessToken('user-1');
  const started = performance.now();
  expect(await verifier.verify(token)).toEqual({ ok: false, reason: 'store_unavailable' });
  expect(performance.now() - started).toBeLessThan(1_500);
});

it('RedisRefreshTokenStore gives up after timeoutMs, and rotate() answers store_unavailable at once', async () => {
  const store = new RedisRefreshTokenStore(client, { timeoutMs: 200 });
  const started = performance.now();
  await expect(store.consume('family-1', 'jti-1', Date.now() / 1000 + 60)).rejects.toThrow(
    /timed out after 200 ms/,
  );
  await expect(
    store.trackAccessToken('family-1', { jti: 'a', exp: Date.now() / 1000 + 60 }),
  ).rejects.toThrow(/timed out/);
  await expect(store.revokeFamily('family-1', Date.now() / 1000 + 60)).rejects.toThrow(/timed out/);
  expect(performance.now() - started).toBeLessThan(2_000);

  // A refresh token issued while the store answered, rotated while Redis hangs (default limit).
  const { privateKey } = generateKeyPairSync('ed25519');
  const options = {
    algorithm: 'EdDSA',
    key: privateKey,
    issuer: ISSUER,
    audience: AUDIENCE,
  } as const;
  const healthy = new JwtIssuer({ ...options, refreshStore: new MemoryRefreshTokenStore() });
  const { refreshToken } = await healthy.issueTokens('user-1');
  const hanging = new JwtIssuer({
    ...options,
    refreshStore: new RedisRefreshTokenStore(client),
    logger: new RecordingLogger(),
  });
  const rotateStarted = performance.now();
  expect(await hanging.rotate(refreshToken)).toEqual({ ok: false, reason: 'store_unavailable' });
  expect(performance.now() - rotateStarted).toBeLessThan(1_500);
});
