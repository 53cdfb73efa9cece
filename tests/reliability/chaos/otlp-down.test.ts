/**
 * The OTLP endpoint down: three instances of the reference service, one without an endpoint, one
 * with `OTEL_EXPORTER_OTLP_ENDPOINT` on a closed port, one on a port that accepts and never
 * answers. Interleaved rounds of the same requests: latency (p50, p99) does not rise and the heap
 * does not grow beyond a bound; the batch span processor drops what its queue cannot hold.
 *
 * "Prometheus down" needs no test: the services never push metrics, Prometheus scrapes them, so
 * an absent Prometheus means nobody calls `/metrics` (nothing is buffered, nothing slows down).
 */
import { once } from 'node:events';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type FleetChild,
  startChild,
} from '../../../examples/reference-service/src/fleet/child-process.js';
import { FLEET_DEFAULTS } from '../../../examples/reference-service/src/fleet/fleet.js';
import { scaled } from '../support/mode.js';

const REQUESTS = scaled(3_000, 8_000);
const ROUNDS = 10;
const CONCURRENCY = 4;
/**
 * Extra heap an instance with a dead endpoint may hold over the one without (bytes). The heap is
 * read without a forced GC: every instance's old generation grows by about 14 kB per request
 * until its next major GC, so with the bigger full-mode count the instances GC at different
 * moments and the bound must be wider.
 */
const HEAP_BOUND = scaled(6, 64) * 1024 * 1024;

const children: FleetChild[] = [];
let blackhole: Server | undefined;
const blackholeSockets = new Set<Socket>();
let accepted = 0;

async function freeClosedPort(): Promise<number> {
  const s = createServer();
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

let instances: { name: string; child: FleetChild }[] = [];

beforeAll(async () => {
  blackhole = createServer((socket) => {
    accepted++;
    blackholeSockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => blackholeSockets.delete(socket));
  });
  blackhole.listen(0, '127.0.0.1');
  await once(blackhole, 'listening');
  const blackholePort = (blackhole.address() as AddressInfo).port;
  const closedPort = await freeClosedPort();

  const inventory = await startChild({
    id: 'inventory',
    script: FLEET_DEFAULTS.inventoryScript,
    host: '127.0.0.1',
    env: { PORT: '0', HOST: '127.0.0.1' },
  });
  children.push(inventory);
  const common = {
    PORT: '0',
    HOST: '127.0.0.1',
    INVENTORY_URLS: inventory.url,
    LOG_LEVEL: 'warn',
    // A small young generation, so the heap read between requests is mostly live data.
    NODE_OPTIONS: '--max-semi-space-size=1',
    // A small queue, exported often: the drop path is reached within the bounded request count.
    OTEL_BSP_MAX_QUEUE_SIZE: '256',
    OTEL_BSP_SCHEDULE_DELAY: '200',
    OTEL_EXPORTER_OTLP_ENDPOINT: undefined,
    OTEL_TRACES_EXPORTER: undefined,
  };
  const variants: [string, Record<string, string | undefined>][] = [
    ['no endpoint', {}],
    ['closed port', { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${closedPort}` }],
    ['never answers', { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${blackholePort}` }],
  ];
  instances = await Promise.all(
    variants.map(async ([name, env], i) => {
      const child = await startChild({
        id: `orders-${i + 1}`,
        script: FLEET_DEFAULTS.instanceScript,
        host: '127.0.0.1',
        env: { ...common, ...env, INSTANCE_ID: `orders-${i + 1}` },
      });
      children.push(child);
      return { name, child };
    }),
  );
}, 30_000);

afterAll(async () => {
  await Promise.all(children.map((c) => c.stop({ timeoutMs: 5_000 })));
  for (const s of blackholeSockets) s.destroy();
  await new Promise<void>((r) => (blackhole ? blackhole.close(() => r()) : r()));
}, 30_000);

/** `nodejs_heap_size_used_bytes` of an instance. */
async function heapOf(child: FleetChild): Promise<number> {
  const text = await (await fetch(`${child.url}/metrics`)).text();
  const match = /^nodejs_heap_size_used_bytes(?:\{[^}]*\})? ([\d.e+]+)$/m.exec(text);
  return Number(match?.[1] ?? Number.NaN);
}

