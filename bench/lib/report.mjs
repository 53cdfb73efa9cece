// Helpers shared by the bench runners: statistics, machine facts, and regenerating one
// marked section of BENCHMARKS.md.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withFigures } from './charts.mjs';

export const benchDir = join(dirname(fileURLToPath(import.meta.url)), '..');
export const repoRoot = join(benchDir, '..');
export const resultsDir = join(benchDir, 'results');
export const benchmarksMd = join(repoRoot, 'BENCHMARKS.md');

export function median(values) {
  const xs = values
    .filter((v) => typeof v === 'number' && Number.isFinite(v))
    .sort((a, b) => a - b);
  if (xs.length === 0) return Number.NaN;
  const mid = xs.length >> 1;
  return xs.length % 2 ? xs[mid] : (xs[mid - 1] + xs[mid]) / 2;
}

export function cpuModel() {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    if (line) return line.split(':').slice(1).join(':').trim();
  } catch {
    // not Linux
  }
  return os.cpus()[0]?.model ?? 'unknown';
}

export function wrkVersion() {
  const r = spawnSync('wrk', ['--version'], { encoding: 'utf8', timeout: 5_000 });
  if (r.error) return null;
  const text = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  return (
    text
      .split('\n')[0]
      .replace(/\s*Copyright.*$/, '')
      .trim() || 'unknown'
  );
}

export function machine() {
  return {
    node: process.version,
    v8: process.versions.v8,
    cpu: cpuModel(),
    cores: os.availableParallelism?.() ?? os.cpus().length,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    date: new Date().toISOString(),
  };
}

/** The command line that produced this run, relative to the repository root. */
export function commandLine(scriptUrl, args = process.argv.slice(2)) {
  const script = relative(repoRoot, fileURLToPath(scriptUrl));
  return ['node', script, ...args].join(' ');
}

export function writeJson(name, data) {
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, name);
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
  return file;
}

/**
 * Replace the text between `<!-- id:start -->` and `<!-- id:end -->` in BENCHMARKS.md. The
 * section gets, under its heading, the uniform run / machine / date / peers line and its SVG
 * charts, both built from bench/results/<id>.json (see charts.mjs), so write the JSON first.
 */
export function replaceSection(id, body) {
  const start = `<!-- ${id}:start -->`;
  const end = `<!-- ${id}:end -->`;
  const block = `${start}\n${withFigures(id, body)}\n${end}`;
  let text = existsSync(benchmarksMd) ? readFileSync(benchmarksMd, 'utf8') : '# Benchmarks\n';
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i !== -1 && j > i) {
    text = text.slice(0, i) + block + text.slice(j + end.length);
  } else {
    text = `${text.trimEnd()}\n\n${block}\n`;
  }
  writeFileSync(benchmarksMd, text);
  return benchmarksMd;
}

/** The current body of a section of BENCHMARKS.md, or null when it has none. */
export function readSection(id) {
  if (!existsSync(benchmarksMd)) return null;
  const text = readFileSync(benchmarksMd, 'utf8');
  const start = `<!-- ${id}:start -->`;
  const end = `<!-- ${id}:end -->`;
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  return i !== -1 && j > i ? text.slice(i + start.length, j) : null;
}

export function markdownTable(header, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

export function fmt(n, digits = 0) {
  if (typeof n !== 'number' || !Number.isFinite(n)) return 'n/a';
  return n.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

export function parseArgs(argv, spec) {
  const out = { ...spec };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new Error(`unexpected argument: ${arg}`);
    const [rawKey, inline] = arg.slice(2).split('=', 2);
    const key = rawKey.replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    if (!(key in spec)) throw new Error(`unknown option: --${rawKey}`);
    if (typeof spec[key] === 'boolean') {
      out[key] = inline === undefined ? true : inline !== 'false';
    } else {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new Error(`--${rawKey} needs a value`);
      out[key] = typeof spec[key] === 'number' ? Number(value) : value;
      if (typeof spec[key] === 'number' && !(out[key] > 0))
        throw new Error(`--${rawKey} must be > 0`);
    }
  }
  return out;
}

/** Prints verdict lines (`PASS`/`MISS`) and problems to the console. */
export function printVerdicts(verdict, problems = []) {
  for (const v of verdict) console.log(`${v.ok ? 'PASS' : 'MISS'}  ${v.label}`);
  for (const p of problems) console.log(`PROBLEM  ${p}`);
}

/** Verdict lines (and problems) as Markdown list items for BENCHMARKS.md. */
export function verdictMarkdown(verdict, problems = []) {
  return [
    ...verdict.map((v) => `- ${v.ok ? '✅ pass' : '❌ miss'}: ${v.label}`),
    ...problems.map((p) => `- ⚠️ ${p}`),
  ];
}

/** "variant 1.00, other 2.00": spans exported per request, for the variants that trace. */
export function tracingSummary(summary) {
  return summary
    .filter((s) => s.spansPerRequest !== undefined)
    .map((s) => `${s.variant} ${fmt(s.spansPerRequest, 2)}`)
    .join(', ');
}

/**
 * Whether a run writes its results and BENCHMARKS.md section. Quick runs are smoke tests: they
 * print but do not overwrite the recorded numbers unless `--write` asks for it; `--no-write`
 * keeps a full run from writing.
 */
export function shouldWriteReport(opts) {
  return opts.noWrite ? false : opts.write || !opts.quick;
}

/** Exits with the build command when the benchmarks need @srekit/core and it is not built. */
export function requireBuiltCore(needed) {
  const coreDist = join(repoRoot, 'packages/core/dist/index.js');
  if (needed && !existsSync(coreDist)) {
    console.error(
      `@srekit/core is not built (packages/core/dist is missing). Build first:\n\n  npx tsc -b tsconfig.json\n`,
    );
    process.exit(1);
  }
}
