/**
 * jwtAuth() in a real express app: the principal on req.auth, RFC 6750 challenges on 401,
 * optional authentication, metrics and audit events without token material.
 */
import { listen, scrapeRegistry, type TestServer } from '@srekit/core/testing';
import express from 'express';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jwtAuth } from '../src/jwt/jwt-auth.js';
import {
  AUDIENCE,
  claims,
  HS_SECRET,
  ISSUER,
  NOW_MS,
  NOW_S,
  RecordingAudit,
  rawSign,
} from './jwt-fixtures.js';

const registry = new Registry();
const audit = new RecordingAudit();
let required: TestServer;
let optional: TestServer;

const options = {
  algorithms: ['HS256' as const],
  issuer: ISSUER,
  audience: AUDIENCE,
  secret: HS_SECRET,
  now: () => NOW_MS,
  rolesClaim: 'realm_access.roles',
  registry,
  audit,
};

function app(credentialsRequired: boolean) {
  const a = express();
  a.use(jwtAuth({ ...options, credentialsRequired }));
  a.get('/me', (req, res) => {
    res.json({ auth: (req as unknown as { auth?: unknown }).auth ?? null });
  });
  return a;
}

const token = (payload = claims(), header: Record<string, unknown> = {}) =>
  rawSign({ alg: 'HS256', typ: 'at+jwt', ...header }, payload, HS_SECRET);

const get = (server: TestServer, authorization?: string) =>
  fetch(`${server.url}/me`, authorization === undefined ? {} : { headers: { authorization } });

beforeAll(async () => {
  required = await listen(app(true));
  optional = await listen(app(false));
});
afterAll(async () => {
  await required.close();
  await optional.close();
});

describe('jwtAuth()', () => {
  it('puts the principal on req.auth: subject, roles from a nested claim, scopes from scope', async () => {
    const res = await get(
      required,
      `Bearer ${token(claims({ sub: 'u-7', realm_access: { roles: ['admin', 'viewer'] }, scope: 'orders:read orders:write' }))}`,
    );
    expect(res.status).toBe(200);
    const { auth } = (await res.json()) as { auth: Record<string, unknown> };
    expect(auth).toMatchObject({
      subject: 'u-7',
      roles: ['admin', 'viewer'],
      scopes: ['orders:read', 'orders:write'],
      method: 'jwt',
    });
    expect((auth.claims as Record<string, unknown>).iss).toBe(ISSUER);
  });

  it('reads scopes from an scp list too, and accepts a lower-case bearer scheme', async () => {
    const res = await get(required, `bearer ${token(claims({ scp: ['a', 'b'] }))}`);
    const { auth } = (await res.json()) as { auth: { scopes: string[] } };
    expect(auth.scopes).toEqual(['a', 'b']);
  });

  it('no token: 401 problem+json with a bare Bearer challenge (RFC 6750 §3.1)', async () => {
    const res = await get(required);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="api"');
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(await res.json()).toMatchObject({ status: 401, title: 'Unauthorized' });
  });

  it('expired token: invalid_token with "expired" and nothing more', async () => {
    const res = await get(required, `Bearer ${token(claims({ exp: NOW_S - 60 }))}`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(
      'Bearer realm="api", error="invalid_token", error_description="The access token expired"',
    );
  });

  it('bad tokens of every kind get the same generic description', async () => {
    const bad = [
      token(claims({ aud: 'other' })),
      token(claims(), { typ: 'refresh+jwt' }),
      `${token().slice(0, -2)}AA`,
      'abc',
    ];
    for (const t of bad) {
      const res = await get(required, `Bearer ${t}`);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toContain(
        'error_description="The access token is invalid"',
      );
    }
  });

  it('credentialsRequired: false lets anonymous requests through but still refuses bad tokens', async () => {
    const anonymous = await get(optional);
    expect(anonymous.status).toBe(200);
    expect(await anonymous.json()).toEqual({ auth: null });
    const bad = await get(optional, `Bearer ${token(claims({ iss: 'https://evil' }))}`);
    expect(bad.status).toBe(401);
    const good = await get(optional, `Bearer ${token()}`);
    expect(good.status).toBe(200);
  });

  it('counts rejections by reason and audits token.rejected without token material', async () => {
    const forged = token(claims({ sub: 'mallory' }));
    const tampered = `${forged.split('.')[0]}.${forged.split('.')[1]}.${'A'.repeat(43)}`;
    await get(required, `Bearer ${tampered}`);
    const text = (await scrapeRegistry(registry)).text;
    expect(text).toMatch(/security_jwt_rejections_total\{reason="bad_signature"\} [1-9]/);
    expect(text).toMatch(/security_jwt_rejections_total\{reason="missing"\} [1-9]/);
    expect(text).toMatch(/security_auth_attempts_total\{method="jwt",outcome="success"\} [1-9]/);
    const event = audit.events.find((e) => e.details?.reason === 'bad_signature');
    expect(event).toMatchObject({
      event: 'token.rejected',
      outcome: 'denied',
      details: { reason: 'bad_signature' },
    });
    expect(event?.ip).toMatch(/127\.0\.0\.1/);
    expect(JSON.stringify(audit.events)).not.toContain(tampered.split('.')[1]);
    expect(JSON.stringify(audit.events)).not.toContain('mallory');
  });

  it('a non-Bearer scheme is treated as no token', async () => {
    const res = await get(required, 'Basic dXNlcjpwYXNz');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="api"');
    expect((await get(optional, 'Basic dXNlcjpwYXNz')).status).toBe(200);
  });
});
