/**
 * With REDIS_URL, two instances share the security stores: the login throttle, TOTP replay
 * protection and refresh-token families hold across the fleet. Needs Debian's `redis-server`
 * (skipped without it).
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { startRedisServer, type TestRedis } from '@srekit/core/testing';
import { generateTotp } from '@srekit/security';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoPassword, demoTotpSecret } from '../src/app/demo-users.js';
import { loadConfig } from '../src/config.js';
import { type RunningInstance, startInstance } from '../src/instance.js';
import { type RunningService, startInventory } from '../src/inventory.js';

const TIMEOUT_MS = 5_000;

function hasRedis(): boolean {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore', timeout: 5_000 });
    return true;
  } catch {
    return false;
  }
}

async function call(
  base: string,
  path: string,
  body: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    signal: AbortSignal.timeout(TIMEOUT_MS),
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return {
    status: res.status,
    body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
  };
}

describe.skipIf(!hasRedis())('a fleet sharing Redis', () => {
  let redis: TestRedis;
  let inventory: RunningService;
  const instances: RunningInstance[] = [];

  beforeAll(async () => {
    redis = await startRedisServer();
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
    expect((await call(a, '/auth/login', credentials)).status).toBe(200);
    expect((await call(b, '/auth/login', credentials)).status).toBe(401);
  });

  it('detects a refresh token reused on another instance', async () => {
    const [a, b] = instances.map((i) => i.url) as [string, string];
    const login = await call(a, '/auth/login', {
      username: 'admin',
      password: demoPassword('admin'),
      code: generateTotp(demoTotpSecret('admin')),
    });
    expect(login.status).toBe(200);
    const refreshToken = login.body.refreshToken as string;
    expect((await call(a, '/auth/token', { refreshToken })).status).toBe(200);
    const reused = await call(b, '/auth/token', { refreshToken });
    expect(reused.status).toBe(401);
    expect(reused.body.reason).toBe('reused');
  });

  it('throttles failed logins of one account across instances', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const base = instances[i % 2]?.url as string;
      statuses.push(
        (
          await call(base, '/auth/login', {
            username: 'mallory',
            password: `guess-${i}`,
            code: '000000',
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
