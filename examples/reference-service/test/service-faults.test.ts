/**
 * Admin-only fault injection at run time: an operator gets 403; an admin's error and latency
 * faults change the answers of the route they name, and the SLO status in /status.json follows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../src/app/demo-users.js';
import { loadConfig } from '../src/config.js';
import { type RunningInstance, startInstance } from '../src/instance.js';
import { type RunningService, startInventory } from '../src/inventory.js';
import { call, login as loginPair } from './support/api.js';

async function login(base: string, role: Role): Promise<string> {
  return (await loginPair(base, role)).accessToken;
}

interface WindowStatus {
  window: string;
  good: number;
  bad: number;
  burnRate?: number;
}

async function sloWindow(base: string, sloId: string, window = '5m'): Promise<WindowStatus> {
  const slos = (await call(base, 'GET', '/status.json')).body.slos as {
    sloId: string;
    windows: WindowStatus[];
  }[];
  const slo = slos.find((s) => s.sloId === sloId);
  const found = slo?.windows.find((w) => w.window === window);
  if (found === undefined) throw new Error(`no ${window} window for ${sloId}`);
  return found;
}

describe('fault injection', () => {
  let inventory: RunningService;
  let instance: RunningInstance;
  let admin: string;
  let operator: string;

  beforeAll(async () => {
    inventory = await startInventory({ logLevel: 'silent' });
    instance = await startInstance(loadConfig({ INVENTORY_URLS: inventory.url }), {
      logLevel: 'silent',
      warn: () => undefined,
    });
    admin = await login(instance.url, 'admin');
    operator = await login(instance.url, 'operator');
  }, 15_000);

  afterAll(async () => {
    await instance?.close();
    await inventory?.close();
  });

  it('is refused to anyone but an admin', async () => {
    const fault = { route: '/api/catalog', errorRatio: 1, latencyMs: 0 };
    expect((await call(instance.url, 'POST', '/api/admin/faults', { body: fault })).status).toBe(
      401,
    );
    const asOperator = await call(instance.url, 'POST', '/api/admin/faults', {
      token: operator,
      body: fault,
    });
    expect(asOperator.status).toBe(403);
    expect(
      (await call(instance.url, 'DELETE', '/api/admin/faults', { token: operator })).status,
    ).toBe(403);
    expect((await call(instance.url, 'GET', '/api/catalog')).status).toBe(200);
    const invalid = await call(instance.url, 'POST', '/api/admin/faults', {
      token: admin,
      body: { route: 'catalog', errorRatio: 2 },
    });
    expect(invalid.status).toBe(400);
    expect(String(invalid.body.detail)).toMatch(/route.*errorRatio/);
  });

  it('turns answers of the named route into 500s, and the availability SLO burns', async () => {
    const before = await sloWindow(instance.url, 'orders-api-availability');
    const set = await call(instance.url, 'POST', '/api/admin/faults', {
      token: admin,
      body: { route: '/api/catalog', errorRatio: 1, latencyMs: 0 },
    });
    expect(set.status).toBe(201);
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++)
      statuses.push((await call(instance.url, 'GET', '/api/catalog')).status);
    expect(statuses).toEqual(Array(10).fill(500));
    // Another route is untouched.
    expect((await call(instance.url, 'GET', '/api/orders', { token: operator })).status).toBe(200);

    const status = (await call(instance.url, 'GET', '/status.json')).body;
    expect(status.faults).toEqual([{ route: '/api/catalog', errorRatio: 1, latencyMs: 0 }]);
    const after = await sloWindow(instance.url, 'orders-api-availability');
    expect(after.bad - before.bad).toBe(10);
    expect(after.burnRate ?? 0).toBeGreaterThan(14.4);

    const cleared = await call(instance.url, 'DELETE', '/api/admin/faults', { token: admin });
    expect(cleared.body.faults).toEqual([]);
    expect((await call(instance.url, 'GET', '/api/catalog')).status).toBe(200);
  });

  it('adds latency to the named route, and the latency SLO counts the slow requests', async () => {
    const before = await sloWindow(instance.url, 'orders-api-latency');
    await call(instance.url, 'POST', '/api/admin/faults', {
      token: admin,
      body: { route: '/api/orders/:id', errorRatio: 0, latencyMs: 300 },
    });
    const started = performance.now();
    const answer = await call(instance.url, 'GET', '/api/orders/nope', { token: operator });
    expect(answer.status).toBe(404);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    const fast = performance.now();
    expect((await call(instance.url, 'GET', '/api/catalog')).status).toBe(200);
    expect(performance.now() - fast).toBeLessThan(250);
    const after = await sloWindow(instance.url, 'orders-api-latency');
    expect(after.bad - before.bad).toBe(1);
    await call(instance.url, 'DELETE', '/api/admin/faults', { token: admin });
  });

  it('applies "*" to every route but the fault API itself', async () => {
    await call(instance.url, 'POST', '/api/admin/faults', {
      token: admin,
      body: { route: '*', errorRatio: 1, latencyMs: 0 },
    });
    expect((await call(instance.url, 'GET', '/api/catalog')).status).toBe(500);
    expect((await call(instance.url, 'GET', '/api/orders', { token: admin })).status).toBe(500);
    const cleared = await call(instance.url, 'DELETE', '/api/admin/faults', { token: admin });
    expect(cleared.status).toBe(200);
    expect((await call(instance.url, 'GET', '/api/catalog')).status).toBe(200);
  });
});

describe('graceful shutdown with a latency fault', () => {
  it('answers the requests a latency fault holds before the instance stops', async () => {
    const inventory = await startInventory({ logLevel: 'silent' });
    const instance = await startInstance(loadConfig({ INVENTORY_URLS: inventory.url }), {
      logLevel: 'silent',
      warn: () => undefined,
    });
    try {
      const admin = await login(instance.url, 'admin');
      const set = await call(instance.url, 'POST', '/api/admin/faults', {
        token: admin,
        body: { route: '/api/catalog', errorRatio: 0, latencyMs: 600 },
      });
      expect(set.status).toBe(201);
      const held = Array.from({ length: 4 }, () => call(instance.url, 'GET', '/api/catalog'));
      await new Promise((r) => setTimeout(r, 150));
      const closed = instance.close();
      const answers = await Promise.all(held);
      await closed;
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    } finally {
      await instance.close();
      await inventory.close();
    }
  }, 15_000);
});
