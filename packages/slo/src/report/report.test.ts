import { describe, expect, it } from 'vitest';
import { fakePrometheus, sloSeries } from '../../test/fake-prometheus.js';
import { testSpec } from '../../test/gate-specs.js';
import { collectSloData } from '../gate/collect.js';
import type { ResultsFile } from '../gate/results-file.js';
import type { SloSpec } from '../types.js';
import { buildReport, describeSli } from './report.js';
import { renderReportHtml } from './report-html.js';

const at = '2024-05-01T12:00:00Z';
const checkout = testSpec();
const search = testSpec({ service: 'search', name: 'availability', objective: 99 });
const idle = testSpec({ service: 'idle', name: 'availability' });

async function reportOf(specs: SloSpec[], slos: ResultsFile['slos']) {
  const data = await collectSloData(specs, { results: { generatedAt: at, slos } });
  return buildReport(specs, data);
}

function texts(entry: { recommendations: readonly { text: string }[] } | undefined): string[] {
  return entry?.recommendations.map((r) => r.text) ?? [];
}

describe('buildReport', () => {
  it('gives budget, forecast with date, firing tiers and a page-worthy recommendation', async () => {
    const report = await reportOf([checkout, search], {
      'checkout-availability': {
        good: 99_950,
        total: 100_000,
        // 1.6 % errors over 1h and 1.8 % over 5m: 16× and 18×, above page-fast's 14.4×.
        windows: { '1h': { bad: 80, total: 5_000 }, '5m': { bad: 9, total: 500 } },
      },
      'search-availability': { bad: 10, total: 10_000 },
    });
    const [entry, healthy] = report.slos;
    expect(entry?.budgetRemainingSeconds).toBeCloseTo(1296, 6);
    // Half a 30-day budget at 16×: 22.5 h after the results' time.
    expect(entry?.forecast).toMatchObject({ text: '22h 30m (2024-05-02 10:30 UTC)', basis: '1h' });
    expect(entry?.forecast.date?.toISOString()).toBe('2024-05-02T10:30:00.000Z');
    expect(entry?.firingTiers.map((t) => t.id)).toEqual(['page-fast']);
    expect(entry?.recommendations[0]).toEqual({
      level: 'critical',
      kind: 'burning',
      text: 'at 16× burn (over 1h) the budget is gone in 1d 21h; the 50 % left lasts 22h 30m: page-worthy (page-fast is firing)',
    });
    expect(texts(healthy)).toEqual([
      '90 % of the error budget left: room for risky changes (experiments, migrations, faster rollouts)',
    ]);

    const md = report.markdown;
    expect(md).toContain('As of 2024-05-01 12:00 UTC, from results.');
    expect(md).toContain(
      '| checkout-availability | 99.9 % over 30d | 99.95 % | 50 % (21m 36s of 43m 12s) | 22h 30m (2024-05-02 10:30 UTC) | page-fast (page) |',
    );
    expect(md).toContain('| 1h | 1.6 % | 16× | 80 of 5000 |');
    expect(md).toContain('| page-fast | page | 1h / 5m | 14.4× | 16× | 18× | firing |');
    expect(md).toContain('- **critical:** at 16× burn (over 1h)');
    expect(md).toContain('- **Error budget remaining:** 50 % (21m 36s of 43m 12s)');
  });

  it('says the workbook’s ticket and page cases in plain words', async () => {
    const report = await reportOf([checkout], {
      // 0.7 % errors over 6h and 30m: 7×, above page-slow's 6×, below page-fast.
      'checkout-availability': {
        bad: 0,
        total: 1_000,
        windows: {
          '6h': { bad: 7, total: 1_000 },
          '30m': { bad: 7, total: 1_000 },
          '1h': { bad: 0, total: 100 },
          '5m': { bad: 0, total: 10 },
        },
      },
    });
    expect(texts(report.slos[0])[0]).toBe(
      'at 7× burn (over 6h) the budget is gone in 4d 6h: page-worthy (page-slow is firing)',
    );
  });

  it('flags objectives whose budget is tiny or whose page can never fire', async () => {
    const fiveNines = testSpec({ service: 'ledger', name: 'writes', objective: 99.999 });
    const ninety = testSpec({ service: 'batch', name: 'jobs', objective: 90 });
    const report = await reportOf([fiveNines, ninety], {
      'ledger-writes': { good: 1_000, total: 1_000 },
      'batch-jobs': { good: 1_000, total: 1_000 },
    });
    expect(texts(report.slos[0])).toContain(
      'objective 99.999 % leaves 26s of budget a month: one incident spends it before anyone can respond; consider 99.99 %',
    );
    expect(texts(report.slos[1])).toContain(
      'objective 90 %: the 14.4× page (page-fast) can never fire, it needs an error ratio of 144 %; lower its budget fraction or rely on the slower tiers',
    );
    expect(report.markdown).toContain(
      '| page-fast | page | 1h / 5m | 14.4× | no data | no data | can never fire |',
    );
  });

  it('reads "no data" for zero traffic and an exhausted budget as critical', async () => {
    const report = await reportOf([idle, search], {
      'idle-availability': { good: 0, total: 0 },
      'search-availability': { bad: 300, total: 10_000 },
    });
    const [empty, spent] = report.slos;
    expect(empty?.forecast.text).toBe('no data');
    expect(empty?.recommendations[0]?.text).toBe(
      'no traffic in the 30d period: no data, check the SLI query (total query: sum(rate(http_requests_total{job="idle"}[{{.window}}])))',
    );
    expect(spent?.forecast.text).toBe('exhausted');
    expect(spent?.recommendations[0]).toMatchObject({
      level: 'critical',
      kind: 'budget-exhausted',
      text: 'error budget exhausted (-200 % left, SLI 97 % vs objective 99 %): the SLO is missed for this period; freeze risky releases and put the effort into reliability',
    });
    expect(report.markdown).toContain(
      '| idle-availability | 99.9 % over 30d | no data | no data | no data | no data |',
    );
    expect(report.markdown).not.toMatch(/NaN|Infinity|undefined/);
    expect(renderReportHtml(report)).not.toMatch(/NaN|Infinity|undefined/);
  });

  it('counts forecasts from the given time and takes a title', async () => {
    const data = await collectSloData([search], {
      results: { generatedAt: at, slos: { 'search-availability': { bad: 50, total: 10_000 } } },
    });
    const report = buildReport([search], data, {
      title: 'Weekly SLOs',
      now: new Date('2024-06-01T00:00:00Z'),
    });
    // Half of a 99 % budget left at 0.5× over the whole run: 0.5 × 30 d ÷ 0.5 = 30 d.
    expect(report.slos[0]?.forecast.text).toBe('30d (2024-07-01 00:00 UTC)');
    expect(report.markdown.startsWith('# Weekly SLOs\n')).toBe(true);
  });

  it('explains missing rules when reading Prometheus', async () => {
    const { fetch } = fakePrometheus(
      sloSeries('checkout-availability', {
        errorRatios: {
          '5m': '0',
          '30m': '0',
          '1h': '0',
          '2h': '0',
          '6h': '0',
          '1d': 'NaN',
          '3d': '0',
          '30d': '0.0001',
        },
        budgetRemaining: '0.9',
      }),
    );
    const data = await collectSloData([checkout, search], {
      prometheus: 'http://prom:9090',
      fetch,
    });
    const report = buildReport([checkout, search], data);
    expect(texts(report.slos[0])).toEqual([
      'no data over 1d: alert tiers reading that window cannot fire; for low traffic, set a minimum traffic guard or add a synthetic probe',
      '90 % of the error budget left: room for risky changes (experiments, migrations, faster rollouts)',
    ]);
    expect(report.slos[0]?.forecast.text).toBe('not at the current burn rate');
    expect(texts(report.slos[1])[0]).toContain(
      'no recorded series for this SLO: no data; load the generated rules',
    );
  });

  it('escapes Markdown in free text', async () => {
    const spec: SloSpec = { ...checkout, description: 'p99 <300ms | *fast*' };
    const data = await collectSloData([spec], {
      results: { slos: { 'checkout-availability': { good: 1, total: 1 } } },
    });
    expect(buildReport([spec], data).markdown).toContain('p99 \\<300ms | \\*fast\\*');
  });
});

