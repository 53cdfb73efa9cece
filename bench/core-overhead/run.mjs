#!/usr/bin/env node
// Request-path overhead of srekit against a bare express app and two peers.
//
// Each variant is a small server script; the runner starts it pinned to CPU 1, warms it up, then
// drives it with `wrk -t1 -c32 --latency` pinned to CPU 0, against GET /users/42 on 127.0.0.1.
// Variants are interleaved (A B C D E, A B C D E, ...) so slow drift of the machine hits all of
// them alike; the report uses medians over rounds.
//
//   node bench/core-overhead/run.mjs                    # 3 rounds x (2 s + 4 s), writes BENCHMARKS.md
//   node bench/core-overhead/run.mjs --quick            # 1 round x 1 s, no warm-up, prints only
//   node bench/core-overhead/run.mjs --duration 5 --rounds 5
//   node bench/core-overhead/run.mjs --variants bare,otel-auto
//
// Assumes the workspace is built (`npx tsc -b tsconfig.json` at the root).
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, killGroup, spawnServer, trackProcesses } from '../lib/processes.mjs';
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
  tracingSummary,
  verdictMarkdown,
  writeJson,
  wrkVersion,
} from '../lib/report.mjs';
import { AUTHORIZATION } from './stack-token.mjs';
import { selectVariants, TARGETS, VARIANTS } from './variants.mjs';

const here = dirname(fileURLToPath(import.meta.url));

const CONNECTIONS = 32;
const PATH = '/users/42';

// `--profile`: no measurement; profile the subject of this benchmark's missed targets instead.
if (process.argv.includes('--profile')) {
  const r = spawnSync(
    process.execPath,
    [
      new URL('../profile.mjs', import.meta.url).pathname,
      '--only',
      'core-overhead',
      ...process.argv.filter((a) => a === '--no-write'),
    ],
    { stdio: 'inherit' },
  );
  process.exit(r.status ?? 1);
}
const opts = parseArgs(process.argv.slice(2), {
  quick: false,
  duration: 4,
  rounds: 3,
  warmup: 2,
  variants: VARIANTS.map((v) => v.name).join(','),
  write: false,
  noWrite: false,
});
if (opts.quick) {
  if (!process.argv.some((a) => a.startsWith('--duration'))) opts.duration = 1;
  if (!process.argv.some((a) => a.startsWith('--rounds'))) opts.rounds = 1;
  if (!process.argv.some((a) => a.startsWith('--warmup'))) opts.warmup = 0;
}
const writeReport = shouldWriteReport(opts);

const selected = selectVariants(opts.variants);

// ---------------------------------------------------------------------------------------------
// Preconditions

const wrk = wrkVersion();
if (!wrk) {
  console.error('wrk is not installed. Install it with:\n\n  scripts/ensure-system-deps wrk\n');
  process.exit(1);
}
requireBuiltCore(selected.some((v) => v.srekit));
const cores = os.availableParallelism?.() ?? os.cpus().length;
const hasTaskset = !spawnSync('taskset', ['--version'], { timeout: 5_000 }).error;
const pinned = hasTaskset && cores >= 2;
if (!pinned) {
  console.warn(
    `warning: running unpinned (taskset ${hasTaskset ? 'found' : 'missing'}, ${cores} cores)`,
  );
}
// As root, also raise the priority of the server and of wrk a little, so that other work on a
// shared machine disturbs the measurement less (the same for every variant).
const boost =
  process.getuid?.() === 0 && !spawnSync('nice', ['-n', '-5', 'true'], { timeout: 5_000 }).error;
const pin = (cpu, cmd, args) => {
  const [c, a] = pinned ? ['taskset', ['-c', String(cpu), cmd, ...args]] : [cmd, args];
  return boost ? ['nice', ['-n', '-5', c, ...a]] : [c, a];
};

