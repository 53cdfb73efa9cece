#!/usr/bin/env node
// Reverse-proxy throughput and latency of @srekit/engine's createProxy() against nginx,
// @fastify/reply-from and http-proxy, with wrk straight at the upstream ("direct") as the baseline.
//
// One upstream for everyone: nginx answering every request with a fixed 37-byte JSON body, pinned
// to CPU 0 next to wrk. Each proxy runs alone on CPU 1 (fresh process per measurement, warmed up),
// keep-alive on both legs. Phase 1 (throughput): `wrk -t1 -c32 --latency` on CPU 0, subjects
// interleaved (direct nginx reply-from http-proxy srekit, direct nginx …), medians over rounds.
// Phase 2 (latency at half load): each proxy at half its own median peak rate, then direct at the
// same rate, paced by wrk's delay() hook (paced.lua) and calibrated per run; "added" latency is
// the proxy's p50/p99 minus direct's.
//
//   node bench/engine-proxy/run.mjs             # 3 rounds; writes bench/results/engine-proxy.json + BENCHMARKS.md
//   node bench/engine-proxy/run.mjs --quick     # 1 short round (< 60 s), prints only
//   node bench/engine-proxy/run.mjs --subjects direct,nginx,srekit --rounds 5
//
// Needs wrk, taskset, nginx (/usr/sbin/nginx) and, for srekit, the built package
// (npx tsc -b packages/engine).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  boosted,
  busyPct,
  coreTimes,
  pinnedCommand,
  processCpuSeconds,
  waitForQuiet,
} from '../lib/cpu.mjs';
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
  shouldWriteReport,
  verdictMarkdown,
  writeJson,
  wrkVersion,
} from '../lib/report.mjs';
import { canPin } from '../lib/subject.mjs';
import { runWrk } from '../lib/wrk.mjs';
import { BODY, NGINX, nginxArgs, nginxVersion } from './nginx.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

const SUBJECTS = [
  { name: 'direct', description: 'wrk straight at the upstream: the baseline, no proxy' },
  {
    name: 'nginx',
    description:
      'nginx reverse proxy, 1 worker, `upstream { keepalive 64; }`, `proxy_http_version 1.1`, empty `Connection`, access log off',
  },
  {
    name: 'reply-from',
    node: true,
    description: '`@fastify/reply-from` on fastify (undici pool to the upstream), logger off',
  },
  {
    name: 'http-proxy',
    node: true,
    description:
      '`http-proxy` `web()` on `http.createServer`, keep-alive `http.Agent` (maxSockets 64)',
  },
  {
    name: 'srekit',
    node: true,
    description:
      '`createProxy(pool, {})` on `http.createServer`, one-backend `Pool`, health checks off, everything else default',
  },
  {
    name: 'undici-floor',
    node: true,
    calibration: true,
    description:
      '_calibration_: the least a proxy on `node:http` + undici costs — `pool.request()`, status and content type copied, body piped; nothing else',
  },
  {
    name: 'node-server',
    node: true,
    calibration: true,
    description:
      '_calibration_: `node:http` answering the body itself, no proxying: the ceiling of any proxy on `node:http`',
  },
];
// Targets (issue: engine proxy performance): srekit rps ≥ ratio × peer rps; added p99 at half load.
const RATIO_TARGETS = { nginx: 0.5, 'reply-from': 1.0, 'http-proxy': 1.5 };
const ADDED_P99_TARGET_MS = 1;
const CONNECTIONS = 32;
const PATH = '/bench';
// Pause of each paced connection between a response and its next request (ms, wrk's resolution).
const PACE_DELAY_MS = 3;
// A proxy that got less of its core than this was held back: by the client side (wrk and the
// upstream on CPU 0) or by other processes on its core.
const SATURATED_PCT = 90;

