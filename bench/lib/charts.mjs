// Charts and the uniform "how this was measured" line of each BENCHMARKS.md section, built from
// the recorded bench/results/<id>.json alone, so that `node bench/run.mjs --charts-only` can
// rebuild them without measuring again. `replaceSection()` (report.mjs) calls `sectionFigures()`
// every time a bench writes its section.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { barChart } from './svg.mjs';

/** The sections that have a chart, with the script that writes them and the peers they measure. */
export const SECTIONS = {
  'core-overhead': {
    script: 'bench/core-overhead/run.mjs',
    peers: [
      'express',
      'express-prom-bundle',
      'prom-client',
      '@opentelemetry/sdk-trace-node',
      '@opentelemetry/instrumentation-http',
      '@opentelemetry/instrumentation-express',
    ],
  },
  instructions: {
    script: 'bench/instructions/run.mjs',
    peers: ['express', 'express-prom-bundle', '@opentelemetry/sdk-trace-node'],
  },
  scrape: { script: 'bench/scrape/run.mjs', peers: ['prom-client', 'express'] },
  'slo-tracker': { script: 'bench/slo-tracker/run.mjs', peers: ['prom-client'] },
  'slo-rules': { script: 'bench/slo-rules/run.mjs', peers: [] },
  'security-rate-limit': {
    script: 'bench/security/rate-limit.mjs',
    peers: ['express-rate-limit', 'rate-limit-redis', 'ioredis'],
  },
  'security-password': { script: 'bench/security/password.mjs', peers: [] },
  'security-jwt': { script: 'bench/security/jwt.mjs', peers: ['jose'] },
  'engine-picker': { script: 'bench/engine-picker/run.mjs', peers: ['undici'] },
  'engine-breaker': { script: 'bench/engine-breaker/run.mjs', peers: ['opossum', 'cockatiel'] },
  'engine-proxy': {
    script: 'bench/engine-proxy/run.mjs',
    peers: ['fastify', '@fastify/reply-from', 'undici', 'http-proxy'],
  },
};

const here = new URL('.', import.meta.url).pathname;
const benchDir = join(here, '..');
export const chartsDir = join(benchDir, 'results', 'charts');

const require = createRequire(join(benchDir, 'package.json'));
const securityRequire = createRequire(join(benchDir, '..', 'packages', 'security', 'package.json'));

/** Installed version of a peer package (resolved from bench/, then from packages/security). */
export function peerVersion(name) {
  for (const req of [require, securityRequire]) {
    try {
      const dir = req.resolve(`${name}/package.json`);
      return JSON.parse(readFileSync(dir, 'utf8')).version;
    } catch {
      // try the next; some packages do not export package.json
    }
    try {
      let dir = req.resolve(name);
      for (let i = 0; i < 6; i++) {
        dir = join(dir, '..');
        const pj = join(dir, 'package.json');
        if (existsSync(pj)) {
          const j = JSON.parse(readFileSync(pj, 'utf8'));
          if (j.name === name) return j.version;
        }
      }
    } catch {
      // not installed here
    }
  }
  return null;
}

function median(xs) {
  const s = xs.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const n = (v, d = 0) =>
  Number.isFinite(v)
    ? v.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d })
    : 'n/a';