/** Seconds one CPU spent in user + nice + system mode, and in total, from /proc/stat. */
function cpuTimes(cpu) {
  try {
    const line = readFileSync('/proc/stat', 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`cpu${cpu} `));
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    return { busy: (f[0] + f[1] + f[2]) / CLK_TCK, total: f.reduce((a, b) => a + b, 0) / CLK_TCK };
  } catch {
    return { busy: Number.NaN, total: Number.NaN };
  }
}

// ---------------------------------------------------------------------------------------------
// Process handling: every server runs in its own process group and is killed on every exit path.

const clients = new Set(); // running wrk processes
const live = trackProcesses({
  cleanup: () => {
    for (const child of clients) child.kill('SIGKILL');
  },
});

async function startServer(variant) {
  const port = await freePort();
  const [cmd, args] = pin(1, process.execPath, variant.args);
  const { child, exited, output } = spawnServer(live, cmd, args, {
    cwd: here,
    env: { ...process.env, PORT: String(port), NODE_ENV: 'production' },
  });

  const ready = await Promise.race([
    new Promise((resolve) => {
      const check = () =>
        output().stdout.includes('ready ') ? resolve(true) : setTimeout(check, 20);
      check();
    }),
    exited.then(() => false),
    new Promise((resolve) => setTimeout(() => resolve(false), 15_000)),
  ]);
  const server = { variant, child, port, exited, output };
  if (!ready) {
    await stopServer(server);
    const { stdout, stderr } = output();
    throw new Error(`${variant.name} did not start:\n${stdout}\n${stderr}`);
  }
  return server;
}

async function stopServer(server) {
  killGroup(server.child, 'SIGTERM');
  const timedOut = await Promise.race([
    server.exited.then(() => false),
    new Promise((resolve) => setTimeout(() => resolve(true), 10_000)),
  ]);
  if (timedOut) {
    killGroup(server.child, 'SIGKILL');
    await server.exited;
  }
  const { stdout } = server.output();
  const line = stdout.split('\n').find((l) => l.startsWith('stats '));
  return line ? JSON.parse(line.slice(6)) : {};
}

// ---------------------------------------------------------------------------------------------
// wrk

const UNIT_MS = { us: 1e-3, ms: 1, s: 1e3, m: 60e3 };
function toMs(text) {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text.trim());
  return m ? Number(m[1]) * UNIT_MS[m[2]] : Number.NaN;
}

export function parseWrk(out) {
  const num = (re) => {
    const m = re.exec(out);
    return m ? Number(m[1]) : 0;
  };
  const pct = (p) => {
    const m = new RegExp(`^\\s+${p}%\\s+(\\S+)`, 'm').exec(out);
    return m ? toMs(m[1]) : Number.NaN;
  };
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  return {
    rps: num(/Requests\/sec:\s+([\d.]+)/),
    requests: num(/(\d+) requests in/),
    p50Ms: pct(50),
    p75Ms: pct(75),
    p90Ms: pct(90),
    p99Ms: pct(99),
    non2xx: num(/Non-2xx or 3xx responses: (\d+)/),
    socketErrors: socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0,
  };
}

function runWrk(port, seconds, variant) {
  const [cmd, args] = pin(0, 'wrk', [
    '-t1',
    `-c${CONNECTIONS}`,
    `-d${seconds}s`,
    '--latency',
    ...(variant.authorization ? ['-H', `Authorization: ${AUTHORIZATION}`] : []),
    `http://127.0.0.1:${port}${PATH}`,
  ]);
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    clients.add(child);
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d) => {
      out += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d) => {
      err += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), (seconds + 15) * 1000);
    child.on('exit', (code) => {
      clients.delete(child);
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`wrk exited with ${code}: ${err}${out}`));
      else resolve({ ...parseWrk(out), raw: out });
    });
  });
}

/** User + system CPU seconds of a process, from /proc (Linux); NaN elsewhere. */
function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return Number.NaN;
  }
}
const CLK_TCK =
  Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100;

