/**
 * JWKS fetched from a URL served by a real local HTTP server: caching, unknown-kid refetch with a
 * cooldown, rotation overlap, and fetch failures answered with 401 and a JWKS_UNAVAILABLE log line.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { listen } from '@srekit/core/testing';
import express from 'express';
import type { JWK } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { jwtAuth } from '../src/jwt/jwt-auth.js';
import { JwtVerifier } from '../src/jwt/jwt-verifier.js';
import {
  AUDIENCE,
  claims,
  ISSUER,
  NOW_MS,
  NOW_S,
  RecordingLogger,
  rawSign,
  testKeys,
} from './jwt-fixtures.js';

const keys = testKeys();
const OLD: JWK = { ...keys.es256.jwk, kid: 'k-old' };
const NEW: JWK = { ...keys.ed.jwk, kid: 'k-new' };

let server: Server;
let url: string;
let served: { status: number; body: unknown } = { status: 200, body: { keys: [OLD] } };
let hits = 0;

beforeAll(async () => {
  server = createServer((_req, res) => {
    hits++;
    res.writeHead(served.status, { 'content-type': 'application/jwk-set+json' });
    res.end(JSON.stringify(served.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(() => {
  served = { status: 200, body: { keys: [OLD] } };
  hits = 0;
});

function clock(start = NOW_MS) {
  let now = start;
  return { now: () => now, advance: (seconds: number) => (now += seconds * 1000) };
}

// Valid for two hours, so the clock can move past cache ages and overlaps without expiring them.
const long = () => claims({ exp: NOW_S + 7200 });
const oldToken = () =>
  rawSign({ alg: 'ES256', kid: 'k-old', typ: 'at+jwt' }, long(), keys.es256.privateKey);
const newToken = () =>
  rawSign({ alg: 'EdDSA', kid: 'k-new', typ: 'at+jwt' }, long(), keys.ed.privateKey);

function verifier(now: () => number, logger?: RecordingLogger) {
  return new JwtVerifier({
    algorithms: ['ES256', 'EdDSA'],
    issuer: ISSUER,
    audience: AUDIENCE,
    jwks: url,
    jwksCooldownSeconds: 30,
    jwksCacheMaxAgeSeconds: 600,
    jwksRotationOverlapSeconds: 300,
    now,
    ...(logger ? { logger } : {}),
  });
}

describe('JWKS URL', () => {
  it('fetches once and serves later verifications from the cache', async () => {
    const v = verifier(clock().now);
    const results = await Promise.all([
      v.verify(oldToken()),
      v.verify(oldToken()),
      v.verify(oldToken()),
    ]);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(hits).toBe(1);
  });

  it('rotation: a new kid is accepted after one refetch, the old kid during the overlap only', async () => {
    const c = clock();
    const v = verifier(c.now);
    expect((await v.verify(oldToken())).ok).toBe(true);
    served = { status: 200, body: { keys: [NEW] } };
    c.advance(31);
    expect((await v.verify(newToken())).ok).toBe(true);
    expect(hits).toBe(2);
    c.advance(299);
    expect((await v.verify(oldToken())).ok).toBe(true);
    c.advance(2);
    expect(await v.verify(oldToken())).toEqual({ ok: false, reason: 'unknown_kid' });
  });

  it('unknown kids refetch at most once per cooldown', async () => {
    const c = clock();
    const v = verifier(c.now);
    expect((await v.verify(oldToken())).ok).toBe(true);
    served = { status: 200, body: { keys: [OLD, NEW] } };
    const junk = rawSign(
      { alg: 'ES256', kid: 'junk', typ: 'at+jwt' },
      long(),
      keys.es256.privateKey,
    );
    c.advance(1);
    for (let i = 0; i < 20; i++) expect((await v.verify(junk)).ok).toBe(false);
    expect(hits).toBe(1);
    expect(await v.verify(newToken())).toEqual({ ok: false, reason: 'unknown_kid' });
    c.advance(30);
    expect((await v.verify(newToken())).ok).toBe(true);
    expect(hits).toBe(2);
  });

  it('a stale set is refetched after the cache age', async () => {
    const c = clock();
    const v = verifier(c.now);
    expect((await v.verify(oldToken())).ok).toBe(true);
    c.advance(601);
    expect((await v.verify(oldToken())).ok).toBe(true);
    expect(hits).toBe(2);
  });

  it('fetch failure with nothing cached: 401 through jwtAuth, JWKS_UNAVAILABLE logged, no crash', async () => {
    served = { status: 500, body: { error: 'down' } };
    const logger = new RecordingLogger();
    const app = express();
    app.use(jwtAuth({ verifier: verifier(clock().now, logger) }));
    app.get('/', (_req, res) => res.json({ ok: true }));
    const srv = await listen(app);
    try {
      const res = await fetch(`${srv.url}/`, {
        headers: { authorization: `Bearer ${oldToken()}` },
      });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"');
      const again = await fetch(`${srv.url}/`, {
        headers: { authorization: `Bearer ${newToken()}` },
      });
      expect(again.status).toBe(401);
    } finally {
      await srv.close();
    }
    const line = logger.lines.find((l) => l.object.code === 'ERR_SREKIT_SECURITY_JWKS_UNAVAILABLE');
    expect(line?.level).toBe('warn');
    expect(JSON.stringify(logger.lines)).not.toContain(oldToken().split('.')[2]);
    expect(hits).toBe(1);
  });

  it('fetch failure after a good fetch: known kids keep verifying, unknown kids get 401', async () => {
    const c = clock();
    const logger = new RecordingLogger();
    const v = verifier(c.now, logger);
    expect((await v.verify(oldToken())).ok).toBe(true);
    served = { status: 503, body: {} };
    c.advance(601);
    expect((await v.verify(oldToken())).ok).toBe(true);
    c.advance(31);
    expect(await v.verify(newToken())).toEqual({ ok: false, reason: 'unknown_kid' });
    expect(
      logger.lines.filter((l) => l.object.code === 'ERR_SREKIT_SECURITY_JWKS_UNAVAILABLE').length,
    ).toBe(2);
  });

  it('a server that is gone (connection refused) is a logged failure, not a crash', async () => {
    const logger = new RecordingLogger();
    const v = new JwtVerifier({
      algorithms: ['ES256'],
      issuer: ISSUER,
      audience: AUDIENCE,
      jwks: 'http://127.0.0.1:1/jwks.json',
      now: clock().now,
      logger,
    });
    expect(await v.verify(oldToken())).toEqual({ ok: false, reason: 'jwks_unavailable' });
    expect(logger.lines[0]?.object.code).toBe('ERR_SREKIT_SECURITY_JWKS_UNAVAILABLE');
  });

  it('refuses a plain-http JWKS URL on a non-loopback host at construction', () => {
    expect(
      () =>
        new JwtVerifier({
          algorithms: ['ES256'],
          issuer: ISSUER,
          audience: AUDIENCE,
          jwks: 'http://id.example.com/jwks',
        }),
    ).toThrow(/http: URLs are not accepted/);
  });
});
