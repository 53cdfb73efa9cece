#!/usr/bin/env node
// JWT verifications per second: srekit's strict `JwtVerifier.verify()` against bare
// `jose.jwtVerify()` with the same key (one imported CryptoKey) and the same token, for ES256 and
// HS256. The bare call checks what a careful user would ask jose for (pinned algorithm, issuer,
// audience); srekit adds typ, kid, header, size and claim checks and builds its result.
//
// Rounds are interleaved (bare, srekit, bare, srekit, … alternating which goes first) and the
// table shows medians over rounds; the overhead is the median of per-round paired ratios, so load
// that drifts between rounds cancels out. Each measurement keeps `--concurrency` verifications in
// flight (default 1: one request after another, the least noisy on a shared machine) for
// `--duration-ms`.
//
//   node bench/security/jwt.mjs            # 5 rounds of 1 s; writes bench/results/security-jwt.json + BENCHMARKS.md
//   node bench/security/jwt.mjs --quick    # 3 rounds of 0.3 s, prints only
//
// Needs the built package: npx tsc -b packages/security
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
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

const TARGET_OVERHEAD = 0.1;
const opts = parseArgs(process.argv.slice(2), {
  quick: false,
  rounds: 5,
  durationMs: 1000,
  concurrency: 1,
  write: false,
  noWrite: false,
});
if (opts.quick) {
  if (!process.argv.some((a) => a.startsWith('--rounds'))) opts.rounds = 3;
  if (!process.argv.some((a) => a.startsWith('--duration-ms'))) opts.durationMs = 300;
}
const writeReport = shouldWriteReport(opts);

const securityDir = join(repoRoot, 'packages/security');
const verifierJs = join(securityDir, 'dist/jwt/jwt-verifier.js');
if (!existsSync(verifierJs)) {
  console.error('@srekit/security is not built. Build first:\n\n  npx tsc -b packages/security\n');
  process.exit(1);
}
const require = createRequire(join(securityDir, 'package.json'));
const jose = await import(pathToFileURL(require.resolve('jose')).href);
const { JwtVerifier } = await import(pathToFileURL(verifierJs).href);
const { webcrypto, randomUUID } = await import('node:crypto');

const ISSUER = 'https://id.example.com';
const AUDIENCE = 'orders-api';

async function setup(alg) {
  const now = Math.floor(Date.now() / 1000);
  const claims = { scope: 'orders:read', roles: ['viewer'] };
  let signKey;
  let verifyKey;
  let srekit;
  if (alg === 'HS256') {
    const secret = webcrypto.getRandomValues(new Uint8Array(32));
    signKey = secret;
    verifyKey = await webcrypto.subtle.importKey(
      'raw',
      secret,
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['verify'],
    );
    srekit = new JwtVerifier({ algorithms: [alg], issuer: ISSUER, audience: AUDIENCE, secret });
  } else {
    const pair = await jose.generateKeyPair(alg, { extractable: true });
    signKey = pair.privateKey;
    const jwk = { ...(await jose.exportJWK(pair.publicKey)), kid: 'k1', alg, use: 'sig' };
    verifyKey = await jose.importJWK(jwk, alg);
    srekit = new JwtVerifier({
      algorithms: [alg],
      issuer: ISSUER,
      audience: AUDIENCE,
      jwks: { keys: [jwk] },
    });
  }
  const token = await new jose.SignJWT(claims)
    .setProtectedHeader({ alg, typ: 'at+jwt', ...(alg === 'HS256' ? {} : { kid: 'k1' }) })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject('user-1')
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .setJti(randomUUID())
    .sign(signKey);
  const bareOptions = { algorithms: [alg], issuer: ISSUER, audience: AUDIENCE };
  const variants = {
    bare: async () => {
      const { payload } = await jose.jwtVerify(token, verifyKey, bareOptions);
      return payload.sub === 'user-1';
    },
    srekit: async () => {
      const result = await srekit.verify(token);
      return result.ok && result.claims.sub === 'user-1';
    },
  };
  for (const [name, fn] of Object.entries(variants)) {
    if (!(await fn())) throw new Error(`${alg} ${name}: the token did not verify`);
  }
  return variants;
}

/** Runs `ops` verifications, `concurrency` in flight; wall-clock ms and process CPU µs. */
async function slice(fn, ops, concurrency) {
  let left = ops;
  const worker = async () => {
    while (left-- > 0) if (!(await fn())) throw new Error('verification failed during the run');
  };
  const cpu = process.cpuUsage();
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const wallMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { wallMs, cpuUs: used.user + used.system };
}

/**
 * One round: the two variants alternate in short slices (A B B A A B …) for `durationMs`, so
 * load that changes during the round hits both alike. Answers verifications per wall-clock
 * second and CPU µs per verification (which the rest of a busy machine disturbs far less).
 */
