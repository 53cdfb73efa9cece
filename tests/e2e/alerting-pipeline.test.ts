/**
 * The whole alerting path with real components: a service instrumented with @srekit/core, a real
 * Prometheus scraping it and evaluating the rules @srekit/slo generates, and a real Alertmanager
 * delivering to a webhook receiver. Errors injected into the service make the SLO's page alert
 * fire (the spec compresses time: the page tier fires at once instead of after `for: 2m`), the
 * ticket alert it inhibits stays silent, and the receiver gets the page.
 */
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run as srekit } from '@srekit/cli';
import { createTelemetry, type Telemetry } from '@srekit/core';
import {
  generateInhibitRules,
  generatePrometheusRules,
  parseSloSpecs,
  type SloSpec,
  serializeInhibitRules,
  serializeRules,
} from '@srekit/slo';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AlertmanagerInstance,
  startAlertmanager,
  startWebhookReceiver,
  type WebhookReceiver,
} from '../support/alertmanager.js';
import { type PrometheusInstance, startPrometheus, waitFor } from '../support/prometheus.js';
import { requireBinary } from '../support/system-deps.js';

const prometheusBin = requireBinary('prometheus');
const alertmanagerBin = requireBinary('alertmanager');

// A 99.9 % availability SLO whose page tier fires as soon as the burn rate passes 14.4 (no
// `for`), so the test needs seconds, not minutes: rates over the 1h and 5m windows are taken over
// the few seconds of samples that exist.
const SPEC = `
version: srekit/v1
service: orders
slos:
  - name: api-availability
    objective: 99.9
    sli:
      events:
        error_query: sum(rate(http_server_request_duration_seconds_count{job="orders",http_response_status_code=~"5.."}[{{.window}}]))
        total_query: sum(rate(http_server_request_duration_seconds_count{job="orders"}[{{.window}}]))
    alerting:
      name: OrdersApiAvailability
      tiers:
        page-fast: { for: 0s }
        ticket-fast: { for: 0s }
`;

interface Notification {
  readonly status: string;
  readonly alerts: readonly { status: string; labels: Record<string, string> }[];
}

