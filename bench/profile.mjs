#!/usr/bin/env node
// CPU profiles of the subjects whose recorded targets are missed: each runs under
// `node --cpu-prof` with the same load as in its benchmark, and the profile is summarised as a
// flame graph's top self-time view (functions and their share of busy time, grouped by package:
// srekit / undici / node internals / other packages / V8) into the `profiles` section of
// BENCHMARKS.md and bench/results/profiles.json.
//
//   node bench/profile.mjs                      # every benchmark with a recorded miss
//   node bench/profile.mjs --only engine-proxy  # one (also: node bench/engine-proxy/run.mjs --profile)
//   node bench/profile.mjs --seconds 5 --no-write
//
// Targets: core-overhead (srekit-metrics and srekit-full under wrk; instructions shares them),
// engine-proxy (srekit's createProxy under wrk, a Node upstream on CPU 0), engine-breaker
// (the sampling-mode record loop).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VARIANTS } from './core-overhead/variants.mjs';
import { pinnedCommand } from './lib/cpu.mjs';
import { summariseProfile } from './lib/cpuprofile.mjs';
import { freePort, killGroup, spawnServer, trackProcesses } from './lib/processes.mjs';
import {
  fmt,
  machine,
  markdownTable,
  parseArgs,
  replaceSection,
  requireBuiltCore,
  writeJson,
} from './lib/report.mjs';
import { runWrk } from './lib/wrk.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const opts = parseArgs(process.argv.slice(2), {
  only: '',
  seconds: 8,
  top: 12,
  write: false,
  noWrite: false,
});
const writeReport = !opts.noWrite;

const TARGETS = ['core-overhead', 'engine-proxy', 'engine-breaker'];
// Benchmarks whose misses one of the targets explains.
const EXPLAINS = { instructions: 'core-overhead' };

function recordedMisses(id) {
  const file = join(here, 'results', `${id}.json`);
  if (!existsSync(file)) return [];
  const j = JSON.parse(readFileSync(file, 'utf8'));
  return (j.verdict ?? []).filter((v) => !v.ok).map((v) => v.label);
}

let selected;
if (opts.only) {
  selected = opts.only.split(',').map((s) => EXPLAINS[s.trim()] ?? s.trim());
  for (const s of selected) {
    if (!TARGETS.includes(s)) {
      console.error(`profile.mjs: no profile target "${s}"; known: ${TARGETS.join(', ')}`);
      process.exit(2);
    }
  }
} else {
  selected = TARGETS.filter(
    (t) =>
      recordedMisses(t).length > 0 ||
      Object.entries(EXPLAINS).some(([b, t2]) => t2 === t && recordedMisses(b).length > 0),
  );
}
selected = [...new Set(selected)];
if (selected.length === 0) {
  console.log('profile.mjs: no recorded misses; nothing to profile (use --only to force one)');
  process.exit(0);
}

const clients = new Set();
const tmp = mkdtempSync(join(tmpdir(), 'srekit-profile-'));
const live = trackProcesses({
  cleanup: () => {
    for (const c of clients) c.kill('SIGKILL');
    rmSync(tmp, { recursive: true, force: true });
  },
});

async function waitReady(server, pattern, ms = 20_000) {
  const started = Date.now();
  while (Date.now() - started < ms) {
    if (pattern.test(server.output().stdout)) return;
    if (!live.has(server.child)) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  const { stdout, stderr } = server.output();
  throw new Error(`did not start:\n${stdout}\n${stderr}`);
}

async function stop(server) {
  killGroup(server.child, 'SIGTERM');
  const t = setTimeout(() => killGroup(server.child, 'SIGKILL'), 10_000);
  await server.exited;
  clearTimeout(t);
}

function profileIn(dir) {
  const f = readdirSync(dir).find((x) => x.endsWith('.cpuprofile'));
  if (!f) throw new Error(`no .cpuprofile written in ${dir}`);
  return join(dir, f);
}

/** A core-overhead server variant under wrk, profiled. */
async function profileServer(variantName) {
  const variant = VARIANTS.find((v) => v.name === variantName);
  const dir = mkdtempSync(join(tmp, `${variantName}-`));
  const port = await freePort();
  const [cmd, args] = pinnedCommand(1, process.execPath, [
    '--cpu-prof',
    `--cpu-prof-dir=${dir}`,
    ...variant.args,
  ]);
  const server = spawnServer(live, cmd, args, {
    cwd: join(here, 'core-overhead'),
    env: { ...process.env, PORT: String(port), NODE_ENV: 'production' },
  });
  await waitReady(server, /^ready /m);
  if (variant.authorization) throw new Error('profiling srekit-stack is not supported here');
  const url = `http://127.0.0.1:${port}/users/42`;
  await runWrk({ url, connections: 32, seconds: 1, cpu: 0, clients });
  const run = await runWrk({ url, connections: 32, seconds: opts.seconds, cpu: 0, clients });
  await stop(server);
  return {
    target: `core-overhead ${variantName}`,
    load: `wrk -t1 -c32 -d${opts.seconds}s against GET /users/42 (${fmt(run.rps)} rps under the profiler)`,
    command: `node --cpu-prof bench/core-overhead/${variant.args.at(-1)}`,
    ...summariseProfile(profileIn(dir)),
  };
}

/** srekit's createProxy under wrk, a Node upstream (node-server subject) on CPU 0. */
async function profileProxy() {
  const upPort = await freePort();
  const upstream = spawnServer(
    live,
    ...pinnedCommand(0, process.execPath, [join(here, 'engine-proxy/subject.mjs'), 'node-server']),
    {
      cwd: join(here, 'engine-proxy'),
      env: {
        ...process.env,
        PORT: String(upPort),
        UPSTREAM_URL: 'http://127.0.0.1:1',
        NODE_ENV: 'production',
      },
    },
  );
  await waitReady(upstream, /^ready /m);
  const dir = mkdtempSync(join(tmp, 'proxy-'));
  const port = await freePort();
  const proxy = spawnServer(
    live,
    ...pinnedCommand(1, process.execPath, [
      '--cpu-prof',
      `--cpu-prof-dir=${dir}`,
      join(here, 'engine-proxy/subject.mjs'),
      'srekit',
    ]),
    {
      cwd: join(here, 'engine-proxy'),
      env: {
        ...process.env,
        PORT: String(port),
        UPSTREAM_URL: `http://127.0.0.1:${upPort}`,
        NODE_ENV: 'production',
      },
    },
  );
  try {
    await waitReady(proxy, /^ready /m);
    const url = `http://127.0.0.1:${port}/bench`;
    await runWrk({ url, connections: 32, seconds: 1, cpu: 0, clients });
    const run = await runWrk({ url, connections: 32, seconds: opts.seconds, cpu: 0, clients });
    await stop(proxy);
    return {
      target: 'engine-proxy srekit',
      load: `wrk -t1 -c32 -d${opts.seconds}s through the proxy to a Node upstream (${fmt(run.rps)} rps under the profiler)`,
      command: 'node --cpu-prof bench/engine-proxy/subject.mjs srekit',
      ...summariseProfile(profileIn(dir)),
    };
  } finally {
    if (live.has(proxy.child)) await stop(proxy);
    await stop(upstream);
  }
}

/** The breaker's sampling-mode record loop (the recorded miss), in its own subject process. */
function profileBreaker() {
  const dir = mkdtempSync(join(tmp, 'breaker-'));
  const [cmd, args] = pinnedCommand(1, process.execPath, [
    '--expose-gc',
    '--cpu-prof',
    `--cpu-prof-dir=${dir}`,
    join(here, 'engine-breaker/subject.mjs'),
    'srekit-sampling',
    '10000000',
    '3',
  ]);
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`breaker subject failed: ${r.stderr}`);
  return {
    target: 'engine-breaker srekit-sampling',
    load: '3 × 10,000,000 records, the breaker reading its own clock',
    command:
      'node --expose-gc --cpu-prof bench/engine-breaker/subject.mjs srekit-sampling 10000000 3',
    ...summariseProfile(profileIn(dir)),
  };
}