/** Chart specs (`{ name, alt, ...barChart options }`) for one section's recorded JSON. */
export function chartSpecs(id, j) {
  switch (id) {
    case 'core-overhead':
      return [
        {
          name: id,
          alt: 'Request-path throughput of each variant relative to bare express',
          title: 'Throughput vs bare express (median rps ratio, higher is better)',
          unit: '× bare',
          bars: j.summary.map((s) => ({
            label: s.variant,
            value: s.ratioVsBare,
            text: `${n(s.ratioVsBare, 3)} (${n(s.medianRps)} rps)`,
            highlight: s.variant.startsWith('srekit'),
          })),
          target: [
            { value: 0.95, label: 'metrics ≤ 5 %' },
            { value: 0.85, label: 'everything on ≤ 15 %' },
          ],
        },
      ];
    case 'instructions':
      return [
        {
          name: id,
          alt: 'Instructions per request of each variant relative to bare express',
          title: 'Instructions per request vs bare express (lower is better)',
          unit: '× bare',
          bars: j.summary.map((s) => ({
            label: s.variant,
            value: s.ratioVsBare,
            text: `${n(s.ratioVsBare, 3)} (${n(s.instructionsPerRequest)})`,
            highlight: s.variant.startsWith('srekit'),
          })),
          target: [
            { value: 1.05, label: 'metrics ≤ 1.05' },
            { value: 1.15, label: 'everything on ≤ 1.15' },
          ],
        },
      ];
    case 'scrape':
      return [
        {
          name: id,
          alt: 'Longest event-loop block during one scrape, per registry size and subject',
          title: 'Max event-loop delay during a scrape (ms, lower is better)',
          unit: 'ms',
          log: true,
          bars: j.rows.map((r) => ({
            label: `${r.case}: ${r.subject}, ${r.mode.replace('registry.metrics() ', '')}`,
            value: r.medianMaxDelayMs,
            text: `${n(r.medianMaxDelayMs, 1)} ms`,
            highlight: r.subject === 'srekit',
          })),
          target: { value: 50, label: '≤ 50 ms at 10k series' },
        },
      ];
    case 'slo-tracker': {
      const m = j.medians;
      return [
        {
          name: id,
          alt: 'Cost of recording one event in the SLO tracker and in its peers',
          title: 'Cost per recorded event (ns, lower is better)',
          unit: 'ns',
          bars: [
            ['tracker.record(id, good, at)', m.recordAtNs, true],
            ['tracker.record(id, good)', m.recordClockNs, true],
            ['Date.now() alone', m.dateNowNs],
            ['naive exact tracker push', m.naiveRecordNs],
            ['prom-client counter.inc(labels)', m.promCounterIncNs],
            ['prom-client bound child .inc()', m.promCounterChildIncNs],
          ].map(([label, value, highlight]) => ({
            label,
            value,
            text: `${n(value, 1)} ns`,
            highlight,
          })),
          target: { value: 50, label: 'record ≤ 50 ns' },
        },
      ];
    }
    case 'slo-rules':
      return [
        {
          name: id,
          alt: 'Time to generate rules for 1 000 SLOs next to promtool reading them',
          title: '1 000 SLOs: generate + serialise vs promtool check rules (ms)',
          unit: 'ms',
          bars: j.rows.flatMap((r) => [
            {
              label: `${r.compat}: generate + serialise`,
              value: r.medianGenerateMs,
              text: `${n(r.medianGenerateMs)} ms`,
              highlight: true,
            },
            {
              label: `${r.compat}: promtool check rules`,
              value: r.medianPromtoolMs,
              text: `${n(r.medianPromtoolMs)} ms`,
            },
          ]),
          target: { value: 2000, label: '≤ 2 s' },
        },
      ];
    case 'security-rate-limit':
      return [
        {
          name: id,
          alt: 'Rate-limit decisions per second, srekit and express-rate-limit, memory and Redis',
          title: 'Rate-limit decisions per second (higher is better)',
          unit: '/s',
          log: true,
          bars: Object.entries(j.medians).map(([k, v]) => {
            const [who, store] = k.split('/');
            return {
              label: `${who === 'srekit' ? 'srekit rateLimit()' : 'express-rate-limit'}, ${store}`,
              value: v.decisionsPerSecond,
              text: `${n(v.decisionsPerSecond)}/s (${n(v.usPerDecision, 2)} µs seq.)`,
              highlight: who === 'srekit',
            };
          }),
          target: { value: 500_000, label: '2 µs/decision' },
        },
      ];
    case 'security-password':
      return [
        {
          name: id,
          alt: 'Median password hash time with argon2id and scrypt',
          title: 'Password hash time (median ms)',
          unit: 'ms',
          log: true,
          bars: j.rows.flatMap((r) => [
            {
              label: `${r.algorithm} hash`,
              value: r.hashMedianMs,
              text: `${n(r.hashMedianMs, 1)} ms`,
              highlight: true,
            },
            {
              label: `${r.algorithm} verify`,
              value: r.verifyMedianMs,
              text: `${n(r.verifyMedianMs, 1)} ms`,
            },
          ]),
        },
      ];
    case 'security-jwt':
      return [
        {
          name: id,
          alt: 'JWT verifications per second, srekit strict verifier and bare jose',
          title: 'JWT verifications per second (higher is better)',
          unit: '/s',
          bars: j.rows.flatMap((r) => [
            { label: `${r.alg} bare jose.jwtVerify`, value: r.bare, text: `${n(r.bare)}/s` },
            {
              label: `${r.alg} srekit JwtVerifier`,
              value: r.srekit,
              text: `${n(r.srekit)}/s (${n(r.cpuOverhead * 100, 1)} % CPU overhead)`,
              highlight: true,
            },
          ]),
        },
      ];
    case 'engine-picker': {
      const order = Object.keys(j.samples).filter((k) => !k.startsWith('pool-'));
      const at = (k, size) => median(j.samples[k].map((s) => s.nsPerPick[size]));
      const targets = {
        'least-request': 50,
        'p2c-ewma': 60,
        'weighted-round-robin': 150,
        maglev: 100,
        'ring-hash': 300,
      };
      const sizes = [1000, 10000];
      return [
        {
          name: id,
          alt: 'Nanoseconds per pick of each strategy at 1 000 and 10 000 backends',
          title: 'ns per pick at 1 000 / 10 000 backends (lower is better)',
          unit: 'ns',
          log: true,
          legend: sizes.map((s) => `${n(s)} backends`),
          bars: order.flatMap((k) =>
            sizes.map((size, i) => ({
              label: i === 0 ? `${k}${targets[k] ? ` (target ≤ ${targets[k]} ns)` : ''}` : '',
              value: at(k, size),
              text: `${n(at(k, size), 1)}`,
              group: i,
            })),
          ),
        },
      ];
    }
    case 'engine-breaker': {
      const rows = Object.values(j.results)
        .filter((r) => r.nsPerRecord)
        .map((r) => ({
          label: r.variant,
          value: median(r.nsPerRecord),
          highlight: r.variant.startsWith('srekit'),
        }));
      const calls = Object.values(j.results)
        .filter((r) => r.nsPerCall)
        .map((r) => ({
          label: `${r.variant} (whole async call)`,
          value: median(r.nsPerCall),
          highlight: r.variant.startsWith('srekit'),
        }));
      return [
        {
          name: id,
          alt: 'Nanoseconds per recorded outcome of srekit, cockatiel and opossum breakers',
          title: 'Breaker: ns per record / per guarded call (lower is better)',
          unit: 'ns',
          log: true,
          bars: [...rows, ...calls].map((b) => ({ ...b, text: `${n(b.value, 1)} ns` })),
          target: { value: 100, label: 'record ≤ 100 ns' },
        },
      ];
    }
    case 'engine-proxy': {
      const nginx = j.summary.find((s) => s.subject === 'nginx')?.medianRps;
      const specs = [
        {
          name: id,
          alt: 'Reverse-proxy throughput of each subject relative to nginx',
          title: 'Proxy throughput relative to nginx (median rps, higher is better)',
          unit: '× nginx',
          bars: j.summary.map((s) => ({
            label: s.subject,
            value: s.medianRps / nginx,
            text: `${n(s.medianRps / nginx, 2)} × (${n(s.medianRps)} rps)`,
            highlight: s.subject === 'srekit',
          })),
          target: { value: 0.5, label: 'srekit ≥ 0.5 × nginx' },
        },
      ];
      const half = j.summary.filter((s) => s.halfLoad);
      if (half.length > 0) {
        specs.push({
          name: `${id}-latency`,
          alt: 'p99 latency each proxy adds at half of its peak rate',
          title: 'Added p99 latency at half of peak (µs, lower is better)',
          unit: 'µs',
          bars: half.map((s) => ({
            label: s.subject,
            value: Math.max(0, s.halfLoad.addedP99Ms * 1000),
            text: `${n(s.halfLoad.addedP99Ms * 1000)} µs`,
            highlight: s.subject === 'srekit',
          })),
          target: { value: 1000, label: '< 1 ms' },
        });
      }
      return specs;
    }
    default:
      return [];
  }
}