describe.skipIf(!prometheusBin || !alertmanagerBin)(
  'generated SLO alerts through a real Prometheus and Alertmanager',
  () => {
    let specs: SloSpec[];
    let telemetry: Telemetry;
    let service: http.Server;
    let receiver: WebhookReceiver<Notification> | undefined;
    let prometheus: PrometheusInstance | undefined;
    let alertmanager: AlertmanagerInstance | undefined;
    let traffic: ReturnType<typeof setInterval> | undefined;
    let failing = false;
    let notifications: Notification[] = [];
    let dir: string;
    let specFile: string;

    /** `srekit gate` against the real Prometheus: exit code and its JSON verdict. */
    async function gate(): Promise<{ code: number; passed: boolean }> {
      let out = '';
      const code = await srekit(
        [
          'gate',
          '--slos',
          specFile,
          '--prometheus',
          (prometheus as PrometheusInstance).url,
          '--json',
        ],
        {
          stdout: { write: (chunk: string) => (out += chunk) },
          stderr: { write: () => true },
          cwd: dir,
          env: {},
          isTTY: false,
        },
      );
      return { code, passed: (JSON.parse(out) as { passed: boolean }).passed };
    }

    beforeAll(async () => {
      specs = parseSloSpecs(SPEC, { filename: 'orders.yaml' });
      dir = await mkdtemp(join(tmpdir(), 'srekit-gate-'));
      specFile = join(dir, 'orders.yaml');
      await writeFile(specFile, SPEC);
      telemetry = createTelemetry({
        serviceName: 'orders',
        logging: { level: 'silent' },
      });
      const app = express();
      app.use(telemetry.middleware());
      app.get('/metrics', telemetry.metricsHandler());
      app.get('/api/orders/:id', (req, res) => {
        if (failing) res.status(500).json({ error: 'injected' });
        else res.json({ id: req.params.id });
      });
      service = app.listen(0, '127.0.0.1');
      await once(service, 'listening');
      const servicePort = (service.address() as AddressInfo).port;

      receiver = await startWebhookReceiver<Notification>();
      notifications = receiver.notifications;

      alertmanager = await startAlertmanager({
        binary: alertmanagerBin as string,
        webhookUrl: receiver.url,
        inhibitRulesYaml: serializeInhibitRules(generateInhibitRules(specs)),
      });
      prometheus = await startPrometheus({
        binary: prometheusBin as string,
        jobs: [{ name: 'orders', targets: [`127.0.0.1:${servicePort}`] }],
        ruleFiles: { 'orders.rules.yaml': serializeRules(generatePrometheusRules(specs)) },
        alertmanagers: [alertmanager.url],
      });

      // A steady, bounded trickle of requests: 20 per second while the suite runs.
      let n = 0;
      traffic = setInterval(() => {
        const id = n++;
        void fetch(`http://127.0.0.1:${servicePort}/api/orders/${id}`)
          .then((r) => r.arrayBuffer())
          .catch(() => undefined);
      }, 50);
    }, 60_000);

    afterAll(async () => {
      clearInterval(traffic);
      await prometheus?.stop();
      await alertmanager?.stop();
      await receiver?.close();
      service?.closeAllConnections();
      service?.close();
      await telemetry?.shutdown();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    async function firingAlerts(): Promise<
      { alertname: string; labels: Record<string, string> }[]
    > {
      const body = (await (
        await fetch(`${(prometheus as PrometheusInstance).url}/api/v1/alerts`)
      ).json()) as { data: { alerts: { state: string; labels: Record<string, string> }[] } };
      return body.data.alerts
        .filter((a) => a.state === 'firing')
        .map((a) => ({ alertname: a.labels.alertname ?? '', labels: a.labels }));
    }

    it('stays quiet while the service is healthy', async () => {
      await waitFor(
        'the SLI recording rule to have data',
        async () => {
          const r = (await (
            await fetch(
              `${(prometheus as PrometheusInstance).url}/api/v1/query?query=${encodeURIComponent('slo:sli_error:ratio_rate5m{slo_id="orders-api-availability"}')}`,
            )
          ).json()) as { data: { result: { value: [number, string] }[] } };
          return r.data.result.length > 0 ? r : undefined;
        },
        20_000,
      );
      expect(await firingAlerts()).toEqual([]);
      // The release gate passes while the budget is whole.
      expect(await gate()).toEqual({ code: 0, passed: true });
    }, 30_000);

    it('fires the page alert under injected errors, inhibits the ticket, and Alertmanager delivers the page', async () => {
      failing = true;
      const firing = await waitFor(
        'the page and ticket alerts to fire in Prometheus',
        async () => {
          const alerts = await firingAlerts();
          const tiers = new Set(alerts.map((a) => a.labels.slo_severity));
          return tiers.has('page') && tiers.has('ticket') ? alerts : undefined;
        },
        30_000,
      );
      const page = firing.find((a) => a.labels.slo_severity === 'page');
      expect(page).toMatchObject({
        alertname: 'OrdersApiAvailability',
        labels: expect.objectContaining({
          slo_id: 'orders-api-availability',
          burnrate_tier: 'page-fast',
          severity: 'critical',
        }),
      });

      const delivered = await waitFor(
        'Alertmanager to deliver the page to the webhook',
        async () =>
          notifications.find((n) =>
            n.alerts.some((a) => a.status === 'firing' && a.labels.slo_severity === 'page'),
          ),
        30_000,
      );
      expect(delivered.status).toBe('firing');
      // The ticket tier fires in Prometheus too, but Alertmanager inhibits it while the page fires.
      const tickets = notifications.flatMap((n) =>
        n.alerts.filter((a) => a.labels.slo_severity === 'ticket' && a.status === 'firing'),
      );
      expect(tickets).toEqual([]);
      // And the release gate now stops a release: exit 1 (once the period rules, evaluated a
      // step after the alert windows, have seen the errors).
      const stopped = await waitFor(
        'the gate to fail',
        async () => {
          const verdict = await gate();
          return verdict.passed ? undefined : verdict;
        },
        20_000,
      );
      expect(stopped).toEqual({ code: 1, passed: false });
    }, 60_000);
  },
);