// `--profile`: no measurement; profile the subject of this benchmark's missed targets instead.
if (process.argv.includes('--profile')) {
  const r = spawnSync(
    process.execPath,
    [
      new URL('../profile.mjs', import.meta.url).pathname,
      '--only',
      'engine-proxy',
      ...process.argv.filter((a) => a === '--no-write'),
    ],
    { stdio: 'inherit' },
  );
  process.exit(r.status ?? 1);
}
const opts = parseArgs(process.argv.slice(2), {
  quick: false,
  rounds: 3,
  duration: 3,
  warmup: 2,
  latencyDuration: 3,
  calibrate: 1,
  subjects: SUBJECTS.map((s) => s.name).join(','),
  write: false,
  noWrite: false,
});
if (opts.quick) {
  const given = (flag) => process.argv.some((a) => a.startsWith(`--${flag}`));
  if (!given('rounds')) opts.rounds = 1;
  if (!given('duration')) opts.duration = 1;
  if (!given('warmup')) opts.warmup = 0;
  if (!given('latency-duration')) opts.latencyDuration = 1;
  if (!given('calibrate')) opts.calibrate = 1;
}
const writeReport = shouldWriteReport(opts);
const wanted = new Set(opts.subjects.split(',').map((s) => s.trim()));
for (const w of wanted) {
  if (!SUBJECTS.some((s) => s.name === w)) {
    console.error(`unknown subject ${w}; one of ${SUBJECTS.map((s) => s.name).join(', ')}`);
    process.exit(2);
  }
}
// direct is always measured: every "added" number is relative to it.
let selected = SUBJECTS.filter((s) => s.name === 'direct' || wanted.has(s.name));

// ---------------------------------------------------------------------------------------------
// Preconditions

const wrk = wrkVersion();
if (!wrk) {
  console.error('wrk is not installed. Install it with:\n\n  scripts/ensure-system-deps wrk\n');
  process.exit(1);
}
const nginx = nginxVersion();
if (!nginx) {
  console.error(
    `nginx is not installed (${NGINX}). Install it with:\n\n  scripts/ensure-system-deps nginx\n`,
  );
  process.exit(1);
}
if (!canPin) console.warn('warning: running unpinned (needs taskset and ≥ 2 cores)');

function packageVersion(name) {
  try {
    return require(`${name}/package.json`).version;
  } catch {
    return null;
  }
}
const versions = {
  node: process.version,
  nginx,
  wrk,
  fastify: packageVersion('fastify'),
  '@fastify/reply-from': packageVersion('@fastify/reply-from'),
  undici: packageVersion('undici'),
  'http-proxy': packageVersion('http-proxy'),
  '@srekit/engine': packageVersion('@srekit/engine'),
};

// ---------------------------------------------------------------------------------------------
// Process handling: every server runs in its own process group, killed on every exit path; the
// nginx configs and logs live in one temp dir, removed at exit.

const tmp = mkdtempSync(join(os.tmpdir(), 'srekit-engine-proxy-'));
const clients = new Set(); // running wrk processes
const live = trackProcesses({
  cleanup: () => {
    for (const child of clients) child.kill('SIGKILL');
    rmSync(tmp, { recursive: true, force: true });
  },
});

/** GETs `url` until it answers 200 with the upstream's body; false after `timeoutMs`. */
async function answers(url, timeoutMs, gone) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !gone()) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      const body = await res.text();
      if (res.status === 200 && body === BODY) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

let serial = 0;
/** Starts `kind` (`upstream`, `nginx` or a Node subject) pinned to `cpu`; resolves once it answers. */
async function startServer(kind, cpu, upstreamPort) {
  const port = await freePort();
  const upstreamUrl = `http://127.0.0.1:${upstreamPort}`;
  const isNode = kind !== 'upstream' && kind !== 'nginx';
  const [cmd, args] = isNode
    ? pinnedCommand(cpu, process.execPath, [join(here, 'subject.mjs'), kind])
    : pinnedCommand(
        cpu,
        NGINX,
        nginxArgs(kind === 'upstream' ? 'upstream' : 'proxy', {
          dir: join(tmp, `${kind}-${++serial}`),
          port,
          upstreamPort,
        }),
      );
  const server = spawnServer(live, cmd, args, {
    cwd: here,
    env: { ...process.env, PORT: String(port), UPSTREAM_URL: upstreamUrl, NODE_ENV: 'production' },
  });
  server.port = port;
  server.url = `http://127.0.0.1:${port}${PATH}`;
  let exited = false;
  server.exited.then(() => {
    exited = true;
  });
  if (await answers(server.url, 15_000, () => exited)) return server;
  await stopServer(server);
  const { stdout, stderr } = server.output();
  const reason = /^unavailable (.*)$/m.exec(stdout);
  if (reason) return { unavailable: reason[1] };
  throw new Error(
    `${kind} did not start or answered wrongly on ${server.url}:\n${stdout}\n${stderr}`,
  );
}

