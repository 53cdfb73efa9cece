#!/usr/bin/env node
// Runs every srekit benchmark in turn: request-path overhead (wrk, then callgrind instruction
// counts), scrape cost, the in-process SLO tracker, SLO rule generation, password hashing,
// rate-limit decisions, JWT verification, the engine's load-balancing picks, its breaker and
// outlier-detector records, and its reverse proxy against nginx, reply-from and http-proxy.
//
//   node bench/run.mjs            # full runs; update bench/results/*.json and BENCHMARKS.md
//   node bench/run.mjs --quick    # short smoke runs; print only
//
// Options are forwarded to each benchmark (`--quick`, `--write`, `--no-write`). Assumes the
// workspace is built (`npx tsc -b tsconfig.json`).
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const forwarded = process.argv
  .slice(2)
  .filter((a) => ['--quick', '--write', '--no-write'].includes(a));
const unknown = process.argv.slice(2).filter((a) => !forwarded.includes(a));
if (unknown.length > 0) {
  console.error(
    `bench/run.mjs: unknown option(s) ${unknown.join(' ')}; run a single benchmark for more options`,
  );
  process.exit(2);
}

const benches = [
  'core-overhead/run.mjs',
  'instructions/run.mjs',
  'scrape/run.mjs',
  'slo-tracker/run.mjs',
  'slo-rules/run.mjs',
  'security/password.mjs',
  'security/rate-limit.mjs',
  'security/jwt.mjs',
  'engine-picker/run.mjs',
  'engine-breaker/run.mjs',
  'engine-proxy/run.mjs',
];
let failed = 0;
for (const bench of benches) {
  console.log(`\n=== ${bench} ${forwarded.join(' ')}`);
  // Hard ceiling per benchmark so a wedged run cannot hang CI: 20 minutes.
  const r = spawnSync(process.execPath, [join(here, bench), ...forwarded], {
    stdio: 'inherit',
    timeout: 20 * 60_000,
  });
  if (r.status !== 0) {
    failed++;
    console.error(`${bench} failed (${r.error?.message ?? `exit ${r.status ?? r.signal}`})`);
  }
}
process.exit(failed ? 1 : 0);
