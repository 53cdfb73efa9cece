/**
 * The inventory dependency: reservations are idempotent by `Idempotency-Key` (the orders API may
 * retry a timed-out one), and the key of a released reservation reserves anew.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningService, startInventory } from '../src/inventory.js';
import { TIMEOUT_MS } from './support/api.js';

async function reserve(
  base: string,
  key: string,
  quantity = 1,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${base}/reservations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': key },
    body: JSON.stringify({ sku: 'SKU-1001', quantity }),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function available(base: string): Promise<number> {
  const res = await fetch(`${base}/items/SKU-1001`, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  return ((await res.json()) as { available: number }).available;
}

describe('inventory reservations', () => {
  let inventory: RunningService;

  beforeAll(async () => {
    inventory = await startInventory({ logLevel: 'silent', initialStock: 100 });
  });

  afterAll(async () => {
    await inventory?.close();
  });

  it('answers a retried reservation with the first one and takes the stock once', async () => {
    const first = await reserve(inventory.url, 'order-1:SKU-1001', 3);
    const retried = await reserve(inventory.url, 'order-1:SKU-1001', 3);
    expect(first.status).toBe(201);
    expect(retried).toEqual(first);
    expect(await available(inventory.url)).toBe(97);
  });

  it('reserves anew with the key of a released reservation: the stock is back, never an empty 201', async () => {
    const first = await reserve(inventory.url, 'order-2:SKU-1001', 2);
    const id = first.body.reservationId as string;
    const released = await fetch(`${inventory.url}/reservations/${id}`, {
      method: 'DELETE',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    expect(released.status).toBe(204);
    expect(await available(inventory.url)).toBe(97);
    // A late retry with the released key is a new reservation with a body, never an empty 201.
    const again = await reserve(inventory.url, 'order-2:SKU-1001', 2);
    expect(again.status).toBe(201);
    expect(again.body.reservationId).toEqual(expect.any(String));
    expect(again.body.reservationId).not.toBe(id);
    expect(await available(inventory.url)).toBe(95);
  });
});
