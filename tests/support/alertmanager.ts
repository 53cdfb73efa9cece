import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from './prometheus.js';

/** Options of {@link startAlertmanager}. */
export interface AlertmanagerOptions {
  /** Path of the binary (`requireBinary('alertmanager')`: Debian names it `prometheus-alertmanager`). */
  readonly binary: string;
  /** Where the one receiver posts notifications (a webhook receiver the test runs). */
  readonly webhookUrl: string;
  /** Inhibit rules, as YAML lines under `inhibit_rules:` (e.g. srekit's generated ones). */
  readonly inhibitRulesYaml?: string;
}

/** A running Alertmanager on loopback in a temporary directory. */
export interface AlertmanagerInstance {
  /** Base URL, e.g. `http://127.0.0.1:41235`. */
  readonly url: string;
  /** The last few KiB of its log, for assertion messages. */
  log(): string;
  /** Stops it (SIGTERM, then SIGKILL after 5 s) and removes its directory. */
  stop(): Promise<void>;
}

/**
 * Starts the system's Alertmanager on a free loopback port with one webhook receiver that gets
 * every alert at once (no grouping wait, so a test sees notifications within a second or two),
 * clustering off, and resolves once `/-/ready` answers.
 */
export async function startAlertmanager(
  options: AlertmanagerOptions,
): Promise<AlertmanagerInstance> {
  const dir = await mkdtemp(join(tmpdir(), 'srekit-am-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const config = [
    'route:',
    '  receiver: webhook',
    '  group_by: [alertname]',
    '  group_wait: 0s',
    '  group_interval: 1s',
    '  repeat_interval: 1h',
    'receivers:',
    '  - name: webhook',
    '    webhook_configs:',
    `      - url: ${JSON.stringify(options.webhookUrl)}`,
    '        send_resolved: true',
    ...(options.inhibitRulesYaml === undefined ? [] : [options.inhibitRulesYaml.trimEnd()]),
    '',
  ].join('\n');
  await writeFile(join(dir, 'alertmanager.yml'), config);

  let log = '';
  const child: ChildProcess = spawn(
    options.binary,
    [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
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
    await waitFor('Alertmanager to be ready', async () => {
      if (child.exitCode !== null) throw new Error(`Alertmanager exited: ${log}`);
      return (await fetch(`${url}/-/ready`)).ok ? true : undefined;
    });
  } catch (error) {
    await stop();
    throw new Error(`${String(error)}\n${log}`);
  }
  return { url, log: () => log, stop };
}
