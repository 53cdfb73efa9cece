#!/usr/bin/env node
// Password hashing cost at srekit's parameters: `PasswordHasher.hash()` and `verify()` with
// argon2id (m = 19 MiB, t = 2, p = 1, OWASP) and the scrypt fallback (N = 2^17, r = 8, p = 1).
// Each figure is the median of `--runs` sequential calls after one warm-up (at least 5). A second
// measurement keeps as many verifications in flight as there are cores, for `--runs` × cores
// calls, and reports verifications per second: the login capacity of one instance when every
// core hashes.
//
//   node bench/security/password.mjs            # 11 runs; writes bench/results/security-password.json + BENCHMARKS.md
//   node bench/security/password.mjs --quick    # 5 runs, prints only
//
// Needs the built package: npx tsc -b packages/security
import { existsSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  commandLine,
  fmt,
  machine,
  markdownTable,
  median,
  parseArgs,
  replaceSection,
  repoRoot,
  shouldWriteReport,
  writeJson,
} from '../lib/report.mjs';

const opts = parseArgs(process.argv.slice(2), {
  quick: false,
  runs: 7,
  write: false,
  noWrite: false,
});
if (opts.quick && !process.argv.some((a) => a.startsWith('--runs'))) opts.runs = 5;
opts.runs = Math.max(5, opts.runs);
const writeReport = shouldWriteReport(opts);

const hasherJs = join(repoRoot, 'packages/security/dist/password/password-hasher.js');
if (!existsSync(hasherJs)) {
  console.error('@srekit/security is not built. Build first:\n\n  npx tsc -b packages/security\n');
  process.exit(1);
}
const { PasswordHasher } = await import(pathToFileURL(hasherJs).href);

const cores = os.availableParallelism?.() ?? os.cpus().length;
const PASSWORD = 'correct horse battery staple';

async function timeMs(fn) {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

async function measure(label, hasher) {
  const hash = await hasher.hash(PASSWORD);
  await hasher.verify(hash, PASSWORD);
  const hashMs = [];
  const verifyMs = [];
  for (let i = 0; i < opts.runs; i++) {
    hashMs.push(await timeMs(() => hasher.hash(PASSWORD)));
    verifyMs.push(await timeMs(() => hasher.verify(hash, PASSWORD)));
  }
  const total = opts.runs * cores;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: cores }, async () => {
      while (next++ < total) await hasher.verify(hash, PASSWORD);
    }),
  );
  const parallelPerSecond = total / ((performance.now() - started) / 1000);
  const row = {
    algorithm: label,
    parameters: hash.split('$').slice(1, -2).join(' '),
    hashMedianMs: median(hashMs),
    verifyMedianMs: median(verifyMs),
    hashMinMs: Math.min(...hashMs),
    hashMaxMs: Math.max(...hashMs),
    verifiesPerSecondAllCores: parallelPerSecond,
  };
  console.log(
    `${label.padEnd(9)} hash ${fmt(row.hashMedianMs, 1)} ms (min ${fmt(row.hashMinMs, 1)}, max ${fmt(row.hashMaxMs, 1)})  verify ${fmt(row.verifyMedianMs, 1)} ms  ${fmt(parallelPerSecond, 1)} verifies/s on ${cores} cores`,
  );
  return row;
}

// libuv runs argon2 and scrypt on its thread pool; give it one thread per core at least.
process.env.UV_THREADPOOL_SIZE ??= String(Math.max(4, cores));
console.log(`password hashing, ${opts.runs} runs each, ${cores} cores`);
const rows = [
  await measure('argon2id', new PasswordHasher()),
  await measure('scrypt', new PasswordHasher({ algorithm: 'scrypt' })),
];

if (writeReport) {
  const data = {
    command: commandLine(import.meta.url),
    machine: machine(),
    runs: opts.runs,
    elapsedS: Math.round(process.uptime()),
    cores,
    rows,
  };
  writeJson('security-password.json', data);
  const table = markdownTable(
    [
      'algorithm',
      'PHC parameters',
      'hash (median)',
      'verify (median)',
      'hash min–max',
      `verifies/s (${cores} in flight)`,
    ],
    rows.map((r) => [
      r.algorithm,
      `\`${r.parameters}\``,
      `${fmt(r.hashMedianMs, 1)} ms`,
      `${fmt(r.verifyMedianMs, 1)} ms`,
      `${fmt(r.hashMinMs, 1)}–${fmt(r.hashMaxMs, 1)} ms`,
      fmt(r.verifiesPerSecondAllCores, 1),
    ]),
  );
  const m = data.machine;
  replaceSection(
    'security-password',
    [
      '### Password hashing (`PasswordHasher`)',
      '',
      `\`${data.command}\` — ${m.cpu}, ${cores} cores, Node ${m.node}, ${m.date.slice(0, 10)}; medians of ${opts.runs} sequential calls after a warm-up.`,
      '',
      table,
      '',
      'OWASP aims for parameters that cost the server tens of milliseconds per login and an attacker the same per guess. The last column is the ceiling on password checks per second for one instance with every core hashing: size login rate limits and the login throttle well below it.',
    ].join('\n'),
  );
  console.log('wrote bench/results/security-password.json and BENCHMARKS.md');
}