async function stopServer(server) {
  killGroup(server.child, 'SIGTERM');
  const timedOut = await Promise.race([
    server.exited.then(() => false),
    new Promise((resolve) => setTimeout(() => resolve(true), 5_000)),
  ]);
  if (timedOut) {
    killGroup(server.child, 'SIGKILL');
    await server.exited;
  }
}

// ---------------------------------------------------------------------------------------------
// Measurements

const upstream = await startServer('upstream', 0);
const unavailable = new Map(); // subject → reason
const notes = new Set(); // `note …` lines of the subjects
// Other work on this (shared) machine: how long measurements waited for it, and how often in vain.
const quietWaits = [];

/**
 * Waits for a quiet machine, then starts the subject's proxy on CPU 1 (none for direct):
 * `{ url, server? }` or `{ unavailable }`.
 */
async function startSubject(subject) {
  // A quick run only samples (it has to stay under a minute); a full run waits up to 10 s.
  quietWaits.push(
    await waitForQuiet(opts.quick ? { sampleMs: 200, maxWaitMs: 0 } : { maxWaitMs: 5_000 }),
  );
  if (subject.name === 'direct') return { url: upstream.url };
  const server = await startServer(subject.name, 1, upstream.port);
  if (server.unavailable) return server;
  for (const [, note] of server.output().stdout.matchAll(/^note (.*)$/gm)) {
    notes.add(`${subject.name}: ${note}`);
  }
  return { url: server.url, server };
}

/** wrk at full speed: rps, latency, and where the CPU went during the measured run. */
async function measureThroughput(subject) {
  const s = await startSubject(subject);
  if (s.unavailable) return s;
  try {
    // A smoke run (--quick, warm-up 0) checks the scripts, not the numbers.
    if (opts.warmup > 0) {
      await runWrk({ url: s.url, connections: CONNECTIONS, seconds: opts.warmup, clients });
    }
    const pid = s.server?.child.pid;
    const cpu0 = pid ? processCpuSeconds(pid) : 0;
    const client0 = coreTimes(0);
    const proxy0 = coreTimes(1);
    const run = await runWrk({
      url: s.url,
      connections: CONNECTIONS,
      seconds: opts.duration,
      clients,
    });
    const cpu1 = pid ? processCpuSeconds(pid) : 0;
    const client1 = coreTimes(0);
    const proxy1 = coreTimes(1);
    delete run.raw;
    const wall = proxy1.total - proxy0.total;
    return {
      ...run,
      // Share of CPU 0 (wrk + upstream) and CPU 1 (the proxy) that was busy.
      clientCoreBusyPct: busyPct(client0, client1),
      proxyCoreBusyPct: busyPct(proxy0, proxy1),
      ...(pid && {
        proxyCpuUsPerRequest: ((cpu1 - cpu0) / run.requests) * 1e6,
        // Share of its core the proxy process itself got.
        proxyProcessPct: ((cpu1 - cpu0) / wall) * 100,
        // Other processes (and interrupts) on the proxy's core meanwhile: the noise indicator.
        foreignLoadPct: Math.max(0, ((proxy1.busy - proxy0.busy - (cpu1 - cpu0)) / wall) * 100),
      }),
    };
  } finally {
    if (s.server) await stopServer(s.server);
  }
}

