#!/usr/bin/env node
// What the in-process SLO tracker costs: record() and status() time, memory per SLO, and how
// close its burn rates are to an exact sliding window.
//
// Every measurement runs in a fresh process (bench/slo-tracker/subject.mjs, `--expose-gc`, pinned
// to CPU 1 when possible); rounds are interleaved and the table shows medians over rounds. Peers
// measured in the same rounds: `Date.now()` alone, prom-client `Counter.inc()` (what counting
// events as a metric costs) and a naive exact tracker that keeps every event's timestamp.
//
//   node bench/slo-tracker/run.mjs            # 5 rounds; writes bench/results/slo-tracker.json + BENCHMARKS.md
//   node bench/slo-tracker/run.mjs --quick    # 3 short repeats per process, prints only
//
// Needs the built packages: npx tsc -b packages/slo
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
const TARGET = {
  recordNs: 50,
  statusUs: 20,
  bytesPerSlo: 256 * 1024,
  relativeError: 0.005,
};
const TIMED = [
  'record-at',
  'record-clock',
  'date-now',
  'prom-counter',
  'prom-counter-child',
  'naive-record',
  'status',
  'naive-status',
  'memory',
];

const opts = parseArgs(process.argv.slice(2), {
  quick: false,
  rounds: 3,
  write: false,
  noWrite: false,
});
if (opts.quick && !process.argv.some((a) => a.startsWith('--rounds'))) opts.rounds = 3;
const writeReport = shouldWriteReport(opts);

for (const dist of ['packages/core/dist/index.js', 'packages/slo/dist/tracker/slo-tracker.js']) {
  if (!existsSync(join(repoRoot, dist))) {
    console.error(`${dist} is missing. Build first:\n\n  npx tsc -b packages/slo\n`);
    process.exit(1);
  }
}
const pinned = canPin;

/** Runs `repeats` measurements of `mode` in one fresh process. */
function measure(mode, repeats = 1) {
  return runSubject(join(here, 'subject.mjs'), [mode, opts.quick ? '1' : '0', String(repeats)], {
    label: mode,
  });
}

const started = Date.now();
console.log(
  `slo-tracker: ${opts.rounds} rounds${opts.quick ? ' (quick)' : ''}${pinned ? ', subject on CPU 1' : ''}`,
);
const samples = Object.fromEntries(TIMED.map((m) => [m, []]));
const progress = (label) =>
  console.log(
    `  ${label}: record(at) ${fmt(samples['record-at'].at(-1).nsPerOp, 1)} ns,` +
      ` status ${fmt(samples.status.at(-1).usPerOp, 2)} µs,` +
      ` ${fmt(samples.memory.at(-1).bytesPerSlo / 1024, 1)} KiB/SLO`,
  );
if (opts.quick) {
  // One process per measurement, repeated inside it: seconds instead of a minute of start-ups.
  for (const mode of TIMED) samples[mode].push(...measure(mode, opts.rounds));
  progress(`${opts.rounds} repeats`);
} else {
  // A fresh process per measurement and round, rounds interleaved.
  for (let round = 1; round <= opts.rounds; round++) {
    for (const mode of TIMED) samples[mode].push(...measure(mode));
    progress(`round ${round}`);
  }
}
// Deterministic (fixed seed, no timing): one run is enough.
const [accuracy] = measure('accuracy');

const med = (mode, key) => median(samples[mode].map((s) => s[key]));
const recordAt = med('record-at', 'nsPerOp');
const recordClock = med('record-clock', 'nsPerOp');
const dateNow = med('date-now', 'nsPerOp');
const promInc = med('prom-counter', 'nsPerOp');
const promChild = med('prom-counter-child', 'nsPerOp');
const naiveRecord = med('naive-record', 'nsPerOp');
const status = med('status', 'usPerOp');
const naiveStatus = med('naive-status', 'usPerOp');
const bytesPerSlo = med('memory', 'bytesPerSlo');
const naiveBytesPerEvent = med('memory', 'naiveBytesPerEvent');
const naive30d = (rps) => naiveBytesPerEvent * rps * 30 * 86_400;

