import { randomUUID } from 'node:crypto';
import { isNoHealthyBackendError, outcomeOfError, Pool } from '@srekit/engine';
import type { Registry } from 'prom-client';

/**
 * A reservation the inventory service granted. Each inventory instance keeps its own stock, so
 * `reservationId` names the instance too (`<backend id>:<id>`): a release goes back to it.
 */
export interface Reservation {
  readonly reservationId: string;
  readonly sku: string;
  readonly quantity: number;
}

/** Why a reservation was not made. */
export type ReserveFailure = 'insufficient_stock' | 'unknown_sku' | 'unavailable';

export type ReserveResult =
  | { readonly ok: true; readonly reservation: Reservation }
  | { readonly ok: false; readonly reason: ReserveFailure; readonly detail?: string };

interface Answer {
  readonly status: number;
  readonly body: unknown;
  readonly backendId: string;
}

/** Options of {@link InventoryClient}. */
export interface InventoryClientOptions {
  /** Registry for the pool's `loadbalancer_*` metrics (the service's). */
  readonly registry?: Registry;
  /** Health-check interval. Default 2 000 ms. */
  readonly healthCheckIntervalMs?: number;
  /** Timeout of one try. Default 500 ms. */
  readonly perTryTimeoutMs?: number;
  /** Deadline of one call, retries included. Default 2 000 ms. */
  readonly deadlineMs?: number;
}

/**
 * The orders API's client of the inventory service: every call goes through an @srekit/engine
 * `Pool` (peak-EWMA balancing, health checks on `/readyz`, outlier detection, circuit breakers,
 * retries on another instance), whose metrics land on the service's registry.
 */
export class InventoryClient {
  readonly pool: Pool;
  readonly #perTryTimeoutMs: number;
  readonly #deadlineMs: number;

  constructor(urls: readonly string[], options: InventoryClientOptions = {}) {
    this.pool = new Pool(
      urls.map((url, i) => ({ id: `inventory-${i + 1}`, url })),
      {
        name: 'inventory',
        strategy: 'p2c-ewma',
        healthCheck: { path: '/readyz', intervalMs: options.healthCheckIntervalMs ?? 2_000 },
        ...(options.registry !== undefined ? { registry: options.registry } : {}),
      },
    );
    this.#perTryTimeoutMs = options.perTryTimeoutMs ?? 500;
    this.#deadlineMs = options.deadlineMs ?? 2_000;
  }

  /**
   * Reserves `quantity` units of `sku`. The POST carries an `Idempotency-Key`, so the pool may
   * retry it (on another instance when one is left) after a connection failure, a timeout or a
   * 502/503/504.
   */
  async reserve(sku: string, quantity: number): Promise<ReserveResult> {
    const key = randomUUID();
    let answer: Answer;
    try {
      answer = await this.#call('POST', '/reservations', { sku, quantity }, key);
    } catch (error) {
      return {
        ok: false,
        reason: 'unavailable',
        detail: isNoHealthyBackendError(error) ? 'no healthy inventory instance' : String(error),
      };
    }
    if (answer.status === 201) {
      const granted = answer.body as Reservation;
      return {
        ok: true,
        reservation: { ...granted, reservationId: `${answer.backendId}:${granted.reservationId}` },
      };
    }
    if (answer.status === 409) return { ok: false, reason: 'insufficient_stock', detail: sku };
    if (answer.status === 404) return { ok: false, reason: 'unknown_sku', detail: sku };
    return { ok: false, reason: 'unavailable', detail: `inventory answered ${answer.status}` };
  }

  /**
   * Releases a reservation at the instance that granted it, through a lease of the pool (so the
   * call counts in its metrics and outlier detection). Best effort: `false` when that instance
   * cannot take it now.
   */
  async release(reservationId: string): Promise<boolean> {
    const split = reservationId.indexOf(':');
    const backendId = reservationId.slice(0, split);
    const id = reservationId.slice(split + 1);
    const others = new Set(
      this.pool
        .stats()
        .backends.map((b) => b.id)
        .filter((other) => other !== backendId),
    );
    const lease = this.pool.acquire({ exclude: others });
    if (lease === undefined) return false;
    if (lease.backend.id !== backendId) {
      lease.cancel();
      return false;
    }
    try {
      const res = await fetch(`${lease.backend.url}/reservations/${encodeURIComponent(id)}`, {
        method: 'DELETE',
        signal: AbortSignal.timeout(this.#perTryTimeoutMs),
      });
      await res.arrayBuffer();
      lease.end(res.status);
      return res.status < 300;
    } catch (error) {
      lease.end(outcomeOfError(error));
      return false;
    }
  }

  async close(): Promise<void> {
    await this.pool.close();
  }

  #call(method: string, path: string, body?: unknown, idempotencyKey?: string): Promise<Answer> {
    return this.pool.execute(
      async (backend, { signal }) => {
        const res = await fetch(`${backend.url}${path}`, {
          method,
          signal,
          headers: {
            ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
            ...(idempotencyKey !== undefined ? { 'idempotency-key': idempotencyKey } : {}),
          },
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        });
        const text = await res.text();
        let parsed: unknown = text;
        try {
          parsed = text === '' ? undefined : JSON.parse(text);
        } catch {
          // not JSON: keep the text
        }
        return { status: res.status, body: parsed, backendId: backend.id };
      },
      {
        method,
        retryNonIdempotent: idempotencyKey !== undefined,
        perTryTimeoutMs: this.#perTryTimeoutMs,
        deadlineMs: this.#deadlineMs,
        outcomeOf: (answer) => answer.status,
      },
    );
  }
}