/**
 * Paced wrk at `rate` requests/s: a short calibration run at a first guess of the connection
 * count, then the measured run with the count scaled by how far the calibration missed.
 */
async function pacedRun(url, rate) {
  const paced = (connections, seconds) =>
    runWrk({
      url,
      connections,
      seconds,
      script: join(here, 'paced.lua'),
      scriptArgs: [PACE_DELAY_MS],
      clients,
    });
  let connections = Math.max(1, Math.round((rate * (PACE_DELAY_MS + 0.5)) / 1000));
  const cal = await paced(connections, opts.calibrate);
  if (cal.rps > 0) connections = Math.max(1, Math.round((connections * rate) / cal.rps));
  const run = await paced(connections, opts.latencyDuration);
  delete run.raw;
  return { ...run, connections, targetRps: rate };
}

/** The subject at `rate` (warmed up at full speed first), then direct at the same rate. */
async function measureLatency(subject, rate) {
  const s = await startSubject(subject);
  if (s.unavailable) return s;
  let proxied;
  try {
    // The throughput rounds warmed this code already once; 1 s at full speed re-warms a fresh process.
    const warmup = Math.min(opts.warmup, 1);
    if (warmup > 0)
      await runWrk({ url: s.url, connections: CONNECTIONS, seconds: warmup, clients });
    proxied = await pacedRun(s.url, rate);
  } finally {
    await stopServer(s.server);
  }
  const direct = await pacedRun(upstream.url, rate);
  return {
    proxied,
    direct,
    addedP50Ms: proxied.p50Ms - direct.p50Ms,
    addedP99Ms: proxied.p99Ms - direct.p99Ms,
  };
}

const errorsOf = (r) => (r.non2xx ?? 0) + (r.socketErrors ?? 0);
const line = (label, r) =>
  `${label.padEnd(32)} ${fmt(r.rps).padStart(8)} rps  p50 ${fmt(r.p50Ms, 2)} ms  p99 ${fmt(r.p99Ms, 2)} ms` +
  (errorsOf(r) ? `  non2xx ${r.non2xx} socket errors ${r.socketErrors}` : '');

const started = Date.now();
console.log(
  `engine-proxy: ${selected.map((s) => s.name).join(', ')}; ${opts.rounds} round(s) x (${opts.warmup} s warm-up + ${opts.duration} s) at ` +
    `wrk -t1 -c${CONNECTIONS}, then half-load latency (${opts.calibrate} s calibration + ${opts.latencyDuration} s)` +
    `${canPin ? '; proxies on CPU 1, wrk and the upstream on CPU 0' : ''}`,
);

const throughput = Object.fromEntries(selected.map((s) => [s.name, []]));
for (let round = 1; round <= opts.rounds; round++) {
  for (const subject of selected) {
    if (unavailable.has(subject.name)) continue;
    const r = await measureThroughput(subject);
    if (r.unavailable) {
      unavailable.set(subject.name, r.unavailable);
      console.log(`  ${subject.name}: not available: ${r.unavailable}`);
      continue;
    }
    throughput[subject.name].push(r);
    console.log(
      `  ${line(`round ${round} ${subject.name}`, r)}  CPU busy: client ${fmt(r.clientCoreBusyPct)} %, proxy core ${fmt(r.proxyCoreBusyPct)} %` +
        (r.proxyCpuUsPerRequest !== undefined
          ? ` (proxy ${fmt(r.proxyProcessPct)} %, ${fmt(r.proxyCpuUsPerRequest, 1)} µs/req)`
          : ''),
    );
  }
}
selected = selected.filter((s) => !unavailable.has(s.name));

