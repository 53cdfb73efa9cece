#!/usr/bin/env node
// Request-path overhead as instructions per request, counted by valgrind's callgrind.
//
// The wrk benchmark (core-overhead/) measures throughput, which on a shared VM varies by ±20 %
// between runs. This one counts the instructions the *server* executes per request, which does not
// depend on what else the machine is doing: a CPU-work proxy that can resolve differences of a few
// percent, not a throughput number (it ignores cache misses, syscall cost and parallelism).
//
// Each variant (the same five server scripts as core-overhead/, same node flags, NODE_ENV=production)
// runs under `valgrind --tool=callgrind` on a free 127.0.0.1 port. The runner waits until it answers,
// warms it up with W sequential keep-alive requests (one connection), zeroes the counters
// (`callgrind_control -z`), sends N measured requests on the same connection, dumps the counters
// (`callgrind_control -d`), reads the dump's total Ir and stops the server. Instructions per
// request = Ir / N. Everything the server process does meanwhile counts, on all its threads:
// JIT compilation and GC triggered by the requests included. The client is not under valgrind.
// At most two variants run at a time (one per core).
//
//   node bench/instructions/run.mjs                     # W=200, N=400; writes BENCHMARKS.md
//   node bench/instructions/run.mjs --quick             # W=50, N=100, bare + srekit-metrics; prints only
//   node bench/instructions/run.mjs --warmup 1000 --requests 2000 --variants bare,srekit-metrics
//
// Assumes the workspace is built (`npx tsc -b tsconfig.json` at the root) and valgrind installed.
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AUTHORIZATION } from '../core-overhead/stack-token.mjs';
import { INSTRUCTION_VARIANTS, selectVariants, TARGETS } from '../core-overhead/variants.mjs';
import { freePort, killGroup, spawnServer, trackProcesses } from '../lib/processes.mjs';
import {
  benchmarksMd,
  commandLine,
  fmt,
  machine,
  markdownTable,
  parseArgs,
  printVerdicts,
  replaceSection,
  requireBuiltCore,
  shouldWriteReport,
  tracingSummary,
  verdictMarkdown,
  writeJson,
} from '../lib/report.mjs';

const serverDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'core-overhead');
const READY_TIMEOUT_MS = 120_000;
const REQUEST_TIMEOUT_MS = 60_000;
const PARALLEL = 2;

const opts = parseArgs(process.argv.slice(2), {
  quick: false,
  warmup: 500,
  requests: 1000,
  variants: INSTRUCTION_VARIANTS.map((v) => v.name).join(','),
  write: false,
  noWrite: false,
});
if (opts.quick) {
  if (!process.argv.some((a) => a.startsWith('--warmup'))) opts.warmup = 50;
  if (!process.argv.some((a) => a.startsWith('--requests'))) opts.requests = 100;
  // Start-up under valgrind takes 20–40 s per server: a smoke run checks one pair (one batch).
  if (!process.argv.some((a) => a.startsWith('--variants'))) opts.variants = 'bare,srekit-metrics';
}
opts.warmup = Math.round(opts.warmup);
opts.requests = Math.round(opts.requests);
const writeReport = shouldWriteReport(opts);

const selected = selectVariants(opts.variants);

// ---------------------------------------------------------------------------------------------
// Preconditions

function firstLine(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 10_000 });
  if (r.error || r.status !== 0) return null;
  return `${r.stdout ?? ''}${r.stderr ?? ''}`.split('\n')[0].trim() || 'unknown';
}
const valgrind = firstLine('valgrind', ['--version']);
const hasControl = firstLine('callgrind_control', ['--version']) !== null;
if (!valgrind || !hasControl) {
  console.error(
    'valgrind (with callgrind_control) is not installed. Install it with:\n\n  sudo apt-get install valgrind\n',
  );
  process.exit(1);
}
requireBuiltCore(selected.some((v) => v.srekit));

// ---------------------------------------------------------------------------------------------
// Process handling: every server runs in its own process group and is killed on every exit path.

const tmp = mkdtempSync(join(os.tmpdir(), 'srekit-bench-callgrind-'));
const live = trackProcesses({
  cleanup: () => {
    try {
      rmSync(tmp, { recursive: true, force: true });
    } catch {
      // best effort
    }
  },
});

/** The bearer token for the variant that verifies one (srekit-stack), nothing for the others. */
function headersOf(variant) {
  return variant.authorization ? { authorization: AUTHORIZATION } : {};
}

