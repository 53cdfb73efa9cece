#!/usr/bin/env node
// How long one Prometheus scrape blocks the event loop, by number of series.
//
// For each case (Counter with 1k / 10k / 100k label sets, Histogram with 1k label sets) and each
// subject (srekit's telemetry.registry + metricsHandler(), and a plain prom-client Registry) a fresh
// process (bench/scrape/subject.mjs, pinned to CPU 1) fills the registry and serves it on
// 127.0.0.1. This runner (CPU 0) fetches /metrics over real HTTP, one scrape at a time, while the
// subject records its own maximum event-loop delay (perf_hooks.monitorEventLoopDelay, 1 ms
// resolution) and a 1 ms interval's largest gap. One warm-up scrape per mode, then the median of
// N scrapes (default 5).
//
//   node bench/scrape/run.mjs            # writes bench/results/scrape.json and BENCHMARKS.md
//   node bench/scrape/run.mjs --quick    # 3 scrapes, up to 10k series, prints only
import { spawn, spawnSync } from 'node:child_process';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { killGroup, trackProcesses } from '../lib/processes.mjs';
import {
  commandLine,
  fmt,
  machine,
  markdownTable,
  median,
  parseArgs,
  printVerdicts,
  replaceSection,
  requireBuiltCore,
  shouldWriteReport,
  verdictMarkdown,
  writeJson,
} from '../lib/report.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const TARGET = { series: 10_000, maxBlockMs: 50 };
const OPENMETRICS_ACCEPT =
  'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5';
const TEXT_ACCEPT = 'text/plain;version=0.0.4';

const CASES = [
  { name: 'counter 1k', kind: 'counter', labelSets: 1_000 },
  { name: 'counter 10k', kind: 'counter', labelSets: 10_000 },
  { name: 'counter 100k', kind: 'counter', labelSets: 100_000 },
  { name: 'histogram 1k', kind: 'histogram', labelSets: 1_000 },
];

const opts = parseArgs(process.argv.slice(2), {
  quick: false,
  scrapes: 5,
  subjects: 'srekit,prom-client',
  write: false,
  noWrite: false,
});
const subjects = opts.subjects.split(',').map((x) => x.trim());
if (opts.quick && !process.argv.some((a) => a.startsWith('--scrapes'))) opts.scrapes = 3;
const writeReport = shouldWriteReport(opts);
const cases = opts.quick ? CASES.filter((c) => c.labelSets <= 10_000) : CASES;

requireBuiltCore(subjects.includes('srekit'));
const cores = os.availableParallelism?.() ?? os.cpus().length;
const pinned = cores >= 2 && !spawnSync('taskset', ['--version'], { timeout: 5_000 }).error;

// Every subject runs in its own process group and is killed on every exit path.
const live = trackProcesses();

/** Start a subject process and return a small RPC handle to it. */
async function startSubject(subject, c) {
  const args = [join(here, 'subject.mjs'), subject, c.kind, String(c.labelSets)];
  const [cmd, cmdArgs] = pinned
    ? ['taskset', ['-c', '1', process.execPath, ...args]]
    : [process.execPath, args];
  const child = spawn(cmd, cmdArgs, {
    cwd: here,
    env: { ...process.env, NODE_ENV: 'production' },
    detached: true,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  live.add(child);
  const exited = new Promise((resolve) => child.on('exit', resolve));
  exited.then(() => live.delete(child));
  const queue = [];
  child.on('message', (msg) => queue.shift()?.(msg));
  const next = (timeoutMs = 120_000) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${subject} ${c.name}: no answer`)),
        timeoutMs,
      );
      queue.push((msg) => {
        clearTimeout(timer);
        if (msg.error) reject(new Error(msg.error));
        else resolve(msg);
      });
    });
  const hello = await Promise.race([
    next(),
    exited.then((code) => {
      throw new Error(`${subject} ${c.name} exited early (${code})`);
    }),
  ]);
  const call = (cmdName) => {
    const answer = next();
    child.send({ cmd: cmdName });
    return answer;
  };
  const stop = async () => {
    if (!live.has(child)) return;
    child.send({ cmd: 'exit' });
    const t = setTimeout(() => killGroup(child, 'SIGKILL'), 10_000);
    await exited;
    clearTimeout(t);
  };
  return { port: hello.port, series: hello.series, call, stop };
}

async function httpScrape(s, accept) {
  await s.call('reset');
  const t0 = performance.now();
  const res = await fetch(`http://127.0.0.1:${s.port}/metrics`, {
    headers: { accept },
    signal: AbortSignal.timeout(60_000),
  });
  const body = await res.text();
  const wallMs = performance.now() - t0;
  const loop = await s.call('read');
  if (res.status !== 200) throw new Error(`GET /metrics answered ${res.status}`);
  return {
    ...loop,
    wallMs,
    bytes: Buffer.byteLength(body),
    lines: body.split('\n').length - 1,
    contentType: res.headers.get('content-type'),
  };
}

const MODES = {
  srekit: [
    { mode: 'metricsHandler, text', run: (s) => httpScrape(s, TEXT_ACCEPT) },
    { mode: 'metricsHandler, OpenMetrics', run: (s) => httpScrape(s, OPENMETRICS_ACCEPT) },
  ],
  'prom-client': [
    { mode: 'registry.metrics() direct', run: (s) => s.call('direct') },
    { mode: 'registry.metrics() via express, text', run: (s) => httpScrape(s, TEXT_ACCEPT) },
  ],
};