const peak = Object.fromEntries(
  selected.map((s) => [s.name, median(throughput[s.name].map((r) => r.rps))]),
);
// The calibration subjects bound what a Node proxy can do; their latency is not a target. A quick
// run checks the latency phase on srekit alone (the 3-minute budget of the whole quick run).
const proxies = selected.filter(
  (s) => s.name !== 'direct' && !s.calibration && (!opts.quick || s.name === 'srekit'),
);
const latency = Object.fromEntries(proxies.map((s) => [s.name, []]));
for (let round = 1; round <= opts.rounds; round++) {
  for (const subject of proxies) {
    const rate = Math.round(peak[subject.name] / 2);
    const r = await measureLatency(subject, rate);
    latency[subject.name].push(r);
    console.log(
      `  ${line(`latency ${round} ${subject.name} @ ${fmt(rate)}/s`, r.proxied)}  (${r.proxied.connections} conns)`,
    );
    console.log(
      `  ${line(`latency ${round} direct @ ${fmt(rate)}/s`, r.direct)}  (${r.direct.connections} conns)  added p50 ${fmt(r.addedP50Ms * 1000)} µs, p99 ${fmt(r.addedP99Ms * 1000)} µs`,
    );
  }
}
await stopServer(upstream);

// ---------------------------------------------------------------------------------------------
// Summary

const med = (rs, f) => median(rs.map(f));
const directRps = peak.direct;
const summary = selected.map((s) => {
  const rs = throughput[s.name];
  const rps = peak[s.name];
  const proxyCoreBusyPct = med(rs, (r) => r.proxyCoreBusyPct);
  const row = {
    subject: s.name,
    description: s.description,
    medianRps: rps,
    minRps: Math.min(...rs.map((r) => r.rps)),
    maxRps: Math.max(...rs.map((r) => r.rps)),
    p50Ms: med(rs, (r) => r.p50Ms),
    p99Ms: med(rs, (r) => r.p99Ms),
    clientCoreBusyPct: med(rs, (r) => r.clientCoreBusyPct),
    proxyCoreBusyPct,
    errors: rs.reduce((a, r) => a + errorsOf(r), 0),
  };
  if (s.name !== 'direct') {
    // Time per request on the saturated path, minus direct's: what the proxy hop costs.
    row.usAddedPerRequest = (1 / rps - 1 / directRps) * 1e6;
    row.proxyCpuUsPerRequest = med(rs, (r) => r.proxyCpuUsPerRequest);
    // What the proxy would do with its whole core, for proxies held back by the client side.
    // (from its own CPU time, so other processes on its core do not distort it).
    row.rpsPerProxyCore = 1e6 / row.proxyCpuUsPerRequest;
    row.proxyProcessPct = med(rs, (r) => r.proxyProcessPct);
    row.saturated = row.proxyProcessPct >= SATURATED_PCT;
    row.foreignLoadPct = med(rs, (r) => r.foreignLoadPct);
    const ls = latency[s.name] ?? [];
    if (ls.length > 0)
      row.halfLoad = {
        targetRps: Math.round(rps / 2),
        proxiedRps: med(ls, (r) => r.proxied.rps),
        directRps: med(ls, (r) => r.direct.rps),
        p50Ms: med(ls, (r) => r.proxied.p50Ms),
        p99Ms: med(ls, (r) => r.proxied.p99Ms),
        directP50Ms: med(ls, (r) => r.direct.p50Ms),
        directP99Ms: med(ls, (r) => r.direct.p99Ms),
        addedP50Ms: med(ls, (r) => r.addedP50Ms),
        addedP99Ms: med(ls, (r) => r.addedP99Ms),
        errors: ls.reduce((a, r) => a + errorsOf(r.proxied) + errorsOf(r.direct), 0),
      };
  }
  return row;
});
const by = Object.fromEntries(summary.map((s) => [s.subject, s]));

