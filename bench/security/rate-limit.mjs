#!/usr/bin/env node
// What a rate-limit decision costs: srekit's rateLimit() against the bare express-rate-limit 8
// middleware (draft-8 headers, same limit and window), with the in-memory store and with Redis
// (rate-limit-redis over ioredis, a real redis-server on loopback).
//
// Every measurement runs in a fresh process (bench/security/rate-limit-subject.mjs, pinned to CPU 1
// when possible); rounds interleave the variants and the tables show medians over rounds.
//
//   node bench/security/rate-limit.mjs            # 5 rounds; writes bench/results/security-rate-limit.json + BENCHMARKS.md
//   node bench/security/rate-limit.mjs --quick    # 3 short repeats per process, prints only
//
// Needs the built packages: npx tsc -b packages/security
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
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
const TARGET = { memoryDecisionUs: 2 };
const VARIANTS = ['srekit', 'erl'];
const LABEL = { srekit: 'srekit `rateLimit()`', erl: 'bare express-rate-limit 8' };

const opts = parseArgs(process.argv.slice(2), {
  quick: false,
  rounds: 3,
  write: false,
  noWrite: false,
});
if (opts.quick && !process.argv.some((a) => a.startsWith('--rounds'))) opts.rounds = 3;
const writeReport = shouldWriteReport(opts);

for (const dist of [
  'packages/core/dist/testing/index.js',
  'packages/security/dist/rate-limit/rate-limit.js',
]) {
  if (!existsSync(join(repoRoot, dist))) {
    console.error(`${dist} is missing. Build first:\n\n  npx tsc -b packages/security\n`);
    process.exit(1);
  }
}
const pinned = canPin;
const redisBin = ['redis-server', '/usr/bin/redis-server', '/usr/sbin/redis-server'].find(
  (bin) => !spawnSync(bin, ['--version'], { timeout: 5_000 }).error,
);

function measure(variant, store, repeats, redisUrl) {
  const args = [
    variant,
    store,
    opts.quick ? '1' : '0',
    String(repeats),
    ...(redisUrl ? [redisUrl] : []),
  ];
  return runSubject(join(here, 'rate-limit-subject.mjs'), args, {
    nodeArgs: [],
    label: `${variant}/${store}`,
  });
}

const started = Date.now();
const { startRedisServer } = await import(
  pathToFileURL(join(repoRoot, 'packages/core/dist/testing/index.js')).href
);
const redis = redisBin ? await startRedisServer({ bin: redisBin }) : undefined;
const stores = redis ? ['memory', 'redis'] : ['memory'];
console.log(
  `security/rate-limit: ${opts.rounds} rounds${opts.quick ? ' (quick)' : ''}${pinned ? ', subject on CPU 1' : ''}` +
    `${redis ? '' : ', no redis-server: memory store only'}`,
);
const samples = Object.fromEntries(
  stores.flatMap((store) => VARIANTS.map((variant) => [`${variant}/${store}`, []])),
);
try {
  if (opts.quick) {
    for (const store of stores) {
      for (const variant of VARIANTS) {
        samples[`${variant}/${store}`].push(...measure(variant, store, opts.rounds, redis?.url));
      }
    }
  } else {
    for (let round = 1; round <= opts.rounds; round++) {
      for (const store of stores) {
        for (const variant of VARIANTS) {
          samples[`${variant}/${store}`].push(...measure(variant, store, 1, redis?.url));
        }
      }
      console.log(
        `  round ${round}: memory srekit ${fmt(samples['srekit/memory'].at(-1).usPerDecision, 2)} µs,` +
          ` bare ${fmt(samples['erl/memory'].at(-1).usPerDecision, 2)} µs`,
      );
    }
  }
} finally {
  await redis?.stop();
}

