/**
 * Login with password + TOTP → JWT access and refresh tokens → RBAC on the order routes →
 * refresh-token rotation with reuse detection; two instances sharing one signing key accept each
 * other's tokens. Real servers on loopback: an inventory service and two orders instances.
 */
import { generateKeyPairSync } from 'node:crypto';
import { generateTotp } from '@srekit/security';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoPassword, demoTotpSecret } from '../src/app/demo-users.js';
import { loadConfig } from '../src/config.js';
import { type RunningInstance, startInstance } from '../src/instance.js';
import { type RunningService, startInventory } from '../src/inventory.js';
import { call, login } from './support/api.js';

describe('authentication, RBAC and token rotation', () => {
  let inventory: RunningService;
  let a: RunningInstance;
  let b: RunningInstance;

  beforeAll(async () => {
    inventory = await startInventory({ logLevel: 'silent' });
    const pem = generateKeyPairSync('ed25519')
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    const env = { INVENTORY_URLS: inventory.url, JWT_PRIVATE_KEY: pem };
    a = await startInstance(loadConfig({ ...env, INSTANCE_ID: 'orders-a' }), {
      logLevel: 'silent',
    });
    b = await startInstance(loadConfig({ ...env, INSTANCE_ID: 'orders-b' }), {
      logLevel: 'silent',
    });
  }, 15_000);

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await inventory?.close();
  });

  it('refuses a wrong password, a wrong code and a malformed body', async () => {
    const wrongPassword = await call(a.url, 'POST', '/auth/login', {
      body: { username: 'viewer', password: 'not-the-password', code: '123456' },
    });
    expect(wrongPassword.status).toBe(401);
    const wrongCode = await call(a.url, 'POST', '/auth/login', {
      body: {
        username: 'operator',
        password: demoPassword('operator'),
        code: generateTotp(demoTotpSecret('operator'), { time: Date.now() - 3_600_000 }),
      },
    });
    expect(wrongCode.status).toBe(401);
    expect((await call(a.url, 'POST', '/auth/login', { body: { username: 'x' } })).status).toBe(
      400,
    );
    const status = await call(a.url, 'GET', '/status.json');
    const security = status.body.security as Record<string, number>;
    expect(security.loginFailures).toBeGreaterThanOrEqual(2);
    expect(security.auditEvents).toBeGreaterThanOrEqual(2);
  });

  it('gives a viewer read and create but not cancel, and an operator cancel', async () => {
    const viewer = await login(a.url, 'viewer');
    expect((await call(a.url, 'GET', '/api/orders')).status).toBe(401);
    const placed = await call(a.url, 'POST', '/api/orders', {
      token: viewer.accessToken,
      body: { items: [{ sku: 'SKU-1001', quantity: 2 }] },
    });
    expect(placed.status, JSON.stringify(placed.body)).toBe(201);
    const id = placed.body.id as string;
    expect(
      (await call(a.url, 'GET', `/api/orders/${id}`, { token: viewer.accessToken })).status,
    ).toBe(200);
    const denied = await call(a.url, 'PATCH', `/api/orders/${id}/cancel`, {
      token: viewer.accessToken,
    });
    expect(denied.status).toBe(403);

    const operator = await login(a.url, 'operator');
    const cancelled = await call(a.url, 'PATCH', `/api/orders/${id}/cancel`, {
      token: operator.accessToken,
    });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    // A token signed by instance a is accepted by instance b (one key for the fleet).
    expect((await call(b.url, 'GET', '/api/orders', { token: operator.accessToken })).status).toBe(
      200,
    );
  });

  it('rotates refresh tokens and revokes the family when one is reused', async () => {
    const first = await login(b.url, 'admin');
    const rotated = await call(b.url, 'POST', '/auth/token', {
      body: { refreshToken: first.refreshToken },
    });
    expect(rotated.status).toBe(200);
    expect(rotated.body.refreshToken).not.toBe(first.refreshToken);
    const next = rotated.body as { accessToken: string; refreshToken: string };
    expect((await call(b.url, 'GET', '/api/orders', { token: next.accessToken })).status).toBe(200);

    const reused = await call(b.url, 'POST', '/auth/token', {
      body: { refreshToken: first.refreshToken },
    });
    expect(reused.status).toBe(401);
    expect(reused.body.reason).toBe('reused');
    // The whole family is revoked: the newer refresh token and its access token too.
    const after = await call(b.url, 'POST', '/auth/token', {
      body: { refreshToken: next.refreshToken },
    });
    expect(after.status).toBe(401);
    expect((await call(b.url, 'GET', '/api/orders', { token: next.accessToken })).status).toBe(401);
    expect((await call(b.url, 'POST', '/auth/token', { body: {} })).status).toBe(400);
  });

  it('throttles and rate-limits repeated failed logins of one account', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      statuses.push(
        (
          await call(a.url, 'POST', '/auth/login', {
            body: { username: 'mallory', password: `guess-number-${i}`, code: '000000' },
          })
        ).status,
      );
    }
    expect(statuses.slice(0, 3)).toEqual([401, 401, 401]);
    expect(statuses.at(-1)).toBe(429);
    const security = (await call(a.url, 'GET', '/status.json')).body.security as Record<
      string,
      number
    >;
    expect(security.rateLimited + security.lockouts).toBeGreaterThanOrEqual(1);
  });
});
