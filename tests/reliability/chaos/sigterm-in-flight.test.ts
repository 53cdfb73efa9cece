/**
 * SIGTERM of a fleet instance while long requests are in flight on it: orders whose body the
 * client uploads slowly (over about 1.5 s, through the proxy, which streams a POST body) are
 * being received when the instance is told to stop; graceful shutdown lets them complete. The
 * orders are POSTs, which the proxy never retries, so a request cut by the shutdown would reach
 * the client as a 502 or a closed connection: only 201s means every one of them finished on the
 * instance that was stopping. Catalog GETs keep flowing meanwhile. (The rolling restart without in-flight long requests is in
 * examples/reference-service/test/fleet-start.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fleet } from '../../../examples/reference-service/src/fleet/fleet.js';
import { call, login } from '../../../examples/reference-service/test/support/api.js';
import { startTestFleet } from '../../../examples/reference-service/test/support/fleet.js';
import { scaled } from '../support/mode.js';
import { rawExchange } from '../support/raw-http.js';

// Their bodies all end at once, so each run is a burst of reservations at the inventory: with 48
// (and one inventory) most orders got 503 "inventory unavailable" in one run, a capacity limit of
// the demo inventory client that this test does not measure.
const LONG_REQUESTS = scaled(12, 24);
/** The order body is sent in this many pieces, this far apart. */
const PIECES = 6;
const PIECE_DELAY_MS = 300;
const UPLOAD_MS = (PIECES - 1) * PIECE_DELAY_MS;

let fleet: Fleet | undefined;

beforeAll(async () => {
  fleet = await startTestFleet({
    size: 3,
    inventorySize: 2,
  });
}, 30_000);

afterAll(async () => {
  await fleet?.close();
}, 30_000);

describe('SIGTERM of an instance with long requests in flight', () => {
  it('lets every in-flight order complete (no 502), exits 0, and the proxy keeps serving', async () => {
    const f = fleet as Fleet;
    const operator = await login(f.url, 'operator');
    const port = Number(new URL(f.url).port);
    const body = JSON.stringify({ items: [{ sku: 'SKU-1001', quantity: 1 }] });
    const step = Math.ceil(body.length / PIECES);
    const pieces = Array.from({ length: PIECES }, (_, i) => body.slice(i * step, (i + 1) * step));
    const head =
      `POST /api/orders HTTP/1.1\r\nHost: ${new URL(f.url).host}\r\n` +
      `Authorization: Bearer ${operator.accessToken}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n`;
    const started = performance.now();
    const orders = Array.from({ length: LONG_REQUESTS }, (_, i) =>
      rawExchange(port, [head + (pieces[0] ?? ''), ...pieces.slice(1)], {
        chunkDelayMs: PIECE_DELAY_MS,
        timeoutMs: 15_000,
        idleMs: 5_000,
      }).then((r) => ({
        i,
        status: r.statuses[0] ?? 0,
        ms: Math.round(performance.now() - started),
      })),
    );
    // Catalog GETs during the shutdown (about 20/s): the pool must route around the instance.
    let loading = true;
    const catalog: number[] = [];
    const catalogLoad = (async () => {
      while (loading) {
        const r = await call(f.url, 'GET', '/api/catalog').catch(() => ({ status: 0 }));
        catalog.push(r.status);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();

    // Let the orders reach the instances (their bodies still arriving), then stop the busiest.
    await new Promise((resolve) => setTimeout(resolve, 400));
    const busiest = [...f.pool.stats().backends].sort(
      (a, b) => b.activeRequests - a.activeRequests,
    )[0];
    const inFlightOnVictim = busiest?.activeRequests ?? 0;
    expect(inFlightOnVictim).toBeGreaterThanOrEqual(1);
    const victim = f.instances.find((c) => c.id === busiest?.id);
    if (victim === undefined) throw new Error('no victim');
    const stopStarted = performance.now();
    await victim.stop({ timeoutMs: 15_000 });
    const stopMs = performance.now() - stopStarted;
    const exitCode = await victim.exit;

    const results = await Promise.all(orders);
    await new Promise((resolve) => setTimeout(resolve, 500));
    loading = false;
    await catalogLoad;

    console.info(
      `[chaos sigterm] ${LONG_REQUESTS} orders uploading for ${UPLOAD_MS} ms in flight, ${inFlightOnVictim} on ${victim.id} at SIGTERM: ` +
        `statuses ${JSON.stringify(results.map((r) => r.status))}, the instance drained in ${Math.round(stopMs)} ms and exited ${exitCode}; ${catalog.length} catalog GETs meanwhile, all 200`,
    );
    expect(exitCode).toBe(0);
    expect(
      results.filter((r) => r.status !== 201),
      JSON.stringify(results),
    ).toEqual([]);
    // The stop waited for the in-flight orders (their latency), not longer than the drain needs.
    expect(stopMs).toBeGreaterThan(UPLOAD_MS / 2);
    expect(catalog.filter((s) => s !== 200)).toEqual([]);
    expect(catalog.length).toBeGreaterThan(10);
  });
});
