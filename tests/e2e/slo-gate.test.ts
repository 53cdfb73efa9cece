import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildReport,
  collectSloData,
  evaluateGate,
  type GateResult,
  generatePrometheusRules,
  parseSloSpecs,
  renderReportHtml,
  type SloSpec,
  serializeRules,
} from '@srekit/slo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  freePort,
  type PrometheusInstance,
  startPrometheus,
  waitFor,
} from '../support/prometheus.js';
import { requireBinary } from '../support/system-deps.js';

const prometheusBin = requireBinary('prometheus');
const FIXTURES = join(import.meta.dirname, 'fixtures', 'slo-gate');
const GATE_SOURCE = 'ERR_SREKIT_SLO_GATE_SOURCE';

async function loadSpecs(): Promise<SloSpec[]> {
  const path = join(FIXTURES, 'slos.yaml');
  return parseSloSpecs(await readFile(path, 'utf8'), { filename: path });
}

/**
 * Exposes `demo_requests_total{service, code}` for two services. Each scrape counts 100 more
 * requests per service; a service switched to failing answers half of them with a 500.
 */
class TestExporter {
  readonly failing = new Set<string>();
  readonly #counts = new Map<string, { ok: number; failed: number }>();
  #server: Server | undefined;

  constructor(readonly services: readonly string[]) {
    for (const service of services) this.#counts.set(service, { ok: 0, failed: 0 });
  }