function uniformLine(id, j) {
  const m = j.machine ?? {};
  const meta = SECTIONS[id];
  const versions = { ...(j.versions ?? {}) };
  const peers = meta.peers
    .map((p) => `${p} ${versions[p] ?? peerVersion(p) ?? '?'}`)
    .concat(j.promtool ? [`promtool ${/version (\S+)/.exec(String(j.promtool))?.[1] ?? '?'}`] : [])
    .concat(versions.nginx ? [versions.nginx] : [])
    .concat((m.wrk ?? versions.wrk) ? [m.wrk ?? versions.wrk] : []);
  const command = j.command ?? `node ${meta.script}`;
  return [
    `**Run:** \`${command}\`${Number.isFinite(j.elapsedS) ? ` (${n(j.elapsedS)} s)` : ''}`,
    `**Machine:** ${m.cpu ?? '?'}, ${m.cores ?? '?'} cores, Node ${m.node ?? '?'}, ${m.platform ?? '?'}`,
    `**Date:** ${m.date ?? '?'}`,
    `**Peers:** ${peers.length ? peers.join(', ') : 'none'}`,
  ].join(' · ');
}

/**
 * Writes the charts of section `id` from its recorded JSON (bench/results/<id>.json) and returns
 * the Markdown that goes under the section heading: the uniform run/machine/date/peers line and
 * the chart images; '' when there is no recorded JSON.
 */