// ---------------------------------------------------------------------------------------------
// One measurement: start, sanity check, warm up, measure, stop.

async function measure(variant) {
  const server = await startServer(variant);
  try {
    const res = await fetch(`http://127.0.0.1:${server.port}${PATH}`, {
      signal: AbortSignal.timeout(5_000),
      headers: variant.authorization ? { authorization: AUTHORIZATION } : {},
    });
    const body = await res.text();
    if (res.status !== 200 || body !== '{"id":"42"}') {
      throw new Error(`${variant.name}: GET ${PATH} answered ${res.status} ${body}`);
    }
    // A smoke run (--quick) skips the warm-up: it checks the scripts, not the numbers.
    const warm =
      opts.warmup > 0 ? await runWrk(server.port, opts.warmup, variant) : { requests: 0 };
    const cpu0 = cpuSeconds(server.child.pid);
    const core0 = cpuTimes(1);
    const run = await runWrk(server.port, opts.duration, variant);
    const cpu1 = cpuSeconds(server.child.pid);
    const core1 = cpuTimes(1);
    const stats = await stopServer(server);
    const served = warm.requests + run.requests + 1;
    const result = { ...run, warmupRequests: warm.requests, ...stats };
    // Server CPU time per request: robust against other processes stealing the server's core.
    result.cpuUsPerRequest = ((cpu1 - cpu0) / run.requests) * 1e6;
    // Share of the server's core used by other processes meanwhile: the noise indicator.
    if (pinned) {
      const foreign = core1.busy - core0.busy - (cpu1 - cpu0);
      result.foreignLoadPct = Math.max(0, (foreign / (core1.total - core0.total)) * 100);
    }
    if (typeof stats.exportedSpans === 'number')
      result.spansPerRequest = stats.exportedSpans / served;
    if (typeof stats.accessLogLines === 'number' && stats.accessLogLines >= 0) {
      result.accessLogLinesPerRequest = stats.accessLogLines / served;
    }
    delete result.raw;
    delete result.name;
    return result;
  } finally {
    if (live.has(server.child)) await stopServer(server);
  }
}

// ---------------------------------------------------------------------------------------------

const started = Date.now();
const runs = Object.fromEntries(selected.map((v) => [v.name, []]));
console.log(
  `core-overhead: ${selected.length} variants x ${opts.rounds} rounds x (${opts.warmup} s warm-up + ${opts.duration} s), ` +
    `wrk -t1 -c${CONNECTIONS}${pinned ? ', server on CPU 1, wrk on CPU 0' : ''}`,
);
for (let round = 1; round <= opts.rounds; round++) {
  for (const variant of selected) {
    const r = await measure(variant);
    runs[variant.name].push(r);
    const extra =
      `  cpu ${fmt(r.cpuUsPerRequest)} µs/req  other load on server core ${fmt(r.foreignLoadPct)} %` +
      (r.spansPerRequest !== undefined ? `  spans/req ${fmt(r.spansPerRequest, 2)}` : '');
    console.log(
      `  round ${round} ${variant.name.padEnd(20)} ${fmt(r.rps).padStart(8)} rps  p50 ${fmt(r.p50Ms, 2)} ms  p99 ${fmt(r.p99Ms, 2)} ms${extra}` +
        (r.non2xx || r.socketErrors ? `  non2xx ${r.non2xx} socket errors ${r.socketErrors}` : ''),
    );
  }
}

