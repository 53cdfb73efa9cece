/**
 * The configuration files in deploy/ are what users start from: the real tools must accept them,
 * and the Alertmanager inhibit rules must be the ones srekit generates.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { generateInhibitRules, parseSloSpecs } from '@srekit/slo';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { requireBinary } from '../support/system-deps.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const promtool = requireBinary('promtool');
const amtool = requireBinary('amtool');

describe.skipIf(!promtool)('deploy/prometheus', () => {
  it('prometheus.yml passes promtool check config', async () => {
    const { stdout } = await run(promtool as string, [
      'check',
      'config',
      '--syntax-only',
      join(root, 'deploy/prometheus/prometheus.yml'),
    ]);
    expect(stdout).toMatch(/SUCCESS/);
  });
});

describe.skipIf(!amtool)('deploy/alertmanager', () => {
  it('alertmanager.yml passes amtool check-config', async () => {
    const { stdout } = await run(amtool as string, [
      'check-config',
      join(root, 'deploy/alertmanager/alertmanager.yml'),
    ]);
    expect(stdout).toMatch(/SUCCESS/);
  });

  it('carries the inhibit rule srekit generates for the SLO specs', async () => {
    const config = parse(
      await readFile(join(root, 'deploy/alertmanager/alertmanager.yml'), 'utf8'),
    ) as { inhibit_rules: unknown[] };
    const specs = parseSloSpecs(
      await readFile(
        join(root, 'examples/reference-service/slos/orders-availability.sloth.yaml'),
        'utf8',
      ),
    );
    for (const rule of generateInhibitRules(specs)) {
      expect(config.inhibit_rules).toContainEqual(rule);
    }
  });
});

describe('deploy/grafana', () => {
  it('provisions the generated dashboards read-only and a Prometheus datasource with exemplar links', async () => {
    const dashboards = parse(
      await readFile(join(root, 'deploy/grafana/provisioning/dashboards/srekit.yaml'), 'utf8'),
    ) as { providers: { type: string; allowUiUpdates: boolean; options: { path: string } }[] };
    expect(dashboards.providers[0]).toMatchObject({ type: 'file', allowUiUpdates: false });
    const datasources = parse(
      await readFile(join(root, 'deploy/grafana/provisioning/datasources/prometheus.yaml'), 'utf8'),
    ) as {
      datasources: {
        uid: string;
        type: string;
        jsonData?: { exemplarTraceIdDestinations?: { name: string; datasourceUid: string }[] };
      }[];
    };
    const prometheus = datasources.datasources.find((d) => d.type === 'prometheus');
    const link = prometheus?.jsonData?.exemplarTraceIdDestinations?.[0];
    // Exemplars carry `trace_id` (DESIGN.md); the link must point at a provisioned datasource.
    expect(link?.name).toBe('trace_id');
    expect(datasources.datasources.map((d) => d.uid)).toContain(link?.datasourceUid);
  });
});
