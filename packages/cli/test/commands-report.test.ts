import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from './fixtures/run-cli.js';

const SPECS = ['--slos', 'slos/checkout.yaml'];

describe('srekit report', () => {
  it('prints the Markdown report of a results file', async () => {
    const result = await runCli(['report', ...SPECS, '--results', 'results/passing.json']);
    expect(result.code).toBe(0);
    expect(result.stdout.startsWith('# SLO report\n')).toBe(true);
    expect(result.stdout).toContain(
      '| checkout-availability | 99.9 % over 30d | 99.99 % | 90 % (38m 53s of 43m 12s) |',
    );
    expect(result.stdout).toContain('## checkout-payments');
  });

  it('writes HTML to --out with a title and says where', async () => {
    const dir = await tempDir();
    try {
      const result = await runCli([
        'report',
        ...SPECS,
        '--results',
        'results/passing.json',
        '--format',
        'html',
        '--title',
        'Release 42',
        '--out',
        join(dir.path, 'r/report.html'),
      ]);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^wrote the HTML report of 2 SLOs to .*r\/report\.html\n$/);
      const html = await readFile(join(dir.path, 'r/report.html'), 'utf8');
      expect(html).toContain('<html');
      expect(html).toContain('Release 42');
    } finally {
      await dir.remove();
    }
  });

  it('reads Prometheus through the rules it queries, and reports SLOs without series as no data', async () => {
    const queries: string[] = [];
    const result = await runCli(
      ['report', ...SPECS, '--prometheus', 'http://prometheus.test:9090'],
      {
        deps: {
          now: () => new Date('2026-02-01T00:00:00Z'),
          fetch: async (url, init) => {
            queries.push(`${url} ${String(init?.body ?? '')}`);
            return new Response(
              JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [] } }),
              {
                status: 200,
                headers: { 'content-type': 'application/json' },
              },
            );
          },
        },
      },
    );
    expect(result.code).toBe(0);
    expect(queries.length).toBeGreaterThan(0);
    expect(queries[0]).toContain('http://prometheus.test:9090/api/v1/query');
    expect(result.stdout).toContain('no data');
  });

  it('gives the report as JSON', async () => {
    const result = await runCli([
      'report',
      ...SPECS,
      '--results',
      'results/passing.json',
      '--json',
    ]);
    expect(result.code).toBe(0);
    const body = JSON.parse(result.stdout);
    expect(body).toMatchObject({ command: 'report', ok: true, format: 'md' });
    expect(body.report.title).toBe('SLO report');
    expect(body.report.at).toBe('2026-01-15T12:00:00.000Z');
    expect(body.report.slos.map((s: { sloId: string }) => s.sloId)).toEqual([
      'checkout-availability',
      'checkout-payments',
    ]);
    expect(body.report.slos[0].data.budgetRemaining).toBeCloseTo(0.9, 10);
    expect(body.report.markdown).toBeUndefined();
  });

  it('is a usage error with an unknown --format or no source; exit 1 on a missing spec file', async () => {
    const format = await runCli([
      'report',
      ...SPECS,
      '--results',
      'results/passing.json',
      '--format',
      'pdf',
    ]);
    expect(format.code).toBe(2);
    expect(format.stderr).toContain(
      '--format "pdf" is not a report format; use --format md or --format html.',
    );
    const source = await runCli(['report', ...SPECS]);
    expect(source.code).toBe(2);
    const missing = await runCli([
      'report',
      '--slos',
      'gone.yaml',
      '--results',
      'results/passing.json',
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('gone.yaml:1:1: error (file): the file does not exist.');
  });
});
