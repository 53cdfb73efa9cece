import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@srekit/core/testing';
import { type Daemon, startDaemon } from './daemon.js';
import { waitFor } from './wait-for.js';

export { freePort } from '@srekit/core/testing';
export { waitFor } from './wait-for.js';

/** Options of {@link startPrometheus}. */
export interface PrometheusOptions {
  /** Path of the `prometheus` binary (from `requireBinary('prometheus')`). */
  readonly binary: string;
  /** Scrape jobs: name and `host:port` targets. */
  readonly jobs: readonly { readonly name: string; readonly targets: readonly string[] }[];
  /** Rule files to load, by file name → YAML content. */
  readonly ruleFiles?: Readonly<Record<string, string>>;
  /** Global scrape interval. Default `1s`. */
  readonly scrapeInterval?: string;
  /** Global rule evaluation interval. Default `1s`. */
  readonly evaluationInterval?: string;
  /** Alertmanager base URLs (e.g. `http://127.0.0.1:9093`) to send firing alerts to. */
  readonly alertmanagers?: readonly string[];
  /** Extra command-line flags. */
  readonly args?: readonly string[];
}

/** A running Prometheus on loopback in a temporary directory. */
export type PrometheusInstance = Daemon;

/**
 * Starts the system's Prometheus on a free loopback port with a generated config, and resolves
 * once `/-/ready` answers (and, when rule files are given, once every rule group is loaded).
 */
export async function startPrometheus(options: PrometheusOptions): Promise<PrometheusInstance> {
  const dir = await mkdtemp(join(tmpdir(), 'srekit-prom-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const ruleFiles = Object.entries(options.ruleFiles ?? {});
  for (const [name, content] of ruleFiles) await writeFile(join(dir, name), content);
  const config = [
    'global:',
    `  scrape_interval: ${options.scrapeInterval ?? '1s'}`,
    `  evaluation_interval: ${options.evaluationInterval ?? '1s'}`,
    ...(ruleFiles.length > 0
      ? ['rule_files:', ...ruleFiles.map(([name]) => `  - ${JSON.stringify(join(dir, name))}`)]
      : []),
    ...(options.alertmanagers !== undefined && options.alertmanagers.length > 0
      ? [
          'alerting:',
          '  alertmanagers:',
          '    - static_configs:',
          `        - targets: [${options.alertmanagers.map((u) => JSON.stringify(new URL(u).host)).join(', ')}]`,
        ]
      : []),
    'scrape_configs:',
    ...options.jobs.flatMap((job) => [
      `  - job_name: ${JSON.stringify(job.name)}`,
      '    static_configs:',
      `      - targets: [${job.targets.map((t) => JSON.stringify(t)).join(', ')}]`,
    ]),
    '',
  ].join('\n');
  await writeFile(join(dir, 'prometheus.yml'), config);

  return startDaemon({
    name: 'Prometheus',
    binary: options.binary,
    args: [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      ...(options.args ?? []),
    ],
    url,
    dir,
    // With rule files, ready means every group loaded.
    ready: async () => {
      if (ruleFiles.length === 0) return;
      await waitFor('Prometheus to load the rules', async () => {
        const body = (await (await fetch(`${url}/api/v1/rules`)).json()) as {
          data: { groups: unknown[] };
        };
        return body.data.groups.length > 0 ? true : undefined;
      });
    },
  });
}
