/**
 * The two order repositories keep the same contract: the in-memory one (`npm start`'s default)
 * and the Redis one a fleet shares when REDIS_URL is set (against Debian's `redis-server`).
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MemoryOrderRepository,
  type NewOrder,
  type OrderRepository,
} from '../src/app/order-repository.js';
import { RedisOrderRepository } from '../src/app/redis-order-repository.js';
import { redisServerBin, startTestRedis, type TestRedis } from './support/redis.js';

const line = (sku: string, quantity: number, unitPriceCents: number) => ({
  sku,
  quantity,
  unitPriceCents,
});
const order = (owner: string, n = 1): NewOrder => ({
  owner,
  lines: [line('SKU-1001', n, 4900), line('SKU-1002', 1, 1500)],
  reservationIds: [`inventory-1:r${n}`],
});
const tick = () => new Promise((r) => setTimeout(r, 2));

function contract(name: string, make: (options: { maxOrders?: number }) => OrderRepository) {
  describe(name, () => {
    it('creates an order with an id, a total, status placed and equal timestamps', async () => {
      const repo = make({});
      const created = await repo.create(order('alice', 2));
      expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(created.totalCents).toBe(2 * 4900 + 1500);
      expect(created.status).toBe('placed');
      expect(created.updatedAt).toBe(created.createdAt);
      expect(await repo.get(created.id)).toEqual(created);
      expect(await repo.get('no-such-order')).toBeUndefined();
    });

    it('lists newest first, per owner, up to a limit', async () => {
      const repo = make({});
      const ids: string[] = [];
      for (const [i, owner] of ['alice', 'bob', 'alice', 'alice'].entries()) {
        ids.push((await repo.create(order(owner, i + 1))).id);
        await tick();
      }
      expect((await repo.list()).map((o) => o.id)).toEqual([...ids].reverse());
      expect((await repo.list({ owner: 'alice' })).map((o) => o.id)).toEqual([
        ids[3],
        ids[2],
        ids[0],
      ]);
      expect((await repo.list({ owner: 'alice', limit: 2 })).map((o) => o.id)).toEqual([
        ids[3],
        ids[2],
      ]);
      expect(await repo.list({ owner: 'carol' })).toEqual([]);
    });

    it('updates the status of an existing order only', async () => {
      const repo = make({});
      const created = await repo.create(order('alice'));
      await tick();
      const cancelled = await repo.updateStatus(created.id, 'cancelled');
      expect(cancelled?.status).toBe('cancelled');
      expect(cancelled?.lines).toEqual(created.lines);
      expect(Date.parse(cancelled?.updatedAt ?? '')).toBeGreaterThan(Date.parse(created.createdAt));
      expect((await repo.get(created.id))?.status).toBe('cancelled');
      expect(await repo.updateStatus('no-such-order', 'cancelled')).toBeUndefined();
      expect(await repo.get('no-such-order')).toBeUndefined();
    });

    it('drops the oldest orders beyond maxOrders', async () => {
      const repo = make({ maxOrders: 3 });
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        ids.push((await repo.create(order(i % 2 === 0 ? 'alice' : 'bob', i + 1))).id);
        await tick();
      }
      expect((await repo.list()).map((o) => o.id)).toEqual([ids[4], ids[3], ids[2]]);
      expect(await repo.get(ids[0] as string)).toBeUndefined();
      expect((await repo.list({ owner: 'alice' })).map((o) => o.id)).toEqual([ids[4], ids[2]]);
    });
  });
}

contract('MemoryOrderRepository', (options) => new MemoryOrderRepository(options));

describe.skipIf(!redisServerBin)('RedisOrderRepository (a real redis-server)', () => {
  let server: TestRedis;
  let redis: Redis;
  let n = 0;

  beforeAll(async () => {
    server = await startTestRedis();
    redis = new Redis(server.url, { maxRetriesPerRequest: 1 });
  });

  afterAll(async () => {
    redis?.disconnect();
    await server?.stop();
  });

  // Each test gets its own key prefix, so the tests do not see each other's orders.
  contract(
    'contract',
    (options) => new RedisOrderRepository(redis, { ...options, prefix: `t${n++}:` }),
  );

  it('shares orders between two clients (two instances of a fleet)', async () => {
    const other = new Redis(server.url, { maxRetriesPerRequest: 1 });
    try {
      const a = new RedisOrderRepository(redis, { prefix: 'shared:' });
      const b = new RedisOrderRepository(other, { prefix: 'shared:' });
      const created = await a.create(order('alice'));
      expect(await b.get(created.id)).toEqual(created);
      await b.updateStatus(created.id, 'cancelled');
      expect((await a.get(created.id))?.status).toBe('cancelled');
      expect((await a.list({ owner: 'alice' })).map((o) => o.id)).toEqual([created.id]);
    } finally {
      other.disconnect();
    }
  });
});