const verdict = [
  {
    label: `record(id, good, at) ${fmt(recordAt, 1)} ns/op amortised (target ≤ ${TARGET.recordNs} ns)`,
    ok: recordAt <= TARGET.recordNs,
  },
  {
    label: `status(id) ${fmt(status, 2)} µs/op (target ≤ ${TARGET.statusUs} µs)`,
    ok: status <= TARGET.statusUs,
  },
  {
    label: `memory ${fmt(bytesPerSlo / 1024, 1)} KiB per SLO with a 30-day period (target ≤ ${TARGET.bytesPerSlo / 1024} KiB)`,
    ok: bytesPerSlo <= TARGET.bytesPerSlo,
  },
  {
    label: `burn rates within ${fmt(accuracy.maxRelativeError * 100, 3)} % of an exact sliding window (target ≤ ${TARGET.relativeError * 100} %)`,
    ok: accuracy.maxRelativeError <= TARGET.relativeError,
  },
];

const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? a / b : Number.NaN);
const rows = [
  ['`tracker.record(id, good, at)`', `${fmt(recordAt, 1)} ns`, '1.00'],
  [
    '`tracker.record(id, good)` (reads `Date.now()`)',
    `${fmt(recordClock, 1)} ns`,
    fmt(ratio(recordClock, recordAt), 2),
  ],
  ['`Date.now()` alone', `${fmt(dateNow, 1)} ns`, fmt(ratio(dateNow, recordAt), 2)],
  [
    'prom-client `counter.inc({ slo_id, result })`',
    `${fmt(promInc, 1)} ns`,
    fmt(ratio(promInc, recordAt), 2),
  ],
  [
    'prom-client bound child `.inc()`',
    `${fmt(promChild, 1)} ns`,
    fmt(ratio(promChild, recordAt), 2),
  ],
  [
    'naive exact tracker: push a timestamp',
    `${fmt(naiveRecord, 1)} ns`,
    fmt(ratio(naiveRecord, recordAt), 2),
  ],
];
const recordTable = markdownTable(['per event', 'median', 'vs srekit record(at)'], rows);
const statusTable = markdownTable(
  ['status of one SLO (8 windows, 4 tiers)', 'median', 'vs srekit'],
  [
    ['`tracker.status(id)`', `${fmt(status, 2)} µs`, '1.00'],
    [
      'naive exact tracker, 345 600 events (a day at 4/s)',
      `${fmt(naiveStatus, 2)} µs`,
      fmt(ratio(naiveStatus, status), 2),
    ],
  ],
);
const memoryTable = markdownTable(
  ['memory for one SLO, 30-day period', 'median'],
  [
    ['srekit (any traffic)', `${fmt(bytesPerSlo / 1024, 1)} KiB`],
    [
      `naive exact tracker, 10 events/s (${fmt(naiveBytesPerEvent, 1)} B/event)`,
      `${fmt(naive30d(10) / 2 ** 20, 0)} MiB`,
    ],
    ['naive exact tracker, 1 000 events/s', `${fmt(naive30d(1000) / 2 ** 30, 1)} GiB`],
  ],
);
const accuracyTable = markdownTable(
  ['burn-rate error vs exact', 'value'],
  [
    ['events in the stream', fmt(accuracy.events)],
    ['window reads compared (≥ 1 000 bad events)', fmt(accuracy.compared)],
    ['max relative error', `${fmt(accuracy.maxRelativeError * 100, 3)} %`],
    ['p99 relative error', `${fmt(accuracy.p99RelativeError * 100, 3)} %`],
    ['median relative error', `${fmt(accuracy.medianRelativeError * 100, 4)} %`],
    [
      'worst absolute error, any window with traffic',
      `${fmt(accuracy.worstAbsoluteBurn, 3)} (burn-rate units)`,
    ],
  ],
);

console.log(`\n${recordTable}\n\n${statusTable}\n\n${memoryTable}\n\n${accuracyTable}\n`);
printVerdicts(verdict);