const problems = [];
for (const s of summary) {
  const errs = s.errors + (s.halfLoad?.errors ?? 0);
  if (errs > 0) problems.push(`${s.subject} had ${errs} errors or non-2xx responses`);
}
problems.push(...notes);
const noisy = quietWaits.filter((w) => !w.quiet).length;
if (noisy > 0) {
  problems.push(
    `${noisy} of ${quietWaits.length} measurements started while other work kept a core busy (the machine is shared)`,
  );
}
for (const [name, reason] of unavailable) {
  problems.push(`${name} not measured: not yet available (${reason})`);
}
const fastest = Math.max(
  ...summary
    .filter((s) => s.subject !== 'direct' && s.subject !== 'node-server')
    .map((s) => s.medianRps),
);
if (by.direct && fastest > 0 && by.direct.medianRps < 1.5 * fastest) {
  problems.push(
    `direct (${fmt(by.direct.medianRps)} rps) is less than 1.5 × the fastest proxy (${fmt(fastest)} rps): ` +
      'wrk and the upstream share CPU 0, so that proxy was held back by the client side, not by its own core',
  );
}
for (const s of summary) {
  if (s.saturated === false) {
    problems.push(
      `${s.subject} got only ${fmt(s.proxyProcessPct)} % of its core (` +
        (s.foreignLoadPct > 100 - SATURATED_PCT
          ? `other processes took ${fmt(s.foreignLoadPct)} %`
          : 'held back by the client side') +
        `): its rps is a lower bound (≈ ${fmt(s.rpsPerProxyCore)} rps at a full core, from its CPU time per request)`,
    );
  }
}

const verdict = [];
const check = (label, ok) => verdict.push({ label, ok });
const srekit = by.srekit;
if (srekit) {
  for (const [peer, target] of Object.entries(RATIO_TARGETS)) {
    const p = by[peer];
    if (!p) continue;
    const ratio = srekit.medianRps / p.medianRps;
    const perCore = srekit.rpsPerProxyCore / p.rpsPerProxyCore;
    check(
      `srekit ≥ ${fmt(target, 1)} × ${peer} (measured ${fmt(ratio, 2)} ×: ${fmt(srekit.medianRps)} vs ${fmt(p.medianRps)} rps;` +
        ` ${fmt(perCore, 2)} × per full proxy core)`,
      ratio >= target,
    );
  }
  check(
    `srekit added p99 < ${ADDED_P99_TARGET_MS} ms at half of its peak (${fmt(srekit.halfLoad.proxiedRps)} rps):` +
      ` measured ${fmt(srekit.halfLoad.addedP99Ms * 1000)} µs (p99 ${fmt(srekit.halfLoad.p99Ms, 2)} ms vs direct ${fmt(srekit.halfLoad.directP99Ms, 2)} ms)`,
    srekit.halfLoad.addedP99Ms < ADDED_P99_TARGET_MS,
  );
}

// What Node itself allows: the calibration rows next to nginx and srekit.
const context = [];
if (by['node-server'] && by.nginx) {
  context.push(
    `Node's own http server answering the body itself, with no proxying at all, does ${fmt(by['node-server'].medianRps)} rps` +
      ` = ${fmt(by['node-server'].medianRps / by.nginx.medianRps, 2)} × nginx-as-a-proxy on this machine` +
      ` (${fmt(by['node-server'].proxyCpuUsPerRequest, 1)} µs of CPU per request against nginx's ${fmt(by.nginx.proxyCpuUsPerRequest, 1)} µs` +
      ' for a whole proxied exchange): the ceiling of every proxy on `node:http`.',
  );
}
if (by['undici-floor'] && srekit) {
  context.push(
    `The least a proxy on \`node:http\` + undici does (\`pool.request()\` and a pipe, nothing else) costs ${fmt(by['undici-floor'].proxyCpuUsPerRequest, 1)} µs` +
      ` of CPU per request (${fmt(by['undici-floor'].medianRps)} rps); srekit costs ${fmt(srekit.proxyCpuUsPerRequest, 1)} µs` +
      ` (${fmt(srekit.medianRps / by['undici-floor'].medianRps, 2)} × the floor's rps) with header handling, forwarded headers,` +
      " retries, the pool's lease (strategy, breaker, outlier detection, statistics), tracing hooks and problem answers.",
  );
}