/** `srekit_tracing_spans_dropped_total` of an instance by reason (empty when it exports nothing). */
async function droppedSpans(child: FleetChild): Promise<Record<string, number>> {
  const text = await (await fetch(`${child.url}/metrics`)).text();
  const counts: Record<string, number> = {};
  for (const m of text.matchAll(
    /^srekit_tracing_spans_dropped_total\{reason="(\w+)"\} ([\d.e+]+)$/gm,
  )) {
    counts[m[1] as string] = Number(m[2]);
  }
  return counts;
}

/** `count` requests at `concurrency`, latencies in ms. Each is a server span (401, no token). */
async function drive(child: FleetChild, count: number, into: number[], failures: string[]) {
  let left = count;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (left-- > 0) {
        const started = performance.now();
        const res = await fetch(`${child.url}/api/orders`, { signal: AbortSignal.timeout(5_000) });
        await res.arrayBuffer();
        into.push(performance.now() - started);
        if (res.status !== 401) failures.push(`${child.id}: HTTP ${res.status}`);
      }
    }),
  );
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? Number.NaN;

describe('the OTLP endpoint down', () => {
  it('does not slow requests down nor grow the heap beyond a bound (the batch span processor queue caps what is held)', async () => {
    const latencies = instances.map(() => [] as number[]);
    const failures: string[] = [];
    // Warm-up, then the starting heap.
    for (const { child } of instances) await drive(child, 200, [], failures);
    const heapBefore = await Promise.all(instances.map(({ child }) => heapOf(child)));
    const perRound = Math.ceil(REQUESTS / ROUNDS);
    for (let round = 0; round < ROUNDS; round++) {
      for (const [i, { child }] of instances.entries()) {
        await drive(child, perRound, latencies[i] as number[], failures);
      }
    }
    // Let the batch processors try (and fail) a few more exports.
    await new Promise((r) => setTimeout(r, 1_000));
    const heapAfter = await Promise.all(instances.map(({ child }) => heapOf(child)));
    expect(failures.slice(0, 5)).toEqual([]);

    const summary = instances.map(({ name }, i) => {
      const sorted = [...(latencies[i] as number[])].sort((a, b) => a - b);
      return {
        name,
        p50: quantile(sorted, 0.5),
        p99: quantile(sorted, 0.99),
        heapGrowthMb: ((heapAfter[i] as number) - (heapBefore[i] as number)) / 1024 / 1024,
      };
    });
    console.info(
      `[chaos otlp] ${REQUESTS} requests per instance, ${ROUNDS} interleaved rounds at concurrency ${CONCURRENCY}; ` +
        `the never-answering endpoint took ${accepted} connections: ${summary
          .map(
            (s) =>
              `${s.name}: p50 ${s.p50.toFixed(2)} ms, p99 ${s.p99.toFixed(2)} ms, heap ${s.heapGrowthMb >= 0 ? '+' : ''}${s.heapGrowthMb.toFixed(1)} MB`,
          )
          .join('; ')}`,
    );
    // The export was really attempted (and hangs) on the never-answering endpoint.
    expect(accepted).toBeGreaterThan(0);
    const [base, ...down] = summary;
    if (base === undefined) throw new Error('no baseline');
    for (const s of down) {
      expect(s.p50, s.name).toBeLessThan(base.p50 * 1.5 + 1);
      expect(s.p99, s.name).toBeLessThan(base.p99 * 2 + 5);
      const growth =
        (heapAfter[summary.indexOf(s)] as number) - (heapBefore[summary.indexOf(s)] as number);
      const baseGrowth = (heapAfter[0] as number) - (heapBefore[0] as number);
      expect(growth - baseGrowth, s.name).toBeLessThan(HEAP_BOUND);
    }
    // The drops are counted where an operator sees them. Either way down, one export is stuck
    // (the exporter retries a refused connection until its timeout; the silent endpoint never
    // answers), so the bounded queue fills and the rest is dropped as queue_full.
    const dropped = await Promise.all(instances.map(({ child }) => droppedSpans(child)));
    expect(dropped[0]).toEqual({});
    for (const counts of dropped.slice(1)) {
      expect(Object.keys(counts).sort()).toEqual(['export_failed', 'queue_full']);
      expect(counts.queue_full).toBeGreaterThan(0);
    }
    console.info(`[chaos otlp] dropped spans: ${JSON.stringify(dropped)}`);
    // Still serving.
    for (const { child } of instances) expect((await fetch(`${child.url}/livez`)).status).toBe(200);
  });
});