const m = machine();
const result = {
  benchmark: 'slo-tracker',
  command: commandLine(import.meta.url),
  machine: m,
  settings: { rounds: opts.rounds, quick: opts.quick, pinned },
  elapsedS: Math.round((Date.now() - started) / 1000),
  target: TARGET,
  verdict,
  medians: {
    recordAtNs: recordAt,
    recordClockNs: recordClock,
    dateNowNs: dateNow,
    promCounterIncNs: promInc,
    promCounterChildIncNs: promChild,
    naiveRecordNs: naiveRecord,
    statusUs: status,
    naiveStatusUs: naiveStatus,
    bytesPerSlo,
    naiveBytesPerEvent,
  },
  accuracy,
  samples,
};
const jsonFile = writeJson(writeReport ? 'slo-tracker.json' : 'slo-tracker.quick.json.tmp', result);
console.log(`\nwrote ${jsonFile}`);
if (writeReport) {
  const body = [
    '### In-process SLO tracker (`bench/slo-tracker`)',
    '',
    "One SLO at 99.9 % over 30 rolling days with the workbook's four tiers: 8 tracked windows (5m, 30m, 1h, 2h, 6h," +
      ' 1d, 3d, 30d) of 720 buckets each. Every measurement runs in a fresh `node --expose-gc` process' +
      `${pinned ? ' pinned to CPU 1' : ''}; ${opts.quick ? `${opts.rounds} repeats inside that process` : `${opts.rounds} interleaved rounds`}, medians shown.` +
      ` Per-event numbers are the time of ${opts.quick ? '0.5' : '10'} million calls in a loop (after a warm-up of a fifth as many)` +
      ' divided by the calls, loop included; 0.1 % of events are bad. `record(id, good, at)` is fed a simulated clock at' +
      ' 10 000 events/s, so buckets rotate as they would in a busy service.',
    '',
    recordTable,
    '',
    '`record()` costs a comparison with the last SLO id (a `Map` lookup when the id changes) and two additions: events of the current bucket of the shortest window (0.42 s)' +
      ' are counted in a pending pair and spread into the 8 rings when the next bucket starts, so ring updates are' +
      ' amortised over the events of a bucket. Without `at` the tracker reads `Date.now()`, which on this VM costs' +
      ' more than the recording itself; a caller that already has a timestamp should pass it. The prom-client rows are' +
      ' the floor of counting events as a labelled metric (what a scrape-only SLO setup pays per event), not an SLO tracker.',
    '',
    statusTable,
    '',
    '`status()` is measured after a day of traffic (4 events/s). It reads each window in O(1) (running sums), builds' +
      ' the status objects and runs the lazy tier and budget evaluation. The naive tracker answers by binary search over' +
      ' its timestamp arrays: fast too, but see its memory.',
    '',
    memoryTable,
    '',
    'srekit: growth of `heapUsed + arrayBuffers` after `gc()` with ' +
      `${samples.memory[0]?.slos ?? 'n'} SLOs that each received events across 30 days, divided by the SLOs ` +
      '(the rings are allocated up front, so this does not grow with traffic). Naive: bytes per event stored,' +
      ' times 30 days of events.',
    '',
    accuracyTable,
    '',
    `Accuracy: a deterministic stream of ${opts.quick ? 3 : 6} simulated hours (20 to 180 events/s, 0.05 % errors with` +
      ' bursts of 2 to 30 % lasting 1 to 20 minutes), recorded with its timestamps; about once a minute, off the bucket' +
      " edges, every window's burn rate is compared with an exact count over the same events. Relative errors cover" +
      ' windows that start inside the stream and hold ≥ 1 000 bad events (below that, one event is already 0.1 %);' +
      ' the absolute error covers every window with traffic.',
    '',
    `**Targets:** record ≤ ${TARGET.recordNs} ns amortised, status ≤ ${TARGET.statusUs} µs, ≤ 256 KiB per SLO for a 30-day period, burn rates within 0.5 % of exact.`,
    '',
    ...verdictMarkdown(verdict),
    '',
    `Command: \`${result.command}\` (${result.elapsedS} s). Node ${m.node}, CPU ${m.cpu} (${m.cores} cores), ${m.platform}, ${m.date}.`,
    'Raw samples: [`bench/results/slo-tracker.json`](bench/results/slo-tracker.json).',
  ].join('\n');
  console.log(`wrote ${replaceSection('slo-tracker', body)}`);
}