function get(port, path, agent, timeoutMs = REQUEST_TIMEOUT_MS, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => {
        body += d;
      });
      res.on('end', () => resolve({ status: res.statusCode, body }));
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`GET ${path} timed out`)));
    req.on('error', reject);
  });
}

function control(flag, pid) {
  return new Promise((resolve, reject) => {
    execFile(
      'callgrind_control',
      [flag, String(pid)],
      { timeout: 120_000, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (err || !/OK/.test(stdout))
          reject(
            new Error(
              `callgrind_control ${flag} ${pid} failed: ${err?.message ?? ''} ${stdout}${stderr}`,
            ),
          );
        else resolve();
      },
    );
  });
}

/** Total Ir of the newest dump (callgrind.out.<pid>.<n>) in dir. */
function readDump(dir, pid) {
  const prefix = `callgrind.out.${pid}.`;
  const parts = readdirSync(dir)
    .filter((f) => f.startsWith(prefix) && /^\d+$/.test(f.slice(prefix.length)))
    .map((f) => ({ f, n: Number(f.slice(prefix.length)) }))
    .sort((a, b) => b.n - a.n);
  if (parts.length === 0) throw new Error(`no callgrind dump for pid ${pid} in ${dir}`);
  const text = readFileSync(join(dir, parts[0].f), 'utf8');
  const m = /^summary:\s+(\d+)/m.exec(text) ?? /^totals:\s+(\d+)/m.exec(text);
  if (!m) throw new Error(`no summary/totals line in ${parts[0].f}`);
  return { ir: Number(m[1]), file: parts[0].f };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// One measurement

async function measure(variant) {
  const dir = mkdtempSync(join(tmp, `${variant.name}-`));
  const port = await freePort();
  const t0 = Date.now();
  const { child, exited, output } = spawnServer(
    live,
    'valgrind',
    [
      '--tool=callgrind',
      `--callgrind-out-file=${join(dir, 'callgrind.out.%p')}`,
      process.execPath,
      ...variant.args,
    ],
    { cwd: serverDir, env: { ...process.env, PORT: String(port), NODE_ENV: 'production' } },
  );
  let exitInfo = null;
  exited.then((info) => {
    exitInfo = info;
  });
  const fail = (msg) => {
    const { stdout, stderr } = output();
    return new Error(
      `${variant.name}: ${msg}\n--- stdout\n${stdout}\n--- stderr\n${stderr.slice(-4000)}`,
    );
  };
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    // Wait until it answers: valgrind makes node's start-up take tens of seconds.
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      if (exitInfo) throw fail(`exited during start-up (${JSON.stringify(exitInfo)})`);
      try {
        const r = await get(port, '/users/1', undefined, 5_000, headersOf(variant));
        if (r.status !== 200 || r.body !== '{"id":"1"}')
          throw fail(`GET /users/1 answered ${r.status} ${r.body}`);
        break;
      } catch (err) {
        if (err.message.startsWith(variant.name)) throw err;
        if (Date.now() > deadline) throw fail(`did not answer within ${READY_TIMEOUT_MS / 1000} s`);
        await sleep(500);
      }
    }
    const startupS = (Date.now() - t0) / 1000;

    let errors = 0;
    const run = async (n) => {
      for (let i = 0; i < n; i++) {
        const r = await get(
          port,
          `/users/${i % 50}`,
          agent,
          REQUEST_TIMEOUT_MS,
          headersOf(variant),
        );
        if (r.status !== 200 || r.body !== `{"id":"${i % 50}"}`) errors++;
      }
    };
    const t1 = Date.now();
    await run(opts.warmup);
    const warmupS = (Date.now() - t1) / 1000;
    await control('-z', child.pid);
    const t2 = Date.now();
    await run(opts.requests);
    const measuredS = (Date.now() - t2) / 1000;
    await control('-d', child.pid);
    const { ir, file } = readDump(dir, child.pid);
    agent.destroy();

    // Stop with SIGTERM first so the server prints its stats (exported spans prove that tracing
    // was really on); SIGKILL if it does not exit in time.
    killGroup(child, 'SIGTERM');
    const timedOut = await Promise.race([exited.then(() => false), sleep(30_000).then(() => true)]);
    if (timedOut) {
      killGroup(child, 'SIGKILL');
      await exited;
    }
    const { stdout } = output();
    const statsLine = stdout.split('\n').find((l) => l.startsWith('stats '));
    const stats = statsLine ? JSON.parse(statsLine.slice(6)) : {};
    const served = 1 + opts.warmup + opts.requests;
    const result = {
      variant: variant.name,
      description: variant.description,
      ir,
      requests: opts.requests,
      warmupRequests: opts.warmup,
      instructionsPerRequest: ir / opts.requests,
      errors,
      startupS,
      warmupS,
      measuredS,
      dumpFile: file,
    };
    if (typeof stats.exportedSpans === 'number') {
      result.exportedSpans = stats.exportedSpans;
      result.spansPerRequest = stats.exportedSpans / served;
    }
    if (variant.tracing) result.tracingVerified = (stats.exportedSpans ?? 0) > 0;
    return result;
  } finally {
    agent.destroy();
    if (live.has(child)) {
      killGroup(child, 'SIGKILL');
      await exited;
    }
  }
}

