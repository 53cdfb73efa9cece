#!/usr/bin/env node
// How long rule generation takes for 1 000 SLOs, next to how long `promtool check rules` needs
// to read the same file (the cost of the step that follows in every CI pipeline).
//
// For each mode (srekit, sloth): build 1 000 SLO specs (a mix of events, latency and raw SLIs,
// 30d / 28d / 7d windows and, in srekit mode, calendar months), then time
// generatePrometheusRules() + serializeRules() in this process, and `promtool check rules` on the
// written file in a child process. Medians of N runs (default 5, at least 3) after one warm-up.
//
//   node bench/slo-rules/run.mjs            # writes bench/results/slo-rules.json and BENCHMARKS.md
//   node bench/slo-rules/run.mjs --quick    # 3 runs of 200 SLOs, prints only (a few seconds)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

const TARGET = { slos: 1_000, maxGenerateMs: 2_000 };

const opts = parseArgs(process.argv.slice(2), {
  quick: false,
  runs: 3,
  slos: TARGET.slos,
  write: false,
  noWrite: false,
});
if (opts.quick && !process.argv.some((a) => a.startsWith('--runs'))) opts.runs = 3;
// A smoke run checks the script with a fifth of the SLOs (promtool reading 1 000 takes seconds).
if (opts.quick && !process.argv.some((a) => a.startsWith('--slos'))) opts.slos = 200;
opts.runs = Math.max(3, opts.runs);
const writeReport = shouldWriteReport(opts);

const dist = join(repoRoot, 'packages/slo/dist');
if (!existsSync(join(dist, 'rules/generate.js'))) {
  console.error(
    '@srekit/slo is not built (packages/slo/dist/rules is missing). Build first:\n\n  npx tsc -b tsconfig.json\n',
  );
  process.exit(1);
}
const load = (file) => import(pathToFileURL(join(dist, file)).href);
const { generatePrometheusRules } = await load('rules/generate.js');
const { serializeRules } = await load('rules/serialize.js');
const { DEFAULT_ALERT_TIERS } = await load('defaults.js');

const promtool = ['promtool', '/usr/bin/promtool'].find(
  (bin) => !spawnSync(bin, ['--version'], { timeout: 10_000 }).error,
);
const promtoolVersion = promtool
  ? (spawnSync(promtool, ['--version'], { encoding: 'utf8' }).stdout ?? '').split('\n')[0]
  : null;

const DAY = 86_400;
const WINDOWS = [
  { kind: 'rolling', seconds: 30 * DAY, text: '30d' },
  { kind: 'rolling', seconds: 28 * DAY, text: '4w' },
  { kind: 'rolling', seconds: 7 * DAY, text: '1w' },
];
const MONTH = {
  kind: 'calendar',
  unit: 'month',
  count: 1,
  timeZone: 'UTC',
  seconds: 30 * DAY,
  text: '1 month (UTC)',
};

/** A realistic mix: 60 % events, 20 % latency, 20 % raw; windows rotate; every 10th SLO calendar. */
function specs(count, compat) {
  const out = [];
  for (let i = 0; i < count; i++) {
    const service = `svc${Math.floor(i / 5)}`;
    const name = `slo${i % 5}`;
    const job = `job="${service}"`;
    const kind = i % 5 < 3 ? 'events' : i % 5 === 3 ? 'latency' : 'raw';
    const sli =
      kind === 'events'
        ? {
            kind,
            errorQuery: `sum(rate(http_requests_total{${job},code=~"5.."}[{{.window}}]))`,
            totalQuery: `sum(rate(http_requests_total{${job}}[{{.window}}]))`,
          }
        : kind === 'latency'
          ? {
              kind,
              metric: 'http_server_request_duration_seconds',
              selector: job,
              thresholdSeconds: 0.3,
              le: '0.3',
            }
          : { kind, errorRatioQuery: `job:errors:ratio_rate{{.window}}{${job}}` };
    out.push({
      id: `${service}-${name}`,
      service,
      name,
      objective: 99.9,
      objectiveText: '99.9',
      window: compat === 'srekit' && i % 10 === 9 ? MONTH : WINDOWS[i % 3],
      budgetingMethod: { kind: 'occurrences' },
      sli,
      labels: { team: `team${i % 7}` },
      alerting: {
        name: `Svc${Math.floor(i / 5)}Slo${i % 5}`,
        labels: {},
        annotations: {},
        page: { enabled: true, labels: {}, annotations: {} },
        ticket: { enabled: true, labels: {}, annotations: {} },
        tiers: DEFAULT_ALERT_TIERS,
        minTrafficPerSecond: 0,
      },
      source: { format: 'srekit', location: { file: 'bench.yaml', line: 1, column: 1 } },
    });
  }
  return out;
}

