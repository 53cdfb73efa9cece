import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { NewOrder, Order, OrderRepository, OrderStatus } from './order-repository.js';

/** Sets status and updatedAt of an existing order hash; 0 when there is no such order. */
const UPDATE_STATUS = `if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'status', ARGV[1], 'updatedAt', ARGV[2])
return 1`;

/** The immutable part of an order, stored as JSON next to the mutable fields. */
type OrderBody = Omit<Order, 'status' | 'updatedAt'>;

/**
 * An {@link OrderRepository} in Redis, shared by every instance of a fleet: one hash per order
 * (`body` JSON, `status`, `updatedAt`) and two sorted sets by creation time (all orders, and per
 * owner) for the newest-first lists. Bounded to `maxOrders`: the oldest orders are dropped.
 */
export class RedisOrderRepository implements OrderRepository {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #maxOrders: number;

  /**
   * @param redis A connected ioredis client (the service's shared one).
   * @param options `prefix` of every key (default `srekit:orders:`), `maxOrders` (default 10 000).
   */
  constructor(redis: Redis, options: { prefix?: string; maxOrders?: number } = {}) {
    this.#redis = redis;
    this.#prefix = options.prefix ?? 'srekit:orders:';
    this.#maxOrders = options.maxOrders ?? 10_000;
  }

  #orderKey(id: string): string {
    return `${this.#prefix}order:${id}`;
  }

  #ownerKey(owner: string): string {
    return `${this.#prefix}owner:${owner}`;
  }

  get #allKey(): string {
    return `${this.#prefix}all`;
  }

  async create(order: NewOrder): Promise<Order> {
    const createdAt = new Date();
    const now = createdAt.toISOString();
    const body: OrderBody = {
      id: randomUUID(),
      owner: order.owner,
      lines: order.lines.map((line) => ({ ...line })),
      totalCents: order.lines.reduce((sum, l) => sum + l.quantity * l.unitPriceCents, 0),
      reservationIds: [...order.reservationIds],
      createdAt: now,
    };
    const score = createdAt.getTime();
    await this.#redis
      .multi()
      .hset(this.#orderKey(body.id), {
        body: JSON.stringify(body),
        status: 'placed',
        updatedAt: now,
      })
      .zadd(this.#allKey, score, body.id)
      .zadd(this.#ownerKey(body.owner), score, body.id)
      .exec();
    await this.#trim();
    return { ...body, status: 'placed', updatedAt: now };
  }

  /** Drops the oldest orders beyond `maxOrders`. */
  async #trim(): Promise<void> {
    const excess = (await this.#redis.zcard(this.#allKey)) - this.#maxOrders;
    if (excess <= 0) return;
    const popped = await this.#redis.zpopmin(this.#allKey, excess);
    // zpopmin answers [member, score, member, score, …].
    const ids = popped.filter((_, i) => i % 2 === 0);
    const orders = await Promise.all(ids.map((id) => this.get(id)));
    const tx = this.#redis.multi();
    for (const [i, id] of ids.entries()) {
      const owner = orders[i]?.owner;
      if (owner !== undefined) tx.zrem(this.#ownerKey(owner), id);
      tx.del(this.#orderKey(id));
    }
    await tx.exec();
  }

  async get(id: string): Promise<Order | undefined> {
    const [body, status, updatedAt] = await this.#redis.hmget(
      this.#orderKey(id),
      'body',
      'status',
      'updatedAt',
    );
    return body === null || status === null || updatedAt === null
      ? undefined
      : { ...(JSON.parse(body) as OrderBody), status: status as OrderStatus, updatedAt };
  }

  async list(options: { owner?: string; limit?: number } = {}): Promise<Order[]> {
    const limit = options.limit ?? 100;
    if (limit <= 0) return [];
    const key = options.owner === undefined ? this.#allKey : this.#ownerKey(options.owner);
    const ids = await this.#redis.zrevrange(key, 0, limit - 1);
    const orders = await Promise.all(ids.map((id) => this.get(id)));
    return orders.filter((o): o is Order => o !== undefined);
  }

  async updateStatus(id: string, status: OrderStatus): Promise<Order | undefined> {
    const updated = await this.#redis.eval(
      UPDATE_STATUS,
      1,
      this.#orderKey(id),
      status,
      new Date().toISOString(),
    );
    return updated === 0 ? undefined : this.get(id);
  }
}