const med = (id, key) => median(samples[id].map((s) => s[key]));
const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? a / b : Number.NaN);
const medians = Object.fromEntries(
  Object.keys(samples).map((id) => [
    id,
    { usPerDecision: med(id, 'usPerDecision'), decisionsPerSecond: med(id, 'decisionsPerSecond') },
  ]),
);
const rows = stores.flatMap((store) =>
  VARIANTS.map((variant) => {
    const m = medians[`${variant}/${store}`];
    const peer = medians[`erl/${store}`];
    return [
      LABEL[variant],
      store === 'memory' ? 'memory' : 'Redis',
      `${fmt(m.usPerDecision, 2)} µs`,
      fmt(m.decisionsPerSecond),
      fmt(ratio(m.usPerDecision, peer.usPerDecision), 2),
    ];
  }),
);
const table = markdownTable(
  ['middleware', 'store', 'per decision (sequential)', 'decisions/s', 'time vs bare'],
  rows,
);
const memoryUs = medians['srekit/memory'].usPerDecision;
const verdict = [
  {
    label: `memory-store decision ${fmt(memoryUs, 2)} µs (target ≤ ${TARGET.memoryDecisionUs} µs)`,
    ok: memoryUs <= TARGET.memoryDecisionUs,
  },
];
console.log(`\n${table}\n`);
printVerdicts(verdict);

const m = machine();
const result = {
  benchmark: 'security-rate-limit',
  command: commandLine(import.meta.url),
  machine: m,
  settings: { rounds: opts.rounds, quick: opts.quick, pinned, redis: Boolean(redis) },
  elapsedS: Math.round((Date.now() - started) / 1000),
  target: TARGET,
  verdict,
  medians,
  samples,
};
const jsonFile = writeJson(
  writeReport ? 'security-rate-limit.json' : 'security-rate-limit.quick.json.tmp',
  result,
);
console.log(`\nwrote ${jsonFile}`);
if (writeReport) {
  const n = (store) => samples[`srekit/${store}`][0]?.n;
  const body = [
    '### Rate-limit decisions (`bench/security/rate-limit.mjs`)',
    '',
    'One decision is one pass of a fresh request through the middleware up to its `next()`, with a limit high enough' +
      ' that every request is admitted and client addresses cycling over 1 000 values. Both middlewares send draft-8' +
      ' `RateLimit`/`RateLimit-Policy` headers and no legacy headers; the peer is `rateLimit()` of express-rate-limit 8' +
      ' with its defaults (its validations on), over the same stores (its `MemoryStore`; rate-limit-redis over ioredis).' +
      ` Every measurement runs in a fresh process${pinned ? ' pinned to CPU 1' : ''};` +
      ` ${opts.quick ? `${opts.rounds} repeats inside that process` : `${opts.rounds} interleaved rounds`}, medians shown.` +
      ` Memory: ${fmt(n('memory'))} sequential decisions after a warm-up of 50 000.` +
      (redis
        ? ` Redis: a \`redis-server\` on loopback; ${fmt(n('redis'))} sequential decisions (latency), then as many with 64 in flight (decisions/s).`
        : ''),
    '',
    table,
    '',
    'srekit counts with the same stores but runs its own decision path: one `await` per limit instead of' +
      " express-rate-limit's chain of awaited option callbacks, IPv4 keys without the IPv6 pattern test, and the" +
      ' draft-8 partition key (a SHA-256 of the bucket key) cached per client instead of hashed per request.' +
      ' With Redis the round trip dominates both.',
    '',
    `**Target:** memory-store decision ≤ ${TARGET.memoryDecisionUs} µs.`,
    '',
    ...verdictMarkdown(verdict),
    '',
    `Command: \`${result.command}\` (${result.elapsedS} s). Node ${m.node}, CPU ${m.cpu} (${m.cores} cores), ${m.platform}, ${m.date}.`,
    'Raw samples: [`bench/results/security-rate-limit.json`](bench/results/security-rate-limit.json).',
  ].join('\n');
  console.log(`wrote ${replaceSection('security-rate-limit', body)}`);
}