async function round(variants, sliceOps, slices, concurrency, flip) {
  const totals = { bare: { ops: 0, wallMs: 0, cpuUs: 0 }, srekit: { ops: 0, wallMs: 0, cpuUs: 0 } };
  for (let i = 0; i < slices; i++) {
    const order = (i + (flip ? 1 : 0)) % 2 === 0 ? ['bare', 'srekit'] : ['srekit', 'bare'];
    for (const name of order) {
      const { wallMs, cpuUs } = await slice(variants[name], sliceOps, concurrency);
      totals[name].ops += sliceOps;
      totals[name].wallMs += wallMs;
      totals[name].cpuUs += cpuUs;
    }
  }
  const rate = (t) => (t.ops * 1000) / t.wallMs;
  const cpu = (t) => t.cpuUs / t.ops;
  return {
    bare: { rate: rate(totals.bare), cpuUs: cpu(totals.bare) },
    srekit: { rate: rate(totals.srekit), cpuUs: cpu(totals.srekit) },
  };
}

const SLICE_MS = 50;
const algs = ['ES256', 'HS256'];
const rows = [];
const raw = {};
for (const alg of algs) {
  const variants = await setup(alg);
  // Warm-up (JIT, key import caches), then size the slices from the bare call's speed.
  for (const fn of Object.values(variants)) await slice(fn, 500, opts.concurrency);
  const probe = await slice(variants.bare, 500, opts.concurrency);
  const sliceOps = Math.max(20, Math.round((SLICE_MS * 500) / probe.wallMs));
  const slices = Math.max(2, Math.round(opts.durationMs / (2 * SLICE_MS)));
  const rounds = [];
  for (let r = 0; r < opts.rounds; r++)
    rounds.push(await round(variants, sliceOps, slices, opts.concurrency, r % 2 === 1));
  const bare = median(rounds.map((r) => r.bare.rate));
  const srekit = median(rounds.map((r) => r.srekit.rate));
  const cpuBare = median(rounds.map((r) => r.bare.cpuUs));
  const cpuSrekit = median(rounds.map((r) => r.srekit.cpuUs));
  const wallOverhead = median(rounds.map((r) => 1 - r.srekit.rate / r.bare.rate));
  const cpuOverhead = median(rounds.map((r) => r.srekit.cpuUs / r.bare.cpuUs - 1));
  raw[alg] = rounds;
  rows.push({ alg, bare, srekit, cpuBare, cpuSrekit, wallOverhead, cpuOverhead });
  console.log(
    `${alg}: bare ${fmt(bare)}/s, srekit ${fmt(srekit)}/s (wall overhead ${fmt(wallOverhead * 100, 1)} %); ` +
      `CPU ${fmt(cpuBare, 1)} → ${fmt(cpuSrekit, 1)} µs/verify (${fmt(cpuOverhead * 100, 1)} %)`,
  );
}

const verdict = rows.map((r) => ({
  ok: r.cpuOverhead <= TARGET_OVERHEAD,
  label: `${r.alg}: strict wrapper overhead ${fmt(r.cpuOverhead * 100, 1)} % CPU per verification (wall-clock rate ${fmt(r.wallOverhead * 100, 1)} %) ≤ ${TARGET_OVERHEAD * 100} %`,
}));
printVerdicts(verdict);

if (writeReport) {
  const data = {
    machine: machine(),
    command: commandLine(import.meta.url),
    elapsedS: Math.round(process.uptime()),
    options: opts,
    rows,
    raw,
  };
  writeJson('security-jwt.json', data);
  const m = data.machine;
  const body = [
    '### JWT verification: srekit strict verifier vs bare jose',
    '',
    `\`${data.command}\` — ${opts.rounds} rounds of ${opts.durationMs} ms per variant, the variants alternating in 50 ms slices, ${opts.concurrency} verification(s) in flight; overheads are medians of per-round ratios. Node ${m.node}, ${m.cpu}, ${m.cores} cores, ${m.date.slice(0, 10)}.`,
    '',
    markdownTable(
      [
        'alg',
        'bare jose.jwtVerify (/s)',
        'srekit JwtVerifier.verify (/s)',
        'wall-clock overhead',
        'CPU µs per verify (bare → srekit)',
        'CPU overhead',
      ],
      rows.map((r) => [
        r.alg,
        fmt(r.bare),
        fmt(r.srekit),
        `${fmt(r.wallOverhead * 100, 1)} %`,
        `${fmt(r.cpuBare, 1)} → ${fmt(r.cpuSrekit, 1)}`,
        `${fmt(r.cpuOverhead * 100, 1)} %`,
      ]),
    ),
    '',
    'Same CryptoKey and token for both. The bare call pins the algorithm, issuer and audience;',
    'srekit also checks size, segments, `typ`, `kid` shape and lookup, key-carrying headers and',
    'required claims (`exp`, `iss`, `aud`, `sub`). Target: overhead ≤ 10 %, judged on CPU time per',
    'verification (process CPU, crypto thread pool included), which other load on the machine',
    'disturbs far less than wall-clock rates.',
    '',
    ...verdictMarkdown(verdict),
  ].join('\n');
  replaceSection('security-jwt', body);
  console.log('wrote bench/results/security-jwt.json and BENCHMARKS.md');
}
