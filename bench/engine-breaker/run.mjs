#!/usr/bin/env node
// What a circuit breaker and the outlier detector cost per recorded outcome: srekit's
// CircuitBreaker in each mode and OutlierDetector, with cockatiel 3's breakers (same modes) as
// peers; and the cost of a whole guarded async call: srekit `execute()`, cockatiel's policy
// `execute()` and opossum 9's `fire()`. Also: GCs and young-generation bytes over 10 M records
// (the no-allocation check) and heap bytes per breaker / per backend.
//
// Every variant runs in a fresh process (bench/engine-breaker/subject.mjs, pinned to CPU 1 when
// taskset exists); the table shows the median of the repeats.
//
//   node bench/engine-breaker/run.mjs            # writes bench/results/engine-breaker.json + BENCHMARKS.md
//   node bench/engine-breaker/run.mjs --quick    # fewer records, prints only (seconds)
//
// Needs the built engine: npx tsc -b packages/engine
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  commandLine,
  fmt,
  machine,
  markdownTable,
  median,
  parseArgs,
  printVerdicts,
  replaceSection,
  repoRoot,
  shouldWriteReport,
  verdictMarkdown,
  writeJson,
} from '../lib/report.mjs';
import { canPin, runSubject } from '../lib/subject.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const TARGET = { nsPerRecord: 100, bytesPerBackend: 2048 };

/** Sync record paths: [variant, what it is, cockatiel peer]. */
const RECORD = [
  ['srekit-consecutive', '`consecutive` mode', 'cockatiel-consecutive'],
  ['srekit-count', '`count` mode (last 20 calls)', 'cockatiel-count'],
  ['srekit-sampling', '`sampling` mode, breaker reads its clock', 'cockatiel-sampling'],
  ['srekit-sampling-at', '`sampling` mode, caller passes the time', undefined],
  ['srekit-outlier', '`OutlierDetector.record`, 100 backends, reads its clock', undefined],
  [
    'srekit-outlier-at',
    '`OutlierDetector.record`, 100 backends, caller passes the time',
    undefined,
  ],
];
const PEERS = ['cockatiel-consecutive', 'cockatiel-count', 'cockatiel-sampling'];
const CALL = [
  ['srekit-execute', 'srekit `breaker.execute(fn)` (sampling)'],
  ['cockatiel-execute', 'cockatiel 3 `circuitBreaker(...).execute(fn)` (SamplingBreaker)'],
  ['opossum-fire', 'opossum 9 `breaker.fire()` (`timeout: false`)'],
];

// `--profile`: no measurement; profile the subject of this benchmark's missed targets instead.
if (process.argv.includes('--profile')) {
  const r = spawnSync(
    process.execPath,
    [
      new URL('../profile.mjs', import.meta.url).pathname,
      '--only',
      'engine-breaker',
      ...process.argv.filter((a) => a === '--no-write'),
    ],
    { stdio: 'inherit' },
  );
  process.exit(r.status ?? 1);
}
const opts = parseArgs(process.argv.slice(2), {
  quick: false,
  records: 10_000_000,
  calls: 1_000_000,
  repeats: 5,
  write: false,
  noWrite: false,
});
if (opts.quick) {
  if (!process.argv.some((a) => a.startsWith('--records'))) opts.records = 300_000;
  if (!process.argv.some((a) => a.startsWith('--calls'))) opts.calls = 30_000;
  if (!process.argv.some((a) => a.startsWith('--repeats'))) opts.repeats = 3;
}
const writeReport = shouldWriteReport(opts);

for (const dist of [
  'packages/engine/dist/breaker/circuit-breaker.js',
  'packages/engine/dist/outlier/outlier-detector.js',
]) {
  if (!existsSync(join(repoRoot, dist))) {
    console.error(`${dist} is missing. Build first:\n\n  npx tsc -b packages/engine\n`);
    process.exit(1);
  }
}
const pinned = canPin;

function measure(variant, count) {
  return runSubject(join(here, 'subject.mjs'), [variant, String(count), String(opts.repeats)], {
    label: variant,
    timeoutMs: 10 * 60_000,
  }).at(-1);
}

const results = {};
for (const [variant] of [...RECORD, ...PEERS.map((p) => [p])]) {
  process.stdout.write(`${variant}… `);
  results[variant] = measure(variant, opts.records);
  console.log(`${fmt(median(results[variant].nsPerRecord), 1)} ns/record`);
}
for (const [variant] of CALL) {
  process.stdout.write(`${variant}… `);
  results[variant] = measure(variant, opts.calls);
  console.log(`${fmt(median(results[variant].nsPerCall), 0)} ns/call`);
}

