#!/usr/bin/env node
import { join } from 'node:path';
// One measurement of one variant in a fresh process (so one variant's JIT feedback never slows
// another's call sites). Prints one JSON line. Run by bench/engine-breaker/run.mjs with
// --expose-gc; see there.
//
//   node --expose-gc bench/engine-breaker/subject.mjs <variant> <records> <repeats>
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import v8 from 'node:v8';
import { repoRoot } from '../lib/report.mjs';

const [variant, recordsArg, repeatsArg] = process.argv.slice(2);
const RECORDS = Number(recordsArg);
const REPEATS = Number(repeatsArg);
const BACKENDS = 100;
const dist = (p) => import(pathToFileURL(join(repoRoot, 'packages/engine/dist', p)).href);

// Outcome pattern: one failure in 8, never two in a row, so no breaker opens and no backend is
// ejected: the steady state a breaker spends its life in.
const failAt = (i) => (i & 7) === 7;

/** Sync record paths: returns a function running `n` records. */
async function recorder(name) {
  if (name === 'srekit-outlier' || name === 'srekit-outlier-at') {
    const { OutlierDetector } = await dist('outlier/outlier-detector.js');
    const detector = new OutlierDetector({ failurePercentageEnabled: true });
    const ids = Array.from({ length: BACKENDS }, (_, i) => `backend-${i}`);
    for (const id of ids) detector.addBackend(id);
    let ejected = 0;
    detector.onEject(() => ejected++);
    // Each backend sees every 8th of its requests fail (i / BACKENDS steps through the pattern).
    const status = (i) => (failAt((i / BACKENDS) | 0) ? 503 : 200);
    // Time in a typed array: a number kept in a closure variable would be boxed on every write
    // and the bench, not the detector, would allocate.
    const t = new Float64Array(1);
    const run =
      name === 'srekit-outlier'
        ? (n) => {
            for (let i = 0; i < n; i++) detector.record(ids[i % BACKENDS], status(i));
          }
        : // Caller-supplied time, 10 µs per request: 10 M records span 100 s, ten evaluations.
          (n) => {
            for (let i = 0; i < n; i++) {
              t[0] += 0.01;
              detector.record(ids[i % BACKENDS], status(i), t[0]);
            }
          };
    // Every backend fails one request in eight, but an interval that ends inside a block of
    // failures leaves some with one failure more: success-rate ejection (Envoy's rule has no
    // minimum gap) may eject those. Reported, not an error; the record path is the same.
    globalThis.ejections = () => ejected;
    return run;
  }
  if (name.startsWith('srekit-')) {
    const { CircuitBreaker } = await dist('breaker/circuit-breaker.js');
    const mode = name.replace(/^srekit-/, '').replace(/-at$/, '');
    const breaker = new CircuitBreaker({ mode });
    const check = () => {
      if (breaker.state !== 'closed') throw new Error(`${name} opened`);
    };
    if (name.endsWith('-at')) {
      // Caller-supplied time, 1 µs per call: 10 M records rotate the 10 s window once.
      const t = new Float64Array(1); // see srekit-outlier-at
      return (n) => {
        for (let i = 0; i < n; i++) {
          const permit = breaker.tryAcquire();
          t[0] += 0.001;
          const at = t[0];
          if (failAt(i)) permit.failure(at);
          else permit.success(at);
        }
        check();
      };
    }
    return (n) => {
      for (let i = 0; i < n; i++) {
        const permit = breaker.tryAcquire();
        if (failAt(i)) permit.failure();
        else permit.success();
      }
      check();
    };
  }
  if (name.startsWith('cockatiel-')) {
    const c = await import('cockatiel');
    const breaker = cockatielBreaker(c, name);
    const closed = c.CircuitState.Closed;
    return (n) => {
      for (let i = 0; i < n; i++) {
        if (failAt(i)) {
          if (breaker.failure(closed)) throw new Error(`${name} opened`);
        } else breaker.success(closed);
      }
    };
  }
  throw new Error(`unknown variant ${name}`);
}

function cockatielBreaker(c, name) {
  if (name === 'cockatiel-consecutive') return new c.ConsecutiveBreaker(5);
  if (name === 'cockatiel-count') return new c.CountBreaker({ threshold: 0.5, size: 20 });
  return new c.SamplingBreaker({ threshold: 0.5, duration: 10_000 });
}

