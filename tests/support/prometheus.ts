import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@srekit/core/testing';

export { freePort } from '@srekit/core/testing';

/**
 * Polls `read` every 250 ms until it returns something other than `undefined`, and returns it.
 * Errors thrown by `read` count as "not yet"; the last one is named when time runs out.
 */
export async function waitFor<T>(
  what: string,
  read: () => Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await read();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
}

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
export interface PrometheusInstance {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** The last few KiB of its log, for assertion messages. */
  log(): string;
  /** Stops it (SIGTERM, then SIGKILL after 5 s) and removes its directory. */
  stop(): Promise<void>;
}

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

  let log = '';
  const child: ChildProcess = spawn(
    options.binary,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      ...(options.args ?? []),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const keep = (chunk: Buffer): void => {
    log = (log + chunk.toString()).slice(-8000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };

  try {
    await waitFor('Prometheus to be ready', async () => {
      if (child.exitCode !== null) throw new Error(`Prometheus exited: ${log}`);
      return (await fetch(`${url}/-/ready`)).ok ? true : undefined;
    });
    if (ruleFiles.length > 0) {
      await waitFor('Prometheus to load the rules', async () => {
        const body = (await (await fetch(`${url}/api/v1/rules`)).json()) as {
          data: { groups: unknown[] };
        };
        return body.data.groups.length > 0 ? true : undefined;
      });
    }
  } catch (error) {
    await stop();
    throw new Error(`${String(error)}\n${log}`);
  }
  return { url, log: () => log, stop };
}
