// Measurements of bench/slo-tracker in a fresh process (run by run.mjs with --expose-gc).
// Prints one JSON line per repeat. Usage: node --expose-gc subject.mjs <mode> <quick 0|1> [repeats]
import { createRequire } from 'node:module';
import { NaiveTracker } from './naive-tracker.mjs';

const require = createRequire(import.meta.url);

// The tracker's own module of the built package (not the package index, which also loads the spec
// parsers and the PromQL grammar: half a second of start-up per measurement for nothing).
const sloDist = new URL('../../packages/slo/dist/', import.meta.url);
const { SloTracker } = await import(new URL('tracker/slo-tracker.js', sloDist).href);
const { DEFAULT_ALERT_TIERS } = await import(new URL('defaults.js', sloDist).href);

const [mode, quickArg, repeatsArg = '1'] = process.argv.slice(2);
const quick = quickArg === '1';
const ID = 'checkout-availability';
const DAY_MS = 86_400_000;
const WINDOWS_S = [300, 1_800, 3_600, 7_200, 21_600, 86_400, 259_200, 2_592_000];
const ALLOWED = 0.001;

function spec(id = ID) {
  return {
    id,
    service: id.split('-')[0],
    name: id.split('-').slice(1).join('-'),
    objective: 99.9,
    objectiveText: '99.9',
    window: { kind: 'rolling', seconds: 2_592_000, text: '30d' },
    budgetingMethod: { kind: 'occurrences' },
    sli: { kind: 'events', errorQuery: 'x', totalQuery: 'y' },
    labels: {},
    alerting: {
      name: 'CheckoutAvailability',
      labels: {},
      annotations: {},
      page: { enabled: true, labels: {}, annotations: {} },
      ticket: { enabled: true, labels: {}, annotations: {} },
      tiers: DEFAULT_ALERT_TIERS,
      minTrafficPerSecond: 0,
    },
    source: { format: 'srekit', location: { file: 'bench', line: 1, column: 1 } },
  };
}

// 0.1 % bad events, from a fixed pattern so every subject sees the same sequence.
const FLAGS = new Uint8Array(1 << 16);
for (let i = 0, x = 12_345; i < FLAGS.length; i++) {
  x = (x * 1_103_515_245 + 12_345) >>> 0;
  FLAGS[i] = x % 1000 === 0 ? 0 : 1;
}
const MASK = FLAGS.length - 1;

/**
 * ns per call of `body(i)` over n calls, after a warm-up of n / 5 calls: elapsed time
 * (`nsPerOp`) and the process's CPU time (`cpuNsPerOp`, which includes V8's compiler and GC
 * threads, so it can exceed the elapsed time).
 */
function nsPerOp(n, body) {
  for (let i = 0; i < n / 5; i++) body(i);
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) body(i);
  const wall = Number(process.hrtime.bigint() - t0);
  const cpu = process.cpuUsage(cpu0);
  return { nsPerOp: wall / n, cpuNsPerOp: ((cpu.user + cpu.system) * 1000) / n };
}

const N = quick ? 500_000 : 10_000_000;
const STEP_MS = 0.1; // 10 000 events per simulated second

