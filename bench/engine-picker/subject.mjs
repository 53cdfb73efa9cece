// Measurements of bench/engine-picker in a fresh process: ns per pick() of one strategy variant
// at each backend count. Prints one JSON line per repeat.
// Usage: node --expose-gc subject.mjs <variant> <quick 0|1> [repeats]
import { PerformanceObserver } from 'node:perf_hooks';

// The strategies' own modules of the built package, and the pool's for the pool variants.
const dist = new URL('../../packages/engine/dist/strategies/', import.meta.url);
const { createStrategy, hashString } = await import(new URL('index.js', dist).href);
const { Pool } = await import(new URL('../pool/pool.js', dist).href);
const { Registry } = await import('prom-client');
const { BalancedPool } = await import('undici');

const [variant, quickArg, repeatsArg = '1'] = process.argv.slice(2);
const quick = quickArg === '1';
const repeats = Number(repeatsArg);
const SIZES = [10, 100, 1_000, 10_000];
const PICKS = quick ? 50_000 : 300_000;
const BATCHES = quick ? 3 : 5;

// Mulberry32, so every run sees the same backends, loads and keys.
function seeded(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const VARIANTS = {
  'round-robin': { strategy: 'round-robin', weighted: false },
  'weighted-round-robin': { strategy: 'weighted-round-robin', weighted: true },
  random: { strategy: 'random', weighted: false },
  'random-weighted': { strategy: 'random', weighted: true },
  'least-request': { strategy: 'least-request', weighted: false },
  'least-request-weighted': { strategy: 'least-request', weighted: true },
  'p2c-ewma': { strategy: 'p2c-ewma', weighted: false },
  'ring-hash': { strategy: 'ring-hash', weighted: false, keyed: true },
  maglev: { strategy: 'maglev', weighted: false, keyed: true },
  // Calibration, measured in the same loop: what one Math.random() and hashing one key cost on
  // this machine, the floors under P2C and the consistent-hashing picks.
  'floor-random': { strategy: 'floor-random', weighted: false },
  'floor-hash': { strategy: 'floor-hash', weighted: false, keyed: true },
  // A whole request's bookkeeping in a Pool: acquire() (pick + breaker permit + active count)
  // and lease.end(200) (EWMA sample, breaker, outlier detector, statistics), without and with
  // the Prometheus metrics.
  // About 2 µs per request at 10 000 backends: fewer per batch there (batches stay ≥ 100 ms).
  'pool-p2c-ewma': { strategy: 'p2c-ewma', weighted: false, pool: true, picksFor: (n) => 1e9 / n },
  'pool-p2c-ewma-metrics': {
    strategy: 'p2c-ewma',
    weighted: false,
    pool: true,
    metrics: true,
    picksFor: (n) => 1e9 / n,
  },
  // Peer: undici's BalancedPool host selection (its internal `kGetDispatcher`, what each
  // dispatch calls; no request is sent). It scans every upstream on each call, so it gets fewer
  // picks per batch at large sizes to keep a batch near 50 ms; not at 10 000 upstreams, where
  // building the BalancedPool alone takes about 20 s (each addUpstream scans the others).
  'undici-balanced-pool': {
    strategy: 'undici',
    weighted: false,
    picksFor: (n) => 5_000_000 / n,
    maxSize: 1_000,
  },
};
const spec = VARIANTS[variant];
if (!spec) throw new Error(`unknown variant ${variant}`);

// 4 096 session keys of typical length, cycled through (key hashing is part of the pick).
// JSON-parsed, so they are flat strings as header values are (concatenated ones are ropes).
const KEYS = JSON.parse(
  JSON.stringify(Array.from({ length: 4096 }, (_, i) => `session-${(i * 2_654_435_761) >>> 0}`)),
);

let gcs = 0;
new PerformanceObserver((list) => {
  gcs += list.getEntries().length;
}).observe({ entryTypes: ['gc'] });

function setup(n) {
  const rnd = seeded(n);
  const backends = Array.from({ length: n }, (_, slot) => {
    const weight = spec.weighted ? 1 + (slot % 4) : 1;
    return {
      id: `backend-${slot}`,
      url: `http://10.0.${slot >> 8}.${slot & 255}:8080`,
      slot,
      weight,
      effectiveWeight: weight,
      activeRequests: Math.floor(rnd() * 8),
    };
  });
  if (spec.strategy === 'floor-random') {
    return { pick: () => backends[(Math.random() * 0.5) | 0] };
  }
  if (spec.strategy === 'floor-hash') {
    const one = backends[0];
    return { pick: (key) => (hashString(key) === 0.5 ? undefined : one) };
  }
  if (spec.strategy === 'undici') {
    const bp = new BalancedPool(
      backends.map((b) => `http://127.0.0.${1 + (b.slot % 250)}:${1024 + b.slot}`),
    );
    const kGetDispatcher = Object.getOwnPropertySymbols(BalancedPool.prototype).find(
      (sym) => sym.description === 'get dispatcher',
    );
    if (!kGetDispatcher) throw new Error('undici BalancedPool: no get-dispatcher symbol found');
    if (!bp[kGetDispatcher]()) throw new Error('undici BalancedPool picked nothing');
    // A dispatcher (an undici Pool) has no slot: the sink adds undefined, which is fine.
    return { pick: () => bp[kGetDispatcher]() };
  }
  if (spec.pool) {
    const pool = new Pool(
      backends.map(({ id, url }) => ({ id, url })),
      { strategy: spec.strategy, ...(spec.metrics ? { registry: new Registry() } : {}) },
    );
    return {
      pick: () => {
        const lease = pool.acquire();
        lease.end(200);
        return lease.backend;
      },
    };
  }
  const strategy = createStrategy(spec.strategy, { random: Math.random });
  strategy.update(backends);
  if (spec.strategy === 'p2c-ewma') {
    const now = performance.now();
    for (const b of backends) strategy.onRequestEnd(b, 1 + rnd() * 20, true, now);
  }
  return strategy;
}

function run(strategy, picks) {
  let sink = 0;
  if (spec.keyed) {
    for (let i = 0; i < picks; i++) sink += strategy.pick(KEYS[i & 4095]).slot;
  } else {
    for (let i = 0; i < picks; i++) sink += strategy.pick().slot;
  }
  return sink;
}

for (let r = 0; r < repeats; r++) {
  const out = { variant, nsPerPick: {}, gcsPerMillion: {} };
  for (const n of SIZES) {
    if (spec.maxSize && n > spec.maxSize) {
      out.nsPerPick[n] = null;
      out.gcsPerMillion[n] = null;
      continue;
    }
    const strategy = setup(n);
    const picks = Math.min(PICKS, Math.round(spec.picksFor?.(n) ?? PICKS));
    run(strategy, picks / 3); // warm-up: optimised code before timing
    globalThis.gc?.();
    await new Promise((resolve) => setImmediate(resolve));
    const before = gcs;
    const times = [];
    let sink = 0;
    for (let b = 0; b < BATCHES; b++) {
      const t0 = process.hrtime.bigint();
      sink += run(strategy, picks);
      times.push(Number(process.hrtime.bigint() - t0) / picks);
    }
    // GC entries are delivered asynchronously.
    await new Promise((resolve) => setImmediate(resolve));
    times.sort((a, b) => a - b);
    out.nsPerPick[n] = times[BATCHES >> 1];
    out.gcsPerMillion[n] = ((gcs - before) * 1e6) / (picks * BATCHES);
    if (sink === -1) console.error('unreachable');
  }
  console.log(JSON.stringify(out));
}
