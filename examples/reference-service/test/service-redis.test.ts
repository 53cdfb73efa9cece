/**
 * With REDIS_URL, two instances share the security stores: the login throttle, TOTP replay
 * protection and refresh-token families hold across the fleet. Needs Debian's `redis-server`
 * (skipped without it locally; a failure with CI=true).
 */
import { generateKeyPairSync } from 'node:crypto';
import { generateTotp } from '@srekit/security';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoPassword, demoTotpSecret } from '../src/app/demo-users.js';
import { loadConfig } from '../src/config.js';
import { type RunningInstance, startInstance } from '../src/instance.js';
import { type RunningService, startInventory } from '../src/inventory.js';
import { call } from './support/api.js';
import { redisServerBin, startTestRedis, type TestRedis } from './support/redis.js';

describe.skipIf(!redisServerBin)('a fleet sharing Redis', () => {
  let redis: TestRedis;
  let inventory: RunningService;
  const instances: RunningInstance[] = [];

  beforeAll(async () => {
    redis = await startTestRedis();
    inventory = await startInventory({ logLevel: 'silent' });
    const pem = generateKeyPairSync('ed25519')
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    for (const id of ['orders-a', 'orders-b']) {
      instances.push(
        await startInstance(
          loadConfig({
            INVENTORY_URLS: inventory.url,
            REDIS_URL: redis.url,
            JWT_PRIVATE_KEY: pem,
            INSTANCE_ID: id,
          }),
          { logLevel: 'silent' },
        ),
      );
    }
  }, 15_000);

  afterAll(async () => {
    for (const instance of instances) await instance.close();
    await inventory?.close();
    await redis?.stop();
  });

  it('refuses a TOTP code on one instance that was used on the other', async () => {
    const [a, b] = instances.map((i) => i.url) as [string, string];
    const credentials = {
      username: 'viewer',
      password: demoPassword('viewer'),
      code: generateTotp(demoTotpSecret('viewer')),
    };
    expect((await call(a, 'POST', '/auth/login', { body: credentials })).status).toBe(200);
    expect((await call(b, 'POST', '/auth/login', { body: credentials })).status).toBe(401);
  });

  it('detects a refresh token reused on another instance', async () => {
    const [a, b] = instances.map((i) => i.url) as [string, string];
    const login = await call(a, 'POST', '/auth/login', {
      body: {
        username: 'admin',
        password: demoPassword('admin'),
        code: generateTotp(demoTotpSecret('admin')),
      },
    });
    expect(login.status).toBe(200);
    const refreshToken = login.body.refreshToken as string;
    expect((await call(a, 'POST', '/auth/token', { body: { refreshToken } })).status).toBe(200);
    const reused = await call(b, 'POST', '/auth/token', { body: { refreshToken } });
    expect(reused.status).toBe(401);
    expect(reused.body.reason).toBe('reused');
  });

  it('places an order on one instance and reads, lists and cancels it on the other', async () => {
    const [a, b] = instances.map((i) => i.url) as [string, string];
    const { status, body } = await call(a, 'POST', '/auth/login', {
      body: {
        username: 'operator',
        password: demoPassword('operator'),
        code: generateTotp(demoTotpSecret('operator')),
      },
    });
    expect(status).toBe(200);
    const token = body.accessToken as string;
    const placed = await call(a, 'POST', '/api/orders', {
      token,
      body: { items: [{ sku: 'SKU-1001', quantity: 1 }] },
    });
    expect(placed.status).toBe(201);
    const id = placed.body.id as string;
    const read = await call(b, 'GET', `/api/orders/${id}`, { token });
    expect(read.status).toBe(200);
    expect(read.body).toEqual(placed.body);
    const listed = await call(b, 'GET', '/api/orders', { token });
    expect((listed.body.orders as { id: string }[]).map((o) => o.id)).toContain(id);
    const cancelled = await call(b, 'PATCH', `/api/orders/${id}/cancel`, { token });
    expect(cancelled.status).toBe(200);
    expect((await call(a, 'GET', `/api/orders/${id}`, { token })).body.status).toBe('cancelled');
  });

  it('throttles failed logins of one account across instances', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const base = instances[i % 2]?.url as string;
      statuses.push(
        (
          await call(base, 'POST', '/auth/login', {
            body: { username: 'mallory', password: `guess-${i}`, code: '000000' },
          })
        ).status,
      );
    }
    // Alone, each instance would have seen 3 failures and let them all through as 401s; shared,
    // the fourth attempt in a row is already refused.
    expect(statuses.slice(0, 3)).toEqual([401, 401, 401]);
    expect(statuses.slice(3)).toEqual([429, 429, 429]);
  });
});