const dir = mkdtempSync(join(tmpdir(), 'srekit-bench-slo-rules-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const started = Date.now();
const rows = [];
for (const compat of ['srekit', 'sloth']) {
  const input = specs(opts.slos, compat);
  const generate = () => serializeRules(generatePrometheusRules(input, { compat }));
  generate();
  const generateMs = [];
  let text = '';
  for (let run = 0; run < opts.runs; run++) {
    const t0 = performance.now();
    text = generate();
    generateMs.push(performance.now() - t0);
  }
  const file = join(dir, `${compat}.rules.yaml`);
  writeFileSync(file, text);
  const promtoolMs = [];
  let rules = null;
  if (promtool) {
    for (let run = 0; run <= opts.runs; run++) {
      const t0 = performance.now();
      const r = spawnSync(promtool, ['check', 'rules', file], {
        encoding: 'utf8',
        maxBuffer: 1 << 26,
      });
      const ms = performance.now() - t0;
      if (r.status !== 0) throw new Error(`promtool check rules failed:\n${r.stdout}${r.stderr}`);
      rules = Number(/SUCCESS: (\d+) rules found/.exec(r.stdout)?.[1] ?? Number.NaN);
      if (run > 0) promtoolMs.push(ms); // the first read warms the page cache
    }
  }
  const row = {
    compat,
    slos: opts.slos,
    rules,
    bytes: Buffer.byteLength(text),
    generateMs,
    medianGenerateMs: median(generateMs),
    promtoolMs,
    medianPromtoolMs: promtoolMs.length ? median(promtoolMs) : null,
  };
  rows.push(row);
  console.log(
    `${compat}: ${fmt(row.slos)} SLOs → ${fmt(row.rules)} rules, ${fmt(row.bytes / 1024)} KiB; generate ${fmt(row.medianGenerateMs, 1)} ms, promtool check ${row.medianPromtoolMs === null ? 'n/a' : `${fmt(row.medianPromtoolMs, 0)} ms`}`,
  );
}

const verdict = rows.map((row) => ({
  ok: row.slos >= TARGET.slos && row.medianGenerateMs <= TARGET.maxGenerateMs,
  label: `${row.compat}: ${fmt(TARGET.slos)} SLOs generated and serialised in ≤ ${fmt(TARGET.maxGenerateMs)} ms (measured ${fmt(row.medianGenerateMs, 0)} ms for ${fmt(row.slos)})`,
}));
printVerdicts(verdict);

const m = machine();
const result = {
  benchmark: 'slo-rules',
  command: commandLine(import.meta.url),
  machine: m,
  promtool: promtoolVersion,
  settings: { runs: opts.runs, slos: opts.slos },
  elapsedS: Math.round((Date.now() - started) / 1000),
  target: TARGET,
  verdict,
  rows,
};
const table = markdownTable(
  [
    'mode',
    'SLOs',
    'rules',
    'file',
    'generate + serialise (median)',
    'range',
    '`promtool check rules` (median)',
    'range',
  ],
  rows.map((r) => [
    r.compat,
    fmt(r.slos),
    fmt(r.rules),
    `${fmt(r.bytes / 1024 / 1024, 1)} MiB`,
    `${fmt(r.medianGenerateMs, 0)} ms`,
    `${fmt(Math.min(...r.generateMs), 0)}–${fmt(Math.max(...r.generateMs), 0)} ms`,
    r.medianPromtoolMs === null ? 'n/a' : `${fmt(r.medianPromtoolMs, 0)} ms`,
    r.promtoolMs.length
      ? `${fmt(Math.min(...r.promtoolMs), 0)}–${fmt(Math.max(...r.promtoolMs), 0)} ms`
      : 'n/a',
  ]),
);
console.log(`\n${table}\n`);

const jsonFile = writeJson(writeReport ? 'slo-rules.json' : 'slo-rules.quick.json.tmp', result);
console.log(`wrote ${jsonFile}`);
if (writeReport) {
  const body = [
    '### Rule generation for 1 000 SLOs (`bench/slo-rules`)',
    '',
    `\`generatePrometheusRules()\` + \`serializeRules()\` from \`@srekit/slo\` (built package) in one Node process,` +
      ` for ${fmt(opts.slos)} SLO specs: 60 % events, 20 % latency and 20 % raw SLIs, 30d / 28d / 7d windows in turn` +
      ' (srekit mode: every tenth a calendar month), workbook alert tiers. Next to it, measured in the same run on the' +
      ' file just written, the time `promtool check rules` takes to read and validate it (a child process; the first' +
      ` read is discarded as warm-up). Medians of ${opts.runs} runs after one warm-up generation.`,
    '',
    table,
    '',
    `**Target:** ${fmt(TARGET.slos)} SLOs in ≤ ${fmt(TARGET.maxGenerateMs)} ms.`,
    '',
    ...verdictMarkdown(verdict),
    '',
    `Command: \`${result.command}\` (${result.elapsedS} s). Node ${m.node}, ${promtoolVersion ?? 'promtool missing'}, CPU ${m.cpu} (${m.cores} cores), ${m.platform}, ${m.date}.`,
    'Raw numbers: [`bench/results/slo-rules.json`](bench/results/slo-rules.json).',
  ].join('\n');
  console.log(`wrote ${replaceSection('slo-rules', body)}`);
}
// A quick run measures fewer SLOs than the target names: it checks the script, not the target.
process.exit(opts.quick || verdict.every((v) => v.ok) ? 0 : 1);