const started = Date.now();
const rows = [];
console.log(
  `scrape: ${cases.length} cases, ${opts.scrapes} scrapes per mode (+1 warm-up)${pinned ? ', subject on CPU 1' : ''}`,
);
for (const c of cases) {
  for (const subject of subjects) {
    if (!MODES[subject]) throw new Error(`unknown subject ${subject}`);
    const s = await startSubject(subject, c);
    try {
      const samples = Object.fromEntries(MODES[subject].map((m) => [m.mode, []]));
      for (const m of MODES[subject]) await m.run(s); // warm-up
      for (let i = 0; i < opts.scrapes; i++) {
        for (const m of MODES[subject]) samples[m.mode].push(await m.run(s));
      }
      for (const m of MODES[subject]) {
        const xs = samples[m.mode];
        const row = {
          case: c.name,
          kind: c.kind,
          labelSets: c.labelSets,
          series: s.series,
          subject,
          mode: m.mode,
          lines: xs[0].lines,
          bytes: xs[0].bytes,
          contentType: xs[0].contentType,
          medianMaxDelayMs: median(xs.map((x) => x.maxDelayMs)),
          medianEldMaxMs: median(xs.map((x) => x.eldMaxMs)),
          medianMaxGapMs: median(xs.map((x) => x.gapMaxMs)),
          medianWallMs: median(xs.map((x) => x.wallMs)),
          medianServerMs: median(xs.map((x) => x.serverMs)),
          samples: xs,
        };
        rows.push(row);
        console.log(
          `  ${c.name.padEnd(13)} ${`${subject}: ${m.mode}`.padEnd(50)} max delay ${fmt(row.medianMaxDelayMs, 1).padStart(7)} ms` +
            `  wall ${fmt(row.medianWallMs, 1).padStart(7)} ms  ${fmt(row.lines)} lines`,
        );
      }
    } finally {
      await s.stop();
    }
  }
}

const targetRows = rows.filter(
  (r) => r.subject === 'srekit' && r.kind === 'counter' && r.labelSets === TARGET.series,
);
const verdict = targetRows.map((r) => ({
  label: `srekit ${r.mode}, ${fmt(r.series)} series: max event-loop delay ${fmt(r.medianMaxDelayMs, 1)} ms (target ≤ ${TARGET.maxBlockMs} ms)`,
  ok: r.medianMaxDelayMs <= TARGET.maxBlockMs,
}));

const m = machine();
const result = {
  benchmark: 'scrape',
  command: commandLine(import.meta.url),
  machine: m,
  settings: { scrapes: opts.scrapes, warmupScrapes: 1, pinned, eventLoopResolutionMs: 1 },
  elapsedS: Math.round((Date.now() - started) / 1000),
  target: TARGET,
  verdict,
  rows,
};

const table = markdownTable(
  ['case', 'series', 'lines', 'subject', 'how', 'max event-loop delay', 'wall time', 'body'],
  rows.map((r) => [
    r.case,
    fmt(r.series),
    fmt(r.lines),
    r.subject,
    r.mode,
    `${fmt(r.medianMaxDelayMs, 1)} ms`,
    `${fmt(r.medianWallMs, 1)} ms`,
    `${fmt(r.bytes / 1024, 0)} KiB`,
  ]),
);
console.log(`\n${table}\n`);
printVerdicts(verdict);

const jsonFile = writeJson(writeReport ? 'scrape.json' : 'scrape.quick.json.tmp', result);
console.log(`\nwrote ${jsonFile}`);
if (writeReport) {
  const body = [
    '### Event-loop block during a scrape (`bench/scrape`)',
    '',
    `One scrape at a time over HTTP on 127.0.0.1 against a fresh process per case and subject` +
      `${pinned ? ' (pinned to CPU 1; the client on CPU 0)' : ''}; the subject measures its own event loop with` +
      ' `perf_hooks.monitorEventLoopDelay({ resolution: 1 })` and a 1 ms interval timer (max delay = the larger of' +
      ' the histogram max and the longest gap between two ticks minus 1 ms).' +
      ` Medians of ${opts.scrapes} scrapes after one warm-up scrape. Series are HTTP-RED-like label sets` +
      ' (`method`, `route`, `status_code`); the histogram has 11 buckets (14 series per label set).' +
      ' "wall time" is measured by the client, from sending the request to the last byte.',
    '',
    '- srekit: `telemetry.registry` filled with the synthetic metric, served by `telemetry.metricsHandler()` with a',
    '  Prometheus text `Accept` and with an OpenMetrics `Accept` (srekit registers its own few metrics too; default',
    '  metrics off).',
    '- prom-client (peer): an equivalent plain `Registry`; `await registry.metrics()` called directly, and served by an',
    '  express route that does `res.end(await registry.metrics())`, the usual hand-written `/metrics`.',
    '',
    table,
    '',
    `**Target:** a scrape of 10 000 series blocks the event loop ≤ ${TARGET.maxBlockMs} ms.`,
    '',
    ...verdictMarkdown(verdict),
    '',
    `Command: \`${result.command}\` (${result.elapsedS} s). Node ${m.node}, CPU ${m.cpu} (${m.cores} cores), ${m.platform}, ${m.date}.`,
    'Raw samples: [`bench/results/scrape.json`](bench/results/scrape.json).',
  ].join('\n');
  console.log(`wrote ${replaceSection('scrape', body)}`);
}