const m = machine();
const result = {
  benchmark: 'engine-proxy',
  command: commandLine(import.meta.url),
  machine: m,
  versions,
  settings: {
    rounds: opts.rounds,
    durationS: opts.duration,
    warmupS: opts.warmup,
    latencyDurationS: opts.latencyDuration,
    calibrateS: opts.calibrate,
    connections: CONNECTIONS,
    wrkThreads: 1,
    paceDelayMs: PACE_DELAY_MS,
    path: PATH,
    upstream: `nginx, 1 worker, return 200 with a ${BODY.length}-byte JSON body`,
    pinned: canPin,
    boosted,
    nodeEnv: 'production',
  },
  elapsedS: Math.round((Date.now() - started) / 1000),
  unavailable: Object.fromEntries(unavailable),
  noise: {
    quietWaitMs: median(quietWaits.map((w) => w.waitedMs)),
    startedNoisy: noisy,
    medianForeignLoadPct: median(
      Object.values(throughput)
        .flat()
        .map((r) => r.foreignLoadPct),
    ),
  },
  summary,
  verdict,
  context,
  problems,
  runs: { throughput, latency },
};

const ratio = (s, peer) =>
  by[peer] && s.subject !== peer ? `${fmt(s.medianRps / by[peer].medianRps, 2)} ×` : '—';
const throughputTable = markdownTable(
  [
    'subject',
    'median rps',
    'rps range',
    '÷ nginx',
    '÷ reply-from',
    '÷ http-proxy',
    'p50',
    'p99',
    'µs added / req',
    'proxy CPU / req',
    'proxy process / other load on CPU 1',
    'CPU 0 busy (client)',
  ],
  summary.map((s) => [
    s.subject,
    fmt(s.medianRps),
    `${fmt(s.minRps)}–${fmt(s.maxRps)}`,
    ratio(s, 'nginx'),
    ratio(s, 'reply-from'),
    ratio(s, 'http-proxy'),
    `${fmt(s.p50Ms, 2)} ms`,
    `${fmt(s.p99Ms, 2)} ms`,
    s.subject === 'direct' ? '—' : fmt(s.usAddedPerRequest, 1),
    s.subject === 'direct' ? '—' : `${fmt(s.proxyCpuUsPerRequest, 1)} µs`,
    s.subject === 'direct' ? '—' : `${fmt(s.proxyProcessPct)} % / ${fmt(s.foreignLoadPct)} %`,
    `${fmt(s.clientCoreBusyPct)} %`,
  ]),
);
const latencyTable = markdownTable(
  [
    'subject',
    'rate: target (proxy / direct)',
    'p50',
    'p99',
    'direct p50',
    'direct p99',
    'added p50',
    'added p99',
  ],
  summary
    .filter((s) => s.halfLoad)
    .map((s) => [
      s.subject,
      `${fmt(s.halfLoad.targetRps)} (${fmt(s.halfLoad.proxiedRps)} / ${fmt(s.halfLoad.directRps)})`,
      `${fmt(s.halfLoad.p50Ms * 1000)} µs`,
      `${fmt(s.halfLoad.p99Ms * 1000)} µs`,
      `${fmt(s.halfLoad.directP50Ms * 1000)} µs`,
      `${fmt(s.halfLoad.directP99Ms * 1000)} µs`,
      `${fmt(s.halfLoad.addedP50Ms * 1000)} µs`,
      `${fmt(s.halfLoad.addedP99Ms * 1000)} µs`,
    ]),
);

console.log(`\n${throughputTable}\n\nLatency at half of each proxy's peak:\n\n${latencyTable}\n`);
printVerdicts(verdict, problems);
for (const c of context) console.log(`  ${c}`);
if (opts.rounds < 3)
  console.log(`(only ${opts.rounds} round(s): a smoke test, too noisy to judge the targets)`);

