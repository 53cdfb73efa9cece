/**
 * Placing an order reserves stock in the real inventory service through the engine pool (retries
 * on another instance when one is down), and /metrics carries the http, slo, security and
 * loadbalancer series.
 */
import { METRICS as CORE_METRICS } from '@srekit/core';
import { parseExposition } from '@srekit/core/testing';
import { METRICS as ENGINE_METRICS } from '@srekit/engine';
import { generateTotp, METRICS as SECURITY_METRICS } from '@srekit/security';
import { METRICS as SLO_METRICS } from '@srekit/slo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoPassword, demoTotpSecret } from '../src/app/demo-users.js';
import { loadConfig } from '../src/config.js';
import { type RunningInstance, startInstance } from '../src/instance.js';
import { type RunningService, startInventory } from '../src/inventory.js';
import { call, TIMEOUT_MS } from './support/api.js';

const SKU = 'SKU-1003';
const STOCK = 50;

describe('orders through the inventory pool', () => {
  const inventories: RunningService[] = [];
  let instance: RunningInstance;
  let token: string;

  const stock = async (): Promise<number[]> =>
    Promise.all(
      inventories.map(
        async (inv) => (await call(inv.url, 'GET', `/items/${SKU}`)).body.available as number,
      ),
    );
  const order = (quantity: number) =>
    call(instance.url, 'POST', '/api/orders', { token, body: { items: [{ sku: SKU, quantity }] } });

  beforeAll(async () => {
    for (let i = 0; i < 2; i++)
      inventories.push(await startInventory({ logLevel: 'silent', initialStock: STOCK }));
    instance = await startInstance(
      loadConfig({ INVENTORY_URLS: inventories.map((inv) => inv.url).join(',') }),
      { logLevel: 'silent', warn: () => undefined },
    );
    const login = await call(instance.url, 'POST', '/auth/login', {
      body: {
        username: 'operator',
        password: demoPassword('operator'),
        code: generateTotp(demoTotpSecret('operator')),
      },
    });
    expect(login.status).toBe(200);
    token = login.body.accessToken as string;
  }, 15_000);

  afterAll(async () => {
    await instance?.close();
    for (const inv of inventories) await inv.close();
  });

  it('reserves stock in the inventory service, and releases it when the order is cancelled', async () => {
    const placed = await order(3);
    expect(placed.status, JSON.stringify(placed.body)).toBe(201);
    expect(placed.body).toMatchObject({ status: 'placed', totalCents: 3 * 2_900 });
    expect((placed.body.reservationIds as string[]).length).toBe(1);
    expect((await stock()).reduce((a, b) => a + b, 0)).toBe(2 * STOCK - 3);

    const tooMany = await order(STOCK + 1);
    expect(tooMany.status).toBe(409);

    const cancelled = await call(
      instance.url,
      'PATCH',
      `/api/orders/${placed.body.id as string}/cancel`,
      { token },
    );
    expect(cancelled.status).toBe(200);
    expect((await stock()).reduce((a, b) => a + b, 0)).toBe(2 * STOCK);

    const list = await call(instance.url, 'GET', '/api/orders', { token });
    expect((list.body.orders as unknown[]).length).toBe(1);
  });

  it('puts the pool, http, slo and security series on /metrics', async () => {
    const res = await fetch(`${instance.url}/metrics`, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    expect(res.status).toBe(200);
    const { samples } = parseExposition(await res.text());
    const names = new Set(samples.map((s) => s.name));
    const has = (name: string) => [...names].some((n) => n === name || n.startsWith(`${name}_`));
    for (const name of [
      CORE_METRICS.httpServerRequestDuration.name,
      SLO_METRICS.events.name,
      SLO_METRICS.burnRate.name,
      SECURITY_METRICS.authAttempts.name,
      ENGINE_METRICS.requests.name,
      ENGINE_METRICS.backendUp.name,
    ]) {
      expect(has(name), name).toBe(true);
    }
    const reservations = samples.filter(
      (s) => s.name === ENGINE_METRICS.requests.name && s.labels.pool === 'inventory',
    );
    expect(reservations.reduce((sum, s) => sum + s.value, 0)).toBeGreaterThanOrEqual(3);
    const route = samples.find(
      (s) =>
        s.name === `${CORE_METRICS.httpServerRequestDuration.name}_count` &&
        s.labels.http_route === '/api/orders' &&
        s.labels.http_response_status_code === '201',
    );
    expect(route?.value).toBe(1);
  });

  it('keeps placing orders when one inventory instance is down, and answers 503 when all are', async () => {
    await inventories[0]?.close();
    for (let i = 0; i < 4; i++) expect((await order(1)).status).toBe(201);
    await inventories[1]?.close();
    const down = await order(1);
    expect(down.status).toBe(503);
  });
});