/** Async call paths: `n` awaited calls through the breaker. */
async function caller(name) {
  const ok = async () => 1;
  if (name === 'srekit-execute') {
    const { CircuitBreaker } = await dist('breaker/circuit-breaker.js');
    const breaker = new CircuitBreaker({ mode: 'sampling' });
    return async (n) => {
      for (let i = 0; i < n; i++) await breaker.execute(ok);
    };
  }
  if (name === 'cockatiel-execute') {
    const c = await import('cockatiel');
    const policy = c.circuitBreaker(c.handleAll, {
      halfOpenAfter: 30_000,
      breaker: new c.SamplingBreaker({ threshold: 0.5, duration: 10_000 }),
    });
    return async (n) => {
      for (let i = 0; i < n; i++) await policy.execute(ok);
    };
  }
  if (name === 'opossum-fire') {
    const { default: CircuitBreaker } = await import('opossum');
    // timeout: false, or opossum starts a timer per call; the rolling window keeps its interval.
    const breaker = new CircuitBreaker(ok, { timeout: false, resetTimeout: 30_000 });
    return async (n) => {
      for (let i = 0; i < n; i++) await breaker.fire();
    };
  }
  throw new Error(`unknown variant ${name}`);
}

/** Heap bytes retained per instance, from `count` live instances. */
async function bytesPer(name, count) {
  let make;
  let cleanup = () => {};
  if (name.startsWith('srekit-outlier')) {
    const { OutlierDetector } = await dist('outlier/outlier-detector.js');
    const detector = new OutlierDetector();
    let i = 0;
    // Backend ids are made before measuring: a pool holds them anyway.
    const ids = Array.from({ length: count }, (_, k) => `backend-${k}`);
    make = () => detector.addBackend(ids[i++]);
    globalThis.keep = [detector, ids];
  } else if (name === 'srekit-execute') {
    return undefined;
  } else if (name.startsWith('srekit-')) {
    const { CircuitBreaker } = await dist('breaker/circuit-breaker.js');
    const mode = name.replace(/^srekit-/, '').replace(/-at$/, '');
    make = () => new CircuitBreaker({ mode });
  } else if (name.startsWith('cockatiel-') && name !== 'cockatiel-execute') {
    const c = await import('cockatiel');
    make = () =>
      c.circuitBreaker(c.handleAll, { halfOpenAfter: 30_000, breaker: cockatielBreaker(c, name) });
  } else if (name === 'opossum-fire') {
    const { default: CircuitBreaker } = await import('opossum');
    const ok = async () => 1;
    const made = [];
    make = () => {
      const b = new CircuitBreaker(ok, { timeout: false });
      made.push(b);
      return b;
    };
    cleanup = () => {
      for (const b of made) b.shutdown();
    };
  } else return undefined;
  const keep = new Array(count);
  globalThis.gc();
  globalThis.gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < count; i++) keep[i] = make();
  globalThis.gc();
  globalThis.gc();
  const after = process.memoryUsage().heapUsed;
  globalThis.keepAlive = keep;
  cleanup();
  return (after - before) / count;
}

const spaces = () =>
  Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, s.space_used_size]));

/**
 * GCs during `fn`, and growth of the young generation across it: with no GC in between, that is
 * every byte the loop allocated (compiled code and feedback live in other spaces).
 */
function allocation(fn, n) {
  globalThis.gc();
  globalThis.gc();
  const gcs = [];
  const observer = new PerformanceObserver((list) => gcs.push(...list.getEntries()));
  observer.observe({ entryTypes: ['gc'] });
  const before = spaces();
  fn(n);
  const after = spaces();
  return new Promise((resolve) => {
    // GC entries arrive asynchronously, after a setImmediate would run.
    setTimeout(() => {
      observer.disconnect();
      const delta = Object.fromEntries(
        Object.keys(after)
          .map((k) => [k, after[k] - (before[k] ?? 0)])
          .filter(([, d]) => d !== 0),
      );
      resolve({ records: n, gcs: gcs.length, newSpaceBytes: delta.new_space ?? 0, delta });
    }, 200);
  });
}

const out = { variant };
const async = variant.endsWith('-execute') || variant === 'opossum-fire';
if (async) {
  const run = await caller(variant);
  await run(Math.min(RECORDS, 100_000)); // warm-up
  const ns = [];
  for (let r = 0; r < REPEATS; r++) {
    const t0 = performance.now();
    await run(RECORDS);
    ns.push(((performance.now() - t0) * 1e6) / RECORDS);
  }
  out.nsPerCall = ns;
} else {
  const run = await recorder(variant);
  run(Math.min(RECORDS, 1_000_000)); // warm-up
  const ns = [];
  for (let r = 0; r < REPEATS; r++) {
    const t0 = performance.now();
    run(RECORDS);
    ns.push(((performance.now() - t0) * 1e6) / RECORDS);
  }
  out.nsPerRecord = ns;
  if (globalThis.ejections) out.ejections = globalThis.ejections();
  if (variant.startsWith('srekit-')) out.allocation = await allocation(run, 10_000_000);
}
out.bytesPerInstance = await bytesPer(variant, 10_000);
console.log(JSON.stringify(out));
process.exit(0);
