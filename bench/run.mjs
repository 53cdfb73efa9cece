#!/usr/bin/env node
// Runs every srekit benchmark in turn: request-path overhead (wrk, then callgrind instruction
// counts), scrape cost, the in-process SLO tracker, SLO rule generation, password hashing,
// rate-limit decisions, JWT verification, the engine's load-balancing picks, its breaker and
// outlier-detector records, and its reverse proxy against nginx, reply-from and http-proxy.
// Prints each benchmark's wall time at the end (budget: 15 minutes full, 3 minutes --quick).
//
//   node bench/run.mjs               # full runs; update bench/results/*.json and BENCHMARKS.md
//   node bench/run.mjs --quick       # short smoke runs; print only (CI runs this)
//   node bench/run.mjs --charts-only # rebuild charts + figure lines of BENCHMARKS.md from results/*.json
//   node bench/run.mjs --profile     # CPU profiles of the subjects whose recorded targets are missed
//   node bench/run.mjs --only a,b    # only these benchmarks (names as in the summary table)
//
// Options are forwarded to each benchmark (`--quick`, `--write`, `--no-write`). Assumes the
// workspace is built (`npx tsc -b tsconfig.json`).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SECTIONS } from './lib/charts.mjs';
import { readSection, replaceSection } from './lib/report.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const forwarded = argv.filter((a) => ['--quick', '--write', '--no-write'].includes(a));
const chartsOnly = argv.includes('--charts-only');
const profile = argv.includes('--profile');
const onlyIdx = argv.indexOf('--only');
const only = onlyIdx === -1 ? null : (argv[onlyIdx + 1] ?? '').split(',').filter(Boolean);
const unknown = argv.filter(
  (a, i) =>
    !forwarded.includes(a) &&
    !['--charts-only', '--profile', '--only'].includes(a) &&
    !(onlyIdx !== -1 && i === onlyIdx + 1),
);
if (unknown.length > 0) {
  console.error(
    `bench/run.mjs: unknown option(s) ${unknown.join(' ')}; run a single benchmark for more options`,
  );
  process.exit(2);
}

// [name, script, BENCHMARKS.md section ids it writes]
const benches = [
  ['core-overhead', 'core-overhead/run.mjs', ['core-overhead']],
  ['instructions', 'instructions/run.mjs', ['instructions']],
  ['scrape', 'scrape/run.mjs', ['scrape']],
  ['slo-tracker', 'slo-tracker/run.mjs', ['slo-tracker']],
  ['slo-rules', 'slo-rules/run.mjs', ['slo-rules']],
  ['security-password', 'security/password.mjs', ['security-password']],
  ['security-rate-limit', 'security/rate-limit.mjs', ['security-rate-limit']],
  ['security-jwt', 'security/jwt.mjs', ['security-jwt']],
  ['engine-picker', 'engine-picker/run.mjs', ['engine-picker']],
  ['engine-breaker', 'engine-breaker/run.mjs', ['engine-breaker']],
  ['engine-proxy', 'engine-proxy/run.mjs', ['engine-proxy']],
].filter(([name]) => !only || only.includes(name));

if (chartsOnly) {
  // No measuring: every section whose JSON is recorded gets its charts and figure line again.
  let n = 0;
  for (const id of Object.keys(SECTIONS)) {
    if (only && !only.includes(id)) continue;
    const body = readSection(id);
    if (body === null || !existsSync(join(here, 'results', `${id}.json`))) {
      console.log(`skip ${id}: no section or no bench/results/${id}.json`);
      continue;
    }
    replaceSection(id, body);
    n++;
    console.log(`rebuilt ${id}`);
  }
  console.log(`${n} section(s) rebuilt from bench/results/*.json; charts in bench/results/charts/`);
  process.exit(0);
}

if (profile) {
  // CPU profiles of the subjects of every recorded miss (see profile.mjs).
  const r = spawnSync(
    process.execPath,
    [join(here, 'profile.mjs'), ...(only ? ['--only', only.join(',')] : [])],
    {
      stdio: 'inherit',
      timeout: 15 * 60_000,
    },
  );
  process.exit(r.status ?? 1);
}

const times = [];
let failed = 0;
const startedAll = Date.now();
for (const [name, script] of benches) {
  console.log(`\n=== ${script} ${forwarded.join(' ')}`);
  const started = Date.now();
  // Hard ceiling per benchmark so a wedged run cannot hang CI: 20 minutes.
  const r = spawnSync(process.execPath, [join(here, script), ...forwarded], {
    stdio: 'inherit',
    timeout: 20 * 60_000,
  });
  const ok = r.status === 0;
  if (!ok) {
    failed++;
    console.error(`${script} failed (${r.error?.message ?? `exit ${r.status ?? r.signal}`})`);
  }
  times.push({ name, seconds: (Date.now() - started) / 1000, ok });
}
const total = (Date.now() - startedAll) / 1000;
const budget = forwarded.includes('--quick') ? 180 : 900;
console.log(`\n${'benchmark'.padEnd(22)} ${'wall time'.padStart(10)}  status`);
for (const t of times) {
  console.log(
    `${t.name.padEnd(22)} ${`${t.seconds.toFixed(1)} s`.padStart(10)}  ${t.ok ? 'ok' : 'FAILED'}`,
  );
}
console.log(
  `${'total'.padEnd(22)} ${`${total.toFixed(1)} s`.padStart(10)}  ${
    total <= budget
      ? `within the ${budget / 60}-minute budget`
      : `OVER the ${budget / 60}-minute budget`
  }`,
);
// Recorded misses, so that a reader knows which profiles to look at.
const misses = [];
for (const [name] of benches) {
  const file = join(here, 'results', `${name}.json`);
  if (!existsSync(file)) continue;
  const j = JSON.parse(readFileSync(file, 'utf8'));
  for (const v of j.verdict ?? []) if (!v.ok) misses.push(`${name}: ${v.label}`);
}
if (misses.length > 0 && !forwarded.includes('--quick')) {
  console.log(
    '\nTargets missed in the recorded results (profile them: node bench/run.mjs --profile):',
  );
  for (const m of misses) console.log(`  MISS ${m}`);
}
process.exit(failed ? 1 : 0);