describe('renderReportHtml', () => {
  it('is one self-contained, escaped, accessible page', async () => {
    const spec: SloSpec = { ...checkout, description: '<script>alert(1)</script> & "quotes"' };
    const data = await collectSloData([spec, idle], {
      results: {
        generatedAt: at,
        slos: {
          'checkout-availability': { bad: 5, total: 10_000 },
          'idle-availability': { good: 0, total: 0 },
        },
      },
    });
    const html = renderReportHtml(buildReport([spec, idle], data));
    expect(html.startsWith('<!doctype html>\n<html lang="en">')).toBe(true);
    expect(html).not.toMatch(/<script|<link|src=|href="http/i);
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62; &#38; &#34;quotes&#34;');
    expect(html.match(/<h1>/g)).toHaveLength(1);
    expect(html.match(/<h2 id="slo-\d">/g)).toHaveLength(2);
    expect(html).toContain('<caption>Burn rates of checkout-availability</caption>');
    expect(html).toContain('<th scope="col">Window</th>');
    expect(html).toContain('<tr><th scope="row"><a href="#slo-1">checkout-availability</a></th>');
    expect(html).toContain('<time datetime="2024-05-01T12:00:00.000Z">2024-05-01 12:00 UTC</time>');
    expect(html).toContain(
      '<strong class="warning">warning:</strong> no traffic in the 30d period',
    );
    expect(html).toContain('<td class="num">50 %');
  });
});

describe('describeSli', () => {
  it('describes a latency SLI with its bucket', () => {
    expect(
      describeSli({
        kind: 'latency',
        metric: 'http_server_request_duration_seconds',
        selector: 'http_route="/orders"',
        thresholdSeconds: 0.3,
        le: '0.3',
      }),
    ).toEqual({
      summary: 'requests slower than 0.3 s ÷ all requests',
      queries: [
        ['faster', 'http_server_request_duration_seconds_bucket{http_route="/orders",le="0.3"}'],
        ['total', 'http_server_request_duration_seconds_count{http_route="/orders"}'],
      ],
    });
  });

  it('describes threshold and raw SLIs', () => {
    expect(describeSli({ kind: 'threshold', query: 'q', op: 'lte', threshold: 0.3 }).summary).toBe(
      'time slices where the query is ≤ 0.3 are good',
    );
    expect(describeSli({ kind: 'raw', errorRatioQuery: 'r' }).queries).toEqual([
      ['error ratio', 'r'],
    ]);
  });
});