const ns = (v) => median(results[v]?.nsPerRecord ?? []);
const alloc = (v) => results[v]?.allocation;
const recordRows = RECORD.map(([v, label, peer]) => {
  const a = alloc(v);
  return [
    label,
    fmt(ns(v), 1),
    a ? fmt(a.gcs) : 'n/a',
    // Only meaningful without a GC in between (a scavenge empties the young generation).
    a ? (a.gcs === 0 ? fmt(a.newSpaceBytes / a.records, 2) : '—') : 'n/a',
    fmt(results[v].bytesPerInstance),
    peer ? `${fmt(ns(peer), 1)} ns, ${fmt(results[peer].bytesPerInstance)} B` : '—',
  ];
});
const callRows = CALL.map(([v, label]) => [
  label,
  fmt(median(results[v].nsPerCall), 0),
  results[v].bytesPerInstance === undefined || results[v].bytesPerInstance === null
    ? 'see above'
    : fmt(results[v].bytesPerInstance),
]);

const srekitModes = ['srekit-consecutive', 'srekit-count', 'srekit-sampling', 'srekit-sampling-at'];
const verdict = [
  ...[...srekitModes, 'srekit-outlier', 'srekit-outlier-at'].map((v) => ({
    ok: ns(v) <= TARGET.nsPerRecord,
    label: `${v}: ${fmt(ns(v), 1)} ns per record (target ≤ ${TARGET.nsPerRecord} ns)`,
  })),
  ...['srekit-consecutive', 'srekit-count', 'srekit-outlier-at'].map((v) => ({
    ok: alloc(v).gcs === 0,
    label: `${v}: ${alloc(v).gcs} GCs over ${fmt(alloc(v).records)} records (target: none)`,
  })),
  ...[...srekitModes, 'srekit-outlier'].map((v) => ({
    ok: results[v].bytesPerInstance <= TARGET.bytesPerBackend,
    label: `${v}: ${fmt(results[v].bytesPerInstance)} B per ${v === 'srekit-outlier' ? 'backend' : 'breaker'} (target ≤ ${TARGET.bytesPerBackend} B)`,
  })),
];
printVerdicts(verdict);

if (writeReport) {
  const m = machine();
  writeJson('engine-breaker.json', {
    command: commandLine(import.meta.url),
    elapsedS: Math.round(process.uptime()),
    machine: m,
    options: opts,
    pinned,
    results,
    verdict,
  });
  replaceSection(
    'engine-breaker',
    [
      '## Engine: circuit breaker and outlier detection',
      '',
      `\`${commandLine(import.meta.url)}\` — Node ${m.node}, ${m.cpu}, ${pinned ? 'pinned to CPU 1' : 'not pinned'}, ${m.date.slice(0, 10)}. Each variant in a fresh process; median of ${opts.repeats} repeats of ${fmt(opts.records)} records (${fmt(opts.calls)} calls for the async table). Outcomes: one failure in eight, never enough to open a breaker or eject a backend (the steady state).`,
      '',
      '### Recording one outcome',
      '',
      markdownTable(
        [
          'srekit',
          'ns / record',
          'GCs over 10 M',
          'young-gen B / record',
          'B per breaker / backend',
          'cockatiel 3 same mode',
        ],
        recordRows,
      ),
      '',
      "A srekit record is `tryAcquire()` plus `success()`/`failure()` on the permit; a cockatiel record is its breaker's `success(state)`/`failure(state)`, the part of cockatiel that counts. Reading a clock costs 60–90 ns in Node 20 and its fractional result is a boxed 16-byte number, so the `sampling` mode and the outlier detector accept the time from a caller that already read it (a proxy measures latency anyway). With a fractional caller time, a failure call that V8 does not inline still boxes its time argument (one 16-byte number per failure; two scavenges over 10 M records at one failure in eight); integer times (small integers) are never boxed. Allocation is checked by counting GC events over 10 M records and by the young generation's growth when none ran.",
      '',
      '### A whole guarded async call (resolved immediately)',
      '',
      markdownTable(['variant', 'ns / call', 'B per breaker'], callRows),
      '',
      'opossum keeps an interval timer per breaker for its rolling window (one per backend in a pool); srekit and cockatiel use none.',
      '',
      ...verdictMarkdown(verdict),
    ].join('\n'),
  );
  console.log('wrote bench/results/engine-breaker.json and BENCHMARKS.md');
}
