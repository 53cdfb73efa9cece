import { once } from 'node:events';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Daemon, startDaemon } from './daemon.js';
import { freePort } from './prometheus.js';

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
export type AlertmanagerInstance = Daemon;

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

  return startDaemon({
    name: 'Alertmanager',
    binary: options.binary,
    args: [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
    ],
    url,
    dir,
  });
}

/** A webhook receiver on loopback that keeps every JSON notification Alertmanager posts. */
export interface WebhookReceiver<T> {
  /** The URL to give Alertmanager (`…/alerts`). */
  readonly url: string;
  /** The notifications received so far, oldest first. */
  readonly notifications: T[];
  close(): Promise<void>;
}

/** Starts a {@link WebhookReceiver} on a free loopback port. */
export async function startWebhookReceiver<T>(): Promise<WebhookReceiver<T>> {
  const notifications: T[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on('end', () => {
      notifications.push(JSON.parse(body) as T);
      res.end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/alerts`,
    notifications,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