const bareRps = runs.bare ? median(runs.bare.map((r) => r.rps)) : Number.NaN;
const summary = selected.map((v) => {
  const rs = runs[v.name];
  const rps = median(rs.map((r) => r.rps));
  const ratio = rps / bareRps;
  const row = {
    variant: v.name,
    description: v.description,
    medianRps: rps,
    minRps: Math.min(...rs.map((r) => r.rps)),
    maxRps: Math.max(...rs.map((r) => r.rps)),
    ratioVsBare: ratio,
    overheadPct: (1 - ratio) * 100,
    usAddedPerRequest: (1 / rps - 1 / bareRps) * 1e6,
    p50Ms: median(rs.map((r) => r.p50Ms)),
    p99Ms: median(rs.map((r) => r.p99Ms)),
    cpuUsPerRequest: median(rs.map((r) => r.cpuUsPerRequest)),
    errors: rs.reduce((a, r) => a + r.non2xx + r.socketErrors, 0),
  };
  if (v.tracing) {
    row.spansPerRequest = median(rs.map((r) => r.spansPerRequest ?? 0));
    row.tracingVerified = rs.every((r) => (r.exportedSpans ?? 0) > 0);
  }
  return row;
});

const bareCpu = runs.bare ? median(runs.bare.map((r) => r.cpuUsPerRequest)) : Number.NaN;
for (const s of summary) s.cpuOverheadPct = (s.cpuUsPerRequest / bareCpu - 1) * 100;
const by = Object.fromEntries(summary.map((s) => [s.variant, s]));
const foreignLoads = Object.values(runs)
  .flat()
  .map((r) => r.foreignLoadPct)
  .filter((x) => typeof x === 'number');
const noise = {
  medianForeignLoadPct: median(foreignLoads),
  maxForeignLoadPct: foreignLoads.length ? Math.max(...foreignLoads) : Number.NaN,
};

function signed(n) {
  return `${n >= 0 ? '+' : '−'}${fmt(Math.abs(n), 0)}`;
}
const problems = [];
for (const s of summary) {
  if (s.errors > 0) problems.push(`${s.variant} had ${s.errors} errors or non-2xx responses`);
  if (s.tracingVerified === false)
    problems.push(`${s.variant} exported no spans: its instrumentation is not active`);
}
const verdict = [];
const check = (label, ok) => verdict.push({ label, ok });
if (by.bare && by['srekit-metrics']) {
  check(
    `srekit metrics-only overhead ≤ ${TARGETS.metricsOnlyPct} % (measured ${fmt(by['srekit-metrics'].overheadPct, 1)} %)`,
    by['srekit-metrics'].overheadPct <= TARGETS.metricsOnlyPct,
  );
}
if (by.bare && by['srekit-full']) {
  check(
    `srekit everything-on overhead ≤ ${TARGETS.fullPct} % (measured ${fmt(by['srekit-full'].overheadPct, 1)} %)`,
    by['srekit-full'].overheadPct <= TARGETS.fullPct,
  );
}
if (by['srekit-full'] && by['otel-auto']) {
  check(
    `srekit-full cheaper than otel-auto (${fmt(by['srekit-full'].medianRps)} vs ${fmt(by['otel-auto'].medianRps)} rps,` +
      ` ${signed((by['srekit-full'].medianRps / by['otel-auto'].medianRps - 1) * 100)} %; server CPU` +
      ` ${fmt(by['srekit-full'].cpuUsPerRequest)} vs ${fmt(by['otel-auto'].cpuUsPerRequest)} µs/req)`,
    by['srekit-full'].medianRps > by['otel-auto'].medianRps,
  );
}

const m = machine();
const result = {
  benchmark: 'core-overhead',
  command: commandLine(import.meta.url),
  machine: { ...m, wrk },
  settings: {
    rounds: opts.rounds,
    durationS: opts.duration,
    warmupS: opts.warmup,
    connections: CONNECTIONS,
    wrkThreads: 1,
    path: PATH,
    pinned,
    nodeEnv: 'production',
  },
  elapsedS: Math.round((Date.now() - started) / 1000),
  summary,
  noise,
  verdict,
  problems,
  runs,
};