  async start(): Promise<string> {
    this.#server = createServer((req, res) => {
      if (req.url !== '/metrics') {
        res.writeHead(404).end();
        return;
      }
      const lines = [
        '# HELP demo_requests_total Requests served by the demo services.',
        '# TYPE demo_requests_total counter',
      ];
      for (const [service, count] of this.#counts) {
        const failed = this.failing.has(service) ? 50 : 0;
        count.ok += 100 - failed;
        count.failed += failed;
        lines.push(`demo_requests_total{service="${service}",code="200"} ${count.ok}`);
        lines.push(`demo_requests_total{service="${service}",code="500"} ${count.failed}`);
      }
      res
        .writeHead(200, { 'content-type': 'text/plain; version=0.0.4' })
        .end(`${lines.join('\n')}\n`);
    });
    await new Promise<void>((resolve) => this.#server?.listen(0, '127.0.0.1', resolve));
    const { port } = this.#server.address() as AddressInfo;
    return `127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) =>
      this.#server ? this.#server.close(() => resolve()) : resolve(),
    );
  }
}

const bySlo = (result: GateResult, id: string) => result.slos.find((slo) => slo.sloId === id);

describe.skipIf(!prometheusBin)('the release gate against a real Prometheus', () => {
  const exporter = new TestExporter(['checkout', 'search']);
  let prometheus: PrometheusInstance | undefined;
  let specs: SloSpec[] = [];

  beforeAll(async () => {
    specs = await loadSpecs();
    const target = await exporter.start();
    // Both label schemes side by side: the series differ by their id labels.
    prometheus = await startPrometheus({
      binary: prometheusBin as string,
      jobs: [{ name: 'demo', targets: [target] }],
      ruleFiles: {
        'srekit.rules.yaml': serializeRules(generatePrometheusRules(specs)),
        'sloth.rules.yaml': serializeRules(generatePrometheusRules(specs, { compat: 'sloth' })),
      },
    });
  }, 30_000);

  afterAll(async () => {
    await prometheus?.stop();
    await exporter.stop();
  });

  it('passes while both services are healthy, then fails only the burning one', async () => {
    const url = (prometheus as PrometheusInstance).url;
    const thresholds = { minBudgetRemaining: 0.25, maxBurnRate: 2 };

    const healthy = await waitFor(
      'both SLOs to have data and pass',
      async () => {
        const result = await evaluateGate(specs, { prometheus: url }, thresholds);
        return result.passed ? result : undefined;
      },
      20_000,
    );
    expect(healthy.slos.map((slo) => [slo.sloId, slo.status, slo.budgetRemaining])).toEqual([
      ['checkout-availability', 'ok', 1],
      ['search-availability', 'ok', 1],
    ]);
    expect(healthy.slos[0]?.burnRates['1h']).toBe(0);

    exporter.failing.add('search');
    const burning = await waitFor(
      'the search SLO to fail the gate',
      async () => {
        const result = await evaluateGate(specs, { prometheus: url }, thresholds);
        const search = bySlo(result, 'search-availability');
        return search && !search.passed && search.reasons.length === 2 ? result : undefined;
      },
      20_000,
    );
    expect(burning.passed).toBe(false);
    expect(bySlo(burning, 'checkout-availability')?.passed).toBe(true);
    const search = bySlo(burning, 'search-availability');
    expect(search?.reasons[0]).toMatch(
      /^error budget overspent: remaining -\d+(\.\d+)? % of 43m 12s over 30d \(SLI \d+(\.\d+)? % vs objective 99\.9 %\), below the minimum 25 %$/,
    );
    expect(search?.reasons[1]).toMatch(
      /^burn rate over 1h is \d+× \(error ratio \d+(\.\d+)? %, allowed 0\.1 %\), above the maximum 2×/,
    );
    expect(search?.burnRate).toBeGreaterThan(2);
    expect(search?.firingTiers).toContain('page-fast');
    expect(search?.timeToExhaustionSeconds).toBe(0);

    // The same verdict through Sloth's label scheme (its rule groups are evaluated on their own
    // schedule, so they may lag a second behind).
    const sloth = await waitFor(
      'the Sloth-labelled rules to see the burn',
      async () => {
        const result = await evaluateGate(specs, { prometheus: url, compat: 'sloth' }, thresholds);
        return result.slos[1]?.reasons.length === 2 ? result : undefined;
      },
      10_000,
    );
    expect(sloth.slos.map((slo) => slo.passed)).toEqual([true, false]);
    expect(sloth.slos[1]?.reasons[0]).toMatch(/^error budget overspent/);

    // And the report over the same collection.
    const report = buildReport(specs, await collectSloData(specs, { prometheus: url }));
    expect(report.markdown).toContain('## search-availability');
    expect(report.markdown).toMatch(/- \*\*critical:\*\* error budget exhausted/);
    expect(report.markdown).toMatch(
      /\| page-fast \| page \| 1h \/ 5m \| 14\.4× \| \d+× \| \d+× \| firing \|/,
    );
    expect(report.markdown + renderReportHtml(report)).not.toMatch(/NaN|Infinity|undefined/);
  }, 50_000);

  it('fails an SLO the loaded rules do not know, naming what to load', async () => {
    const [checkout] = specs;
    const unknown = { ...(checkout as SloSpec), id: 'billing-availability', service: 'billing' };
    const result = await evaluateGate([unknown], {
      prometheus: (prometheus as PrometheusInstance).url,
    });
    expect(result.passed).toBe(false);
    expect(result.slos[0]?.status).toBe('no-rules');
    expect(result.slos[0]?.reasons[0]).toContain('load the generated rules');
  });
});

describe('the release gate without a usable source', () => {
  it('names the URL and the fix when nothing listens there', async () => {
    const specs = await loadSpecs();
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const failure = await evaluateGate(specs, { prometheus: url }).then(
      () => undefined,
      (error: unknown) => error as Error & { code?: string },
    );
    expect(failure?.code).toBe(GATE_SOURCE);
    expect(failure?.message).toContain(`Cannot reach Prometheus at ${url}/api/v1/query`);
    expect(failure?.message).toContain('ECONNREFUSED');
    expect(failure?.message).toContain('start Prometheus or pass the right host and port');
  });
});

describe('the release gate on a results file', () => {
  let specs: SloSpec[] = [];
  let dir = '';
  beforeAll(async () => {
    specs = await loadSpecs();
    dir = await mkdtemp(join(tmpdir(), 'srekit-gate-'));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('passes a healthy load test', async () => {
    const result = await evaluateGate(
      specs,
      { results: join(FIXTURES, 'results-pass.json') },
      { minBudgetRemaining: 0.25, maxBurnRate: 1 },
    );
    expect(result.passed).toBe(true);
    expect(result.at.toISOString()).toBe('2024-05-01T12:00:00.000Z');
    // 10 bad in 100 000 at 99.9 %: a tenth of the budget spent.
    expect(result.slos[0]?.budgetRemaining).toBeCloseTo(0.9, 12);
    expect(result.slos[0]?.burnRate).toBeCloseTo(0.1, 12);
  });

  it('fails the SLO that overspent, with the numbers', async () => {
    const result = await evaluateGate(specs, { results: join(FIXTURES, 'results-fail.json') });
    expect(result.slos.map((slo) => slo.passed)).toEqual([true, false]);
    expect(result.slos[1]?.reasons).toEqual([
      'error budget overspent: remaining -200 % of 43m 12s over 30d (SLI 99.7 % vs objective 99.9 %), below the minimum 0 %',
    ]);
  });

  it('reports bad input with its JSON path and the fix', async () => {
    const path = join(FIXTURES, 'results-bad.json');
    await expect(evaluateGate(specs, { results: path })).rejects.toMatchObject({
      code: GATE_SOURCE,
      message: expect.stringMatching(
        /results-bad\.json is not a valid results file \(2 problems\):\n {2}\$\.slos\["checkout-availability"\]\.good: good \(100001\) is greater than total \(100000\)\. Write good ≤ total\.\n {2}\$\.slos\["search-availability"\]\.windows\["1 hour"\]: "1 hour" is not a Prometheus duration/,
      ),
    });
  });

  it('reports a JSON syntax error with its line and column', async () => {
    const path = join(dir, 'syntax.json');
    await writeFile(
      path,
      '{\n  "slos": {\n    "checkout-availability": { "good": 1, "total": 1 },\n  }\n}\n',
    );
    await expect(evaluateGate(specs, { results: path })).rejects.toMatchObject({
      code: GATE_SOURCE,
      message: expect.stringContaining(`${path}:4:3 is not valid JSON`),
    });
  });
});