// ---------------------------------------------------------------------------------------------

const started = Date.now();
console.log(
  `instructions: ${selected.length} variants under valgrind --tool=callgrind, ` +
    `${opts.warmup} warm-up + ${opts.requests} measured sequential keep-alive requests each, ` +
    `${PARALLEL} at a time`,
);
const results = new Map();
const queue = [...selected];
let firstError = null;
async function worker() {
  while (queue.length > 0 && !firstError) {
    const v = queue.shift();
    try {
      const r = await measure(v);
      results.set(v.name, r);
      console.log(
        `  ${v.name.padEnd(20)} ${fmt(r.instructionsPerRequest).padStart(12)} Ir/req` +
          `  (start-up ${fmt(r.startupS)} s, warm-up ${fmt(r.warmupS, 1)} s, measured ${fmt(r.measuredS, 1)} s)` +
          (r.spansPerRequest !== undefined ? `  spans/req ${fmt(r.spansPerRequest, 2)}` : '') +
          (r.errors ? `  errors ${r.errors}` : ''),
      );
    } catch (err) {
      firstError ??= err;
      // Stop the other variant's server too rather than finishing a run that will be discarded.
      for (const child of live) killGroup(child, 'SIGKILL');
    }
  }
}
await Promise.all(Array.from({ length: Math.min(PARALLEL, selected.length) }, worker));
if (firstError) {
  console.error(firstError.stack ?? String(firstError));
  process.exit(1);
}

const summary = selected.map((v) => results.get(v.name));
const bare = results.get('bare');
for (const s of summary) {
  if (!bare) continue;
  s.ratioVsBare = s.instructionsPerRequest / bare.instructionsPerRequest;
  s.overheadPct = (s.ratioVsBare - 1) * 100;
  s.instructionsAddedPerRequest = s.instructionsPerRequest - bare.instructionsPerRequest;
}
const by = Object.fromEntries(summary.map((s) => [s.variant, s]));

const problems = [];
for (const s of summary) {
  if (s.errors > 0) problems.push(`${s.variant} had ${s.errors} failed or wrong responses`);
  if (s.tracingVerified === false)
    problems.push(`${s.variant} exported no spans: its instrumentation is not active`);
}
const verdict = [];
const check = (label, ok) => verdict.push({ label, ok });
if (by.bare && by['srekit-metrics']) {
  check(
    `srekit metrics-only instruction overhead ≤ ${TARGETS.metricsOnlyPct} % (measured ${fmt(by['srekit-metrics'].overheadPct, 1)} %)`,
    by['srekit-metrics'].overheadPct <= TARGETS.metricsOnlyPct,
  );
}
if (by.bare && by['srekit-full']) {
  check(
    `srekit everything-on instruction overhead ≤ ${TARGETS.fullPct} % (measured ${fmt(by['srekit-full'].overheadPct, 1)} %)`,
    by['srekit-full'].overheadPct <= TARGETS.fullPct,
  );
}
if (by['srekit-full'] && by['otel-auto']) {
  const d =
    (by['srekit-full'].instructionsPerRequest / by['otel-auto'].instructionsPerRequest - 1) * 100;
  check(
    `srekit-full executes fewer instructions per request than otel-auto (${fmt(by['srekit-full'].instructionsPerRequest)} vs ` +
      `${fmt(by['otel-auto'].instructionsPerRequest)}, ${d >= 0 ? '+' : '−'}${fmt(Math.abs(d), 1)} %)`,
    by['srekit-full'].instructionsPerRequest < by['otel-auto'].instructionsPerRequest,
  );
}

