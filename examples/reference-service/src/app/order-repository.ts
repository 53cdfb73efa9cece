import { randomUUID } from 'node:crypto';

/** One line of an order. */
export interface OrderLine {
  readonly sku: string;
  readonly quantity: number;
  readonly unitPriceCents: number;
}

export type OrderStatus = 'placed' | 'cancelled';

/** An order as stored. */
export interface Order {
  readonly id: string;
  readonly owner: string;
  readonly lines: readonly OrderLine[];
  readonly totalCents: number;
  readonly status: OrderStatus;
  readonly reservationIds: readonly string[];
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** What creating an order needs. */
export interface NewOrder {
  readonly owner: string;
  readonly lines: readonly OrderLine[];
  readonly reservationIds: readonly string[];
}

/**
 * Storage of orders. The reference service keeps them in memory; a database implements the same
 * four methods.
 */
export interface OrderRepository {
  create(order: NewOrder): Promise<Order>;
  get(id: string): Promise<Order | undefined>;
  list(options?: { owner?: string; limit?: number }): Promise<Order[]>;
  /** Sets the status; `undefined` when the order does not exist. */
  updateStatus(id: string, status: OrderStatus): Promise<Order | undefined>;
}

/** An {@link OrderRepository} in a `Map`, newest last, bounded to `maxOrders` (oldest dropped). */
export class MemoryOrderRepository implements OrderRepository {
  readonly #orders = new Map<string, Order>();
  readonly #maxOrders: number;

  constructor(options: { maxOrders?: number } = {}) {
    this.#maxOrders = options.maxOrders ?? 10_000;
  }

  async create(order: NewOrder): Promise<Order> {
    const now = new Date().toISOString();
    const stored: Order = {
      id: randomUUID(),
      owner: order.owner,
      lines: order.lines.map((line) => ({ ...line })),
      totalCents: order.lines.reduce((sum, l) => sum + l.quantity * l.unitPriceCents, 0),
      status: 'placed',
      reservationIds: [...order.reservationIds],
      createdAt: now,
      updatedAt: now,
    };
    this.#orders.set(stored.id, stored);
    if (this.#orders.size > this.#maxOrders) {
      const oldest = this.#orders.keys().next().value;
      if (oldest !== undefined) this.#orders.delete(oldest);
    }
    return stored;
  }

  async get(id: string): Promise<Order | undefined> {
    return this.#orders.get(id);
  }

  async list(options: { owner?: string; limit?: number } = {}): Promise<Order[]> {
    const limit = options.limit ?? 100;
    const all = [...this.#orders.values()].filter(
      (o) => options.owner === undefined || o.owner === options.owner,
    );
    return all.slice(-limit).reverse();
  }

  async updateStatus(id: string, status: OrderStatus): Promise<Order | undefined> {
    const order = this.#orders.get(id);
    if (order === undefined) return undefined;
    const updated: Order = { ...order, status, updatedAt: new Date().toISOString() };
    this.#orders.set(id, updated);
    return updated;
  }
}