console.log('');
const header = [
  'variant',
  'median rps',
  'rps range',
  'ratio vs bare',
  'overhead',
  'µs added / req',
  'p50',
  'p99',
  'server CPU / req',
];
const rows = summary.map((s) => [
  s.variant,
  fmt(s.medianRps),
  `${fmt(s.minRps)}–${fmt(s.maxRps)}`,
  fmt(s.ratioVsBare, 3),
  s.variant === 'bare' ? '—' : `${fmt(s.overheadPct, 1)} %`,
  s.variant === 'bare' ? '—' : fmt(s.usAddedPerRequest, 1),
  `${fmt(s.p50Ms, 2)} ms`,
  `${fmt(s.p99Ms, 2)} ms`,
  `${fmt(s.cpuUsPerRequest, 0)} µs${s.variant === 'bare' ? '' : ` (${signed(s.cpuOverheadPct)} %)`}`,
]);
const table = markdownTable(header, rows);
console.log(table);
console.log('');
printVerdicts(verdict);
if (opts.rounds < 3) {
  console.log(
    `(only ${opts.rounds} round${opts.rounds === 1 ? '' : 's'}: a smoke test, too noisy to judge the targets)`,
  );
}
for (const p of problems) console.log(`PROBLEM  ${p}`);

const jsonName = writeReport ? 'core-overhead.json' : 'core-overhead.quick.json.tmp';
const jsonFile = writeJson(jsonName, result);
console.log(`\nwrote ${jsonFile}`);

if (writeReport) {
  const tracing = tracingSummary(summary);
  const body = [
    '### Request-path overhead (`bench/core-overhead`)',
    '',
    `\`GET ${PATH}\` → \`res.json({ id })\` on express 5, \`NODE_ENV=production\`. ${opts.rounds} interleaved rounds ×` +
      ` (${opts.warmup} s warm-up + ${opts.duration} s measured) per variant, \`wrk -t1 -c${CONNECTIONS} --latency\`` +
      (pinned ? ' pinned to CPU 0, the server pinned alone to CPU 1.' : ' (unpinned).') +
      ' Medians over rounds; p50/p99 are the medians of the per-round wrk percentiles. "server CPU / req" is the' +
      " server process's user+system CPU time (from `/proc`) divided by the requests it served, a cross-check" +
      ' that is less sensitive to other processes taking turns on the server\'s core. "rps range" is the lowest and' +
      ' highest round: it shows how noisy the machine was.',
    '',
    table,
    '',
    ...summary.map((s) => `- **${s.variant}**: ${s.description}.`),
    '',
    tracing
      ? `Spans exported per request (proof that tracing was really on; http server span + express handler span for otel-auto): ${tracing}.`
      : '',
    '',
    `**Verdict** (targets: metrics-only ≤ ${TARGETS.metricsOnlyPct} %, everything on ≤ ${TARGETS.fullPct} %, srekit-full cheaper than otel-auto):`,
    '',
    ...verdictMarkdown(verdict, problems),
    '',
    Number.isFinite(noise.medianForeignLoadPct)
      ? `Noise: other processes used a median ${fmt(noise.medianForeignLoadPct, 1)} % (max ${fmt(noise.maxForeignLoadPct, 1)} %) of the server's core during the measured runs${boost ? '; server and wrk ran at `nice -n -5`' : ''}.` +
        (noise.maxForeignLoadPct < 5
          ? ' The spread in "rps range" therefore comes from outside this machine (a shared VM host).'
          : '')
      : '',
    '',
    `Command: \`${result.command}\` (${result.elapsedS} s). Node ${m.node}, ${wrk}, CPU ${m.cpu} (${m.cores} cores), ${m.platform}, ${m.date}.`,
    'Raw per-round numbers: [`bench/results/core-overhead.json`](bench/results/core-overhead.json).',
  ]
    .filter((l, i, a) => !(l === '' && a[i - 1] === ''))
    .join('\n');
  console.log(`wrote ${replaceSection('core-overhead', body)}`);
}