const m = machine();
const result = {
  benchmark: 'instructions',
  metric:
    'server instructions per request (valgrind callgrind Ir): a CPU-work proxy immune to machine noise, not throughput',
  command: commandLine(import.meta.url),
  machine: { ...m, valgrind },
  settings: {
    warmupRequests: opts.warmup,
    requests: opts.requests,
    connections: 1,
    keepAlive: true,
    paths: '/users/<i % 50>',
    parallelVariants: PARALLEL,
    nodeEnv: 'production',
    valgrindArgs: ['--tool=callgrind', '--callgrind-out-file=<tmp>/callgrind.out.%p'],
  },
  elapsedS: Math.round((Date.now() - started) / 1000),
  summary,
  verdict,
  problems,
};

console.log('');
const header = [
  'variant',
  'instructions / req',
  'ratio vs bare',
  'overhead',
  'instructions added / req',
];
const signedInt = (n) => `${n >= 0 ? '+' : '−'}${fmt(Math.abs(n))}`;
const rows = summary.map((s) => [
  s.variant,
  fmt(s.instructionsPerRequest),
  fmt(s.ratioVsBare, 3),
  s.variant === 'bare' ? '—' : `${fmt(s.overheadPct, 1)} %`,
  s.variant === 'bare' ? '—' : signedInt(s.instructionsAddedPerRequest),
]);
const table = markdownTable(header, rows);
console.log(table);
console.log('');
console.log(
  'Instruction count (callgrind Ir): a CPU-work proxy immune to machine noise, not throughput.',
);
printVerdicts(verdict, problems);

const jsonFile = writeJson(
  writeReport ? 'instructions.json' : 'instructions.quick.json.tmp',
  result,
);
console.log(`\nwrote ${jsonFile}`);

if (writeReport) {
  const tracing = tracingSummary(summary);
  const body = [
    '### Request-path overhead in instructions (`bench/instructions`)',
    '',
    '**This is an instruction count, not throughput.** The same five servers as above (same scripts, same node' +
      ' flags, `NODE_ENV=production`) each run under `valgrind --tool=callgrind`, which counts the instructions' +
      ' the server process executes (Ir, all threads). Unlike rps or CPU time, the count does not depend on what' +
      ' else the machine is doing, so it can resolve differences of a few percent that the wrk numbers hide. It is' +
      ' a proxy for CPU work only: it ignores cache misses, branch mispredictions and the cost of individual' +
      ' instructions and syscalls, and says nothing about latency or parallelism.',
    '',
    `Per variant: start under callgrind on 127.0.0.1, wait until \`GET /users/1\` answers, ${fmt(opts.warmup)} warm-up` +
      ` requests, \`callgrind_control -z\`, ${fmt(opts.requests)} measured requests, \`callgrind_control -d\`;` +
      ` instructions / req = Ir of that dump ÷ ${fmt(opts.requests)}. Requests are sequential on one keep-alive` +
      ' connection (`GET /users/<i % 50>`); the client is not under valgrind, so only server work counts, including' +
      ' JIT compilation and GC that the requests trigger. "overhead" is instructions / req ÷ bare − 1 (the same' +
      ' definition as the "server CPU / req" column above).',
    '',
    table,
    '',
    tracing ? `Spans exported per request served (tracing really on): ${tracing}.` : '',
    '',
    `**Verdict on instruction count** (same targets as the wrk benchmark: metrics-only ≤ ${TARGETS.metricsOnlyPct} %,` +
      ` everything on ≤ ${TARGETS.fullPct} %, srekit-full below otel-auto):`,
    '',
    ...verdictMarkdown(verdict, problems),
    '',
    `Command: \`${result.command}\` (${result.elapsedS} s). ${valgrind}, Node ${m.node}, CPU ${m.cpu} (${m.cores} cores),` +
      ` ${m.platform}, ${m.date}.`,
    'Raw numbers: [`bench/results/instructions.json`](bench/results/instructions.json).',
  ]
    .filter((l, i, a) => !(l === '' && a[i - 1] === ''))
    .join('\n');
  // First run: put the section right after the core-overhead section.
  const md = existsSync(benchmarksMd) ? readFileSync(benchmarksMd, 'utf8') : '';
  if (!md.includes('<!-- instructions:start -->') && md.includes('<!-- core-overhead:end -->')) {
    writeFileSync(
      benchmarksMd,
      md.replace(
        '<!-- core-overhead:end -->',
        '<!-- core-overhead:end -->\n\n<!-- instructions:start -->\n<!-- instructions:end -->',
      ),
    );
  }
  console.log(`wrote ${replaceSection('instructions', body)}`);
}
