/**
 * The inventory service: the small dependency the orders API calls through an @srekit/engine pool
 * when an order is placed. Stock per SKU in memory (each instance its own), reservations made
 * idempotent by the `Idempotency-Key` header, so the orders API may retry a timed-out reservation.
 *
 * Run it as a program with `node dist/inventory.js` (PORT, HOST); it prints `listening <port>`.
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { createTelemetry, type LoggingOptions } from '@srekit/core';
import express from 'express';
import { CATALOG } from './app/catalog.js';

/** Options of {@link startInventory}. */
export interface InventoryOptions {
  /** TCP port; 0 picks a free one. Default 0. */
  readonly port?: number;
  /** Default `127.0.0.1`. */
  readonly host?: string;
  /** Units of each catalogue SKU at start. Default 1 000 000. */
  readonly initialStock?: number;
  /** Log level (pino). Default `LOG_LEVEL`, else `info`. */
  readonly logLevel?: NonNullable<LoggingOptions['level']>;
}

/** A running inventory service. */
export interface RunningService {
  readonly url: string;
  close(): Promise<void>;
}

interface Reservation {
  readonly reservationId: string;
  readonly sku: string;
  readonly quantity: number;
}

/**
 * How long an `Idempotency-Key` is remembered: far longer than any retry of the orders API (its
 * deadline is seconds), short enough that the map stays small.
 */
const IDEMPOTENCY_KEY_TTL_MS = 10 * 60_000;

/**
 * Starts the inventory service.
 *
 * @example
 * ```ts
 * const inventory = await startInventory({ port: 0 });
 * await fetch(`${inventory.url}/items/SKU-1001`);
 * await inventory.close();
 * ```
 */
export async function startInventory(options: InventoryOptions = {}): Promise<RunningService> {
  const telemetry = createTelemetry({
    serviceName: 'inventory',
    tracing: { enabled: false },
    logging: options.logLevel !== undefined ? { level: options.logLevel } : {},
  });
  const stock = new Map<string, number>(
    CATALOG.map((p) => [p.sku, options.initialStock ?? 1_000_000]),
  );
  const reservations = new Map<string, Reservation>();
  // Idempotency-Key → reservation, in insertion (= time) order so expired keys are pruned from
  // the front. A key whose reservation was released points at nothing and reserves anew.
  const byKey = new Map<string, { reservationId: string; expiresAt: number }>();
  const pruneKeys = (now: number) => {
    for (const [key, entry] of byKey) {
      if (entry.expiresAt > now) break;
      byKey.delete(key);
    }
  };

  const app = express();
  app.disable('x-powered-by');
  app.use(telemetry.middleware());
  app.use(express.json({ limit: '16kb' }));
  app.get('/metrics', telemetry.metricsHandler());
  app.get('/livez', telemetry.health.liveness());
  app.get('/readyz', telemetry.health.readiness());

  app.get('/items/:sku', (req, res) => {
    const available = stock.get(req.params.sku);
    if (available === undefined) return void res.status(404).json({ error: 'unknown sku' });
    res.json({ sku: req.params.sku, available });
  });

  app.post('/reservations', (req, res) => {
    const key = req.get('idempotency-key');
    const now = Date.now();
    pruneKeys(now);
    const previous = key !== undefined ? byKey.get(key) : undefined;
    const existing = previous && reservations.get(previous.reservationId);
    if (existing) return void res.status(201).json(existing);
    const { sku, quantity } = (req.body ?? {}) as { sku?: unknown; quantity?: unknown };
    if (typeof sku !== 'string' || !Number.isInteger(quantity) || (quantity as number) < 1) {
      return void res.status(400).json({ error: 'sku (string) and quantity (integer ≥ 1) needed' });
    }
    const available = stock.get(sku);
    if (available === undefined) return void res.status(404).json({ error: 'unknown sku' });
    if (available < (quantity as number)) {
      return void res.status(409).json({ error: 'insufficient stock', sku, available });
    }
    stock.set(sku, available - (quantity as number));
    const reservation: Reservation = {
      reservationId: randomUUID(),
      sku,
      quantity: quantity as number,
    };
    reservations.set(reservation.reservationId, reservation);
    if (key !== undefined) {
      byKey.delete(key); // re-inserted at the end, so the map stays in expiry order
      byKey.set(key, {
        reservationId: reservation.reservationId,
        expiresAt: now + IDEMPOTENCY_KEY_TTL_MS,
      });
    }
    res.status(201).json(reservation);
  });

  app.delete('/reservations/:id', (req, res) => {
    const reservation = reservations.get(req.params.id);
    if (reservation !== undefined) {
      reservations.delete(req.params.id);
      stock.set(reservation.sku, (stock.get(reservation.sku) ?? 0) + reservation.quantity);
    }
    res.status(204).end();
  });
  app.use(telemetry.errorHandler());

  const server = telemetry.attach(app.listen(options.port ?? 0, options.host ?? '127.0.0.1'));
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: async () => {
      await telemetry.shutdown();
    },
  };
}

async function main(): Promise<void> {
  const rawPort = process.env.PORT?.trim() || '0';
  if (!/^\d+$/.test(rawPort) || Number(rawPort) > 65_535) {
    process.stderr.write(
      `invalid configuration:\n  - PORT: "${rawPort}" is not a port number. Set it to an integer from 0 to 65535 (0 picks a free port).\n`,
    );
    process.exit(2);
  }
  const service = await startInventory({
    port: Number(rawPort),
    host: process.env.HOST?.trim() || '127.0.0.1',
  });
  const stop = (): void => {
    service.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  // Started by the fleet launcher: its IPC channel closes when the launcher dies (even SIGKILLed).
  if (process.connected) process.once('disconnect', stop);
  process.stdout.write(`listening ${new URL(service.url).port}\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`inventory failed to start: ${String(error)}\n`);
    process.exit(1);
  });
}