requireBuiltCore(true);
const started = Date.now();
const results = [];
for (const target of selected) {
  console.log(`\n=== profile ${target}`);
  if (target === 'core-overhead') {
    for (const v of ['srekit-metrics', 'srekit-full']) results.push(await profileServer(v));
  } else if (target === 'engine-proxy') {
    results.push(await profileProxy());
  } else if (target === 'engine-breaker') {
    results.push(profileBreaker());
  }
}

const pct = (x) => `${fmt(x * 100, 1)} %`;
const parts = [];
for (const r of results) {
  console.log(`\n${r.target}: ${fmt(r.busyMs)} ms busy`);
  for (const g of r.groups.slice(0, 8)) console.log(`  ${pct(g.share).padStart(7)}  ${g.group}`);
  for (const f of r.functions.slice(0, opts.top)) {
    console.log(`  ${pct(f.share).padStart(7)}  ${f.name}  [${f.group}] ${f.location}`);
  }
  parts.push(
    `#### ${r.target}`,
    '',
    `\`${r.command}\`; load: ${r.load}. Busy CPU in the profile: ${fmt(r.busyMs)} ms (idle samples left out).`,
    '',
    markdownTable(
      ['group', 'self time', 'share of busy'],
      r.groups.slice(0, 8).map((g) => [g.group, `${fmt(g.ms)} ms`, pct(g.share)]),
    ),
    '',
    markdownTable(
      ['top self-time function', 'group', 'where', 'share of busy'],
      r.functions
        .slice(0, opts.top)
        .map((f) => [
          `\`${f.name}\``,
          f.group,
          f.location ? `\`${f.location}\`` : '—',
          pct(f.share),
        ]),
    ),
    '',
  );
}

const m = machine();
const elapsedS = Math.round((Date.now() - started) / 1000);
if (writeReport) {
  writeJson('profiles.json', {
    command: `node bench/profile.mjs ${process.argv.slice(2).join(' ')}`.trim(),
    machine: m,
    elapsedS,
    results: results.map((r) => ({ ...r, functions: r.functions.slice(0, 50) })),
  });
  replaceSection(
    'profiles',
    [
      '### CPU profiles of the missed targets (`bench/profile.mjs`)',
      '',
      'Each subject whose recorded target is missed runs under `node --cpu-prof` with the load of its benchmark; the tables are the top self-time view of the flame graph: time per function and per group (srekit = `packages/*/dist`, undici, node internals = `node:` modules and native frames, other packages by name, V8 garbage collector and unattributed native time). Shares are of busy time (idle samples left out). Profiling slows the subject; the shares, not the rates, are the point. Functions V8 inlined are counted in their caller (a tight loop calling srekit shows srekit time under the loop), native calls such as `performance.now` show as `now` without a location, and start-up (module loading: `wrapSafe`, `compileForInternalLoader`) is a few percent.',
      '',
      ...parts,
      `Command: \`node bench/run.mjs --profile\` (or \`node bench/<bench>/run.mjs --profile\`; ${elapsedS} s). Node ${m.node}, CPU ${m.cpu} (${m.cores} cores), ${m.platform}, ${m.date}.`,
      'Raw summaries: [`bench/results/profiles.json`](bench/results/profiles.json).',
    ].join('\n'),
  );
  console.log('\nwrote bench/results/profiles.json and the profiles section of BENCHMARKS.md');
}
process.exit(0);