if (writeReport) {
  console.log(`\nwrote ${writeJson('engine-proxy.json', result)}`);
  const v = versions;
  const body = [
    '### Reverse proxy: throughput and added latency (`bench/engine-proxy`)',
    '',
    `One upstream for every subject: nginx (1 worker) answering \`GET ${PATH}\` with a fixed ${BODY.length}-byte JSON body,` +
      ' chosen over a Node server because it costs a few µs per request and has to share CPU 0 with wrk.' +
      ` Each proxy runs alone on CPU 1${canPin ? ' (`taskset -c 1`)' : ' (unpinned!)'}, a fresh process per measurement,` +
      ` warmed up for ${opts.warmup} s; keep-alive on both legs; no access logs; \`NODE_ENV=production\`.` +
      ` Throughput: ${opts.rounds} interleaved rounds (direct, nginx, reply-from, http-proxy, srekit, direct, …) of` +
      ` \`wrk -t1 -c${CONNECTIONS} -d${opts.duration}s --latency\` on CPU 0; medians over rounds.` +
      ' "µs added / req" is `1/rps − 1/rps(direct)`; "proxy CPU / req" is the proxy process\'s user + system time' +
      ' (from `/proc`) per request; the last columns show how much of CPU 1 the proxy process got, how much other' +
      ' processes took meanwhile (a shared machine), and how busy the client core (wrk + upstream) was.',
    '',
    throughputTable,
    '',
    ...summary.map((s) => `- **${s.subject}**: ${s.description}.`),
    ...[...unavailable].map(([name, reason]) => `- **${name}**: not yet available (${reason}).`),
    '',
    '**Latency at half load.** wrk2 (constant-rate wrk) is not available, so each proxy (a fresh process, warmed up' +
      ` for ${Math.min(opts.warmup, 1)} s at full speed), ${opts.rounds} round(s), is driven at half of its own` +
      ` median peak by wrk with a pacing script (\`paced.lua\`): after each response a connection waits ${PACE_DELAY_MS} ms` +
      ' before sending its next request, so the rate is connections ÷ (pause + latency). A calibration run of' +
      ` ${opts.calibrate} s sets the connection count, then ${opts.latencyDuration} s are measured; then direct is run the` +
      ' same way at the same target rate, and "added" is the proxy\'s p50 / p99 minus direct\'s. This is a closed loop' +
      ' with think time, not an open-loop load: a stall slows the offered load instead of queueing requests behind it,' +
      ' so the p99 here is optimistic compared with wrk2 (coordinated omission). The achieved rates are shown.',
    '',
    latencyTable,
    '',
    `**Verdict** (targets: srekit ≥ 0.5 × nginx, ≥ 1.0 × reply-from, ≥ 1.5 × http-proxy in rps; added p99 < ${ADDED_P99_TARGET_MS} ms at half of peak):`,
    '',
    ...(verdict.length
      ? verdictMarkdown(verdict, problems)
      : ['- srekit not measured: no verdict.', ...verdictMarkdown([], problems)]),
    '',
    ...context.map((c) => `- ${c}`),
    '',
    'Two cores cannot give the client side more than one: wrk and the upstream share CPU 0, so a proxy that needs' +
      ' less of CPU 1 than the client side needs of CPU 0 is held back by the client (see the CPU busy column);' +
      ' the "per full proxy core" ratio in the verdict compares 1 ÷ (proxy CPU time per request) instead, which' +
      " neither the client side nor other processes on the proxy's core distort.",
    '',
    `Command: \`${result.command}\` (${result.elapsedS} s). Node ${v.node}, nginx ${v.nginx}, ${v.wrk},` +
      ` fastify ${v.fastify}, @fastify/reply-from ${v['@fastify/reply-from']}, undici ${v.undici}, http-proxy ${v['http-proxy']};` +
      ` CPU ${m.cpu} (${m.cores} cores), ${m.platform}, ${m.date}` +
      `${boosted ? '; proxies, upstream and wrk at `nice -n -5`' : ''}.`,
    'Raw per-round numbers: [`bench/results/engine-proxy.json`](bench/results/engine-proxy.json).',
  ]
    .filter((l, i, a) => !(l === '' && a[i - 1] === ''))
    .join('\n');
  console.log(`wrote ${replaceSection('engine-proxy', body)}`);
}