export function sectionFigures(id) {
  const meta = SECTIONS[id];
  const file = join(benchDir, 'results', `${id}.json`);
  if (!meta || !existsSync(file)) return '';
  const j = JSON.parse(readFileSync(file, 'utf8'));
  const lines = [uniformLine(id, j), ''];
  mkdirSync(chartsDir, { recursive: true });
  for (const spec of chartSpecs(id, j)) {
    const { name, alt, ...chart } = spec;
    writeFileSync(join(chartsDir, `${name}.svg`), barChart(chart));
    lines.push(`![${alt}](bench/results/charts/${name}.svg)`, '');
  }
  return lines.join('\n').trim();
}

const FIG_START = (id) => `<!-- ${id}:figures -->`;
const FIG_END = (id) => `<!-- ${id}:figures-end -->`;

/**
 * Puts the figures block of `id` right after the first line (the heading) of a section body,
 * replacing an earlier one.
 */
export function withFigures(id, body) {
  const start = FIG_START(id);
  const end = FIG_END(id);
  let text = body.trim();
  const i = text.indexOf(start);
  const k = text.indexOf(end);
  if (i !== -1 && k > i)
    text = `${text.slice(0, i).trimEnd()}\n\n${text.slice(k + end.length).trimStart()}`;
  const figures = sectionFigures(id);
  if (!figures) return text;
  const nl = text.indexOf('\n');
  const head = nl === -1 ? text : text.slice(0, nl);
  const rest = nl === -1 ? '' : text.slice(nl + 1).trimStart();
  return `${head}\n\n${start}\n${figures}\n${end}\n\n${rest}`;
}