const modes = {
  // --- record() and its peers ---
  'record-clock'() {
    const tracker = new SloTracker([spec()]);
    return nsPerOp(N, (i) => tracker.record(ID, FLAGS[i & MASK] === 1));
  },
  'record-at'() {
    let at = Date.now();
    const tracker = new SloTracker([spec()], { now: () => at });
    return nsPerOp(N, (i) => {
      at += STEP_MS;
      tracker.record(ID, FLAGS[i & MASK] === 1, at);
    });
  },
  'date-now'() {
    let sink = 0;
    return {
      ...nsPerOp(N, () => {
        sink += Date.now() & 1;
      }),
      sink,
    };
  },
  'prom-counter'() {
    const { Counter, Registry } = require('prom-client');
    const counter = new Counter({
      name: 'slo_events_total',
      help: 'h',
      labelNames: ['slo_id', 'result'],
      registers: [new Registry()],
    });
    return nsPerOp(N, (i) =>
      counter.inc({ slo_id: ID, result: FLAGS[i & MASK] === 1 ? 'good' : 'bad' }),
    );
  },
  'prom-counter-child'() {
    const { Counter, Registry } = require('prom-client');
    const counter = new Counter({
      name: 'slo_events_total',
      help: 'h',
      labelNames: ['slo_id', 'result'],
      registers: [new Registry()],
    });
    const good = counter.labels({ slo_id: ID, result: 'good' });
    const bad = counter.labels({ slo_id: ID, result: 'bad' });
    return nsPerOp(N, (i) => (FLAGS[i & MASK] === 1 ? good : bad).inc());
  },
  'naive-record'() {
    let at = Date.now();
    const naive = new NaiveTracker(WINDOWS_S, ALLOWED);
    // A smaller n: the arrays grow with every event (that is the point of the peer).
    return nsPerOp(N / 2, (i) => {
      at += STEP_MS;
      naive.record(FLAGS[i & MASK] === 1, at);
    });
  },

  // --- status() ---
  status() {
    let at = Date.now() - DAY_MS;
    // Evaluations during the fill would only slow the set-up; status() evaluates regardless.
    const tracker = new SloTracker([spec()], { now: () => at, evaluationIntervalMs: DAY_MS });
    // A day of traffic at 4 events/s, so every window and bucket has data.
    for (let i = 0; i < 345_600; i++) {
      at += 250;
      tracker.record(ID, FLAGS[i & MASK] === 1, at);
    }
    let sink = 0;
    const n = quick ? 20_000 : 100_000;
    const ns = nsPerOp(n, () => {
      at += 1;
      sink += tracker.status(ID).windows.length;
    });
    return { usPerOp: ns.nsPerOp / 1000, cpuUsPerOp: ns.cpuNsPerOp / 1000, sink };
  },
  'naive-status'() {
    let at = Date.now() - DAY_MS;
    const naive = new NaiveTracker(WINDOWS_S, ALLOWED);
    for (let i = 0; i < 345_600; i++) {
      at += 250;
      naive.record(FLAGS[i & MASK] === 1, at);
    }
    let sink = 0;
    const n = quick ? 20_000 : 100_000;
    const ns = nsPerOp(n, () => {
      at += 1;
      sink += naive.status(at).length;
    });
    return { usPerOp: ns.nsPerOp / 1000, cpuUsPerOp: ns.cpuNsPerOp / 1000, sink };
  },

  // --- memory ---
  memory() {
    const slos = quick ? 100 : 500;
    const used = () => {
      globalThis.gc();
      globalThis.gc();
      const m = process.memoryUsage();
      return m.heapUsed + m.arrayBuffers;
    };
    const specs = Array.from({ length: slos }, (_, i) => spec(`svc${i}-availability`));
    const before = used();
    let at = Date.now() - 30 * DAY_MS;
    const tracker = new SloTracker(specs, { now: () => at });
    // Events across 30 days, one per SLO every 6 hours: the rings are allocated up front, so what
    // matters is that every ring has been written and rotated, not how many events it saw.
    for (let t = 0; t < 30 * 4; t++) {
      at += 6 * 3_600_000;
      for (let s = 0; s < slos; s++) tracker.record(specs[s].id, (t + s) % 997 !== 0, at);
    }
    for (const s of specs) tracker.status(s.id);
    const after = used();
    const perSlo = (after - before) / slos;

    // The naive peer: bytes per stored event.
    const naive = new NaiveTracker(WINDOWS_S, ALLOWED);
    const events = quick ? 500_000 : 2_000_000;
    const beforeNaive = used();
    let t0 = Date.now();
    for (let i = 0; i < events; i++) {
      t0 += 1;
      naive.record(FLAGS[i & MASK] === 1, t0);
    }
    const naiveBytesPerEvent = (used() - beforeNaive) / events;
    return { slos, bytesPerSlo: perSlo, naiveBytesPerEvent, keep: [tracker.sloIds.length, naive] };
  },

  // --- accuracy ---
  accuracy() {
    // Six simulated hours: a diurnal-like rate between 20 and 180 events/s, a background error
    // ratio of 0.05 % and error bursts (2 % to 30 %) lasting 1 to 20 minutes.
    const hours = quick ? 3 : 6;
    const start = Date.UTC(2026, 0, 5, 6);
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) >>> 0;
      return seed / 4_294_967_296;
    };
    const times = [];
    const bad = [];
    let burstUntil = -1;
    let burstRatio = 0;
    for (let s = 0; s < hours * 3600; s++) {
      const rate = 100 + 80 * Math.sin((2 * Math.PI * s) / 7200);
      if (s > burstUntil && random() < 1 / 900) {
        burstUntil = s + 60 + Math.floor(random() * 1140);
        burstRatio = 0.02 + random() * 0.28;
      }
      const ratio = s <= burstUntil ? burstRatio : 0.0005;
      const n = Math.round(rate * (0.5 + random()));
      const offsets = Array.from({ length: n }, () => Math.floor(random() * 1000)).sort(
        (a, b) => a - b,
      );
      for (const o of offsets) {
        times.push(start + s * 1000 + o);
        bad.push(random() < ratio);
      }
    }
    const badPrefix = new Float64Array(times.length + 1);
    for (let i = 0; i < times.length; i++) badPrefix[i + 1] = badPrefix[i] + (bad[i] ? 1 : 0);
    const upper = (count, x) => {
      let lo = 0;
      let hi = count;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (times[mid] <= x) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    };
    let now = start;
    const tracker = new SloTracker([spec()], { now: () => now });
    const relative = [];
    let worstAbsoluteBurn = 0;
    let next = 0;
    // Reads about once a minute, off the bucket edges (an edge-aligned read is exact anyway).
    for (let read = start + 61_234; read <= start + hours * 3_600_000; read += 60_017) {
      while (next < times.length && times[next] <= read) {
        now = times[next];
        tracker.record(ID, !bad[next], now);
        next++;
      }
      now = read;
      for (const w of tracker.status(ID).windows) {
        // Windows reaching back before the first event hold all of it and are trivially exact.
        if (read - w.seconds * 1000 <= start) continue;
        const from = upper(next, read - w.seconds * 1000);
        const total = next - from;
        const badCount = badPrefix[next] - badPrefix[from];
        if (total === 0) continue;
        const exact = badCount / total / ALLOWED;
        worstAbsoluteBurn = Math.max(worstAbsoluteBurn, Math.abs((w.burnRate ?? 0) - exact));
        if (badCount >= 1000) relative.push(Math.abs((w.burnRate ?? 0) - exact) / exact);
      }
    }
    relative.sort((a, b) => a - b);
    return {
      events: times.length,
      compared: relative.length,
      maxRelativeError: relative.at(-1) ?? 0,
      p99RelativeError: relative[Math.floor(relative.length * 0.99)] ?? 0,
      medianRelativeError: relative[Math.floor(relative.length / 2)] ?? 0,
      worstAbsoluteBurn,
    };
  },
};

if (!modes[mode]) {
  console.error(`unknown mode ${mode}; one of ${Object.keys(modes).join(', ')}`);
  process.exit(2);
}
for (let i = 0; i < Number(repeatsArg); i++) {
  const result = modes[mode]();
  delete result.keep;
  delete result.sink;
  console.log(JSON.stringify({ mode, ...result }));
}
