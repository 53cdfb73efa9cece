/**
 * The fleet's alerting path with real components and the rules we ship: a real Prometheus scrapes
 * every instance of the fleet (started by `startFleet`, the code path of `npm start`) under the job
 * `orders` and evaluates the COMMITTED rule files in alerts/; a real Alertmanager with the committed
 * inhibit rules delivers to a webhook receiver here. While the fleet is healthy no SLO alert fires;
 * after an admin fails the order API on every instance the page tier of `OrdersApiAvailability`
 * fires, Alertmanager inhibits the ticket tier of the same SLO, and the receiver gets the page with
 * its routing labels, runbook and dashboard.
 *
 * The Sloth tiers have no `for`, and with 1 s scrape and evaluation intervals the 5m/1h windows
 * are taken over the seconds of samples that exist, so the page fires within seconds.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AlertmanagerInstance,
  startAlertmanager,
  startWebhookReceiver,
  type WebhookReceiver,
} from '../../../tests/support/alertmanager.js';
import { type PrometheusInstance, startPrometheus } from '../../../tests/support/prometheus.js';
import { requireBinary } from '../../../tests/support/system-deps.js';
import { waitFor } from '../../../tests/support/wait-for.js';
import type { Fleet } from '../src/fleet/fleet.js';
import { call, login } from './support/api.js';
import { startTestFleet } from './support/fleet.js';

const prometheusBin = requireBinary('prometheus');
const alertmanagerBin = requireBinary('alertmanager');

const REPO_ROOT = join(import.meta.dirname, '..', '..', '..');
const ALERTS_DIR = join(REPO_ROOT, 'alerts');
const RULE_FILES = ['orders-availability.sloth.yaml', 'orders-latency.openslo.yaml'];
const SLO_ID = 'orders-api-availability';
/** The order API routes the traffic uses, and the ones the fault fails. */
const FAULT_ROUTES = ['/api/catalog', '/api/orders'];
/** Traffic: one request every 50 ms (20/s), at most this many in the whole file. */
const TRAFFIC_INTERVAL_MS = 50;
const MAX_REQUESTS = 800;

interface WebhookAlert {
  readonly status: string;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
}
interface Notification {
  readonly status: string;
  readonly alerts: readonly WebhookAlert[];
}
interface PromAlert {
  readonly state: string;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
}
interface AmAlert {
  readonly labels: Record<string, string>;
  readonly status: { state: string; inhibitedBy: string[]; silencedBy: string[] };
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

describe.skipIf(!prometheusBin || !alertmanagerBin)(
  "the fleet's alerting path with the committed rules, a real Prometheus and Alertmanager",
  () => {
    let dir: string;
    let fleet: Fleet | undefined;
    let receiver: WebhookReceiver<Notification> | undefined;
    let prometheus: PrometheusInstance | undefined;
    let alertmanager: AlertmanagerInstance | undefined;
    let traffic: ReturnType<typeof setInterval> | undefined;
    let adminToken: string;
    let notifications: Notification[] = [];
    const answers = { ok: 0, serverError: 0, other: 0 };

    async function query(
      promql: string,
    ): Promise<{ metric: Record<string, string>; value: number }[]> {
      const body = await getJson<{
        data: { result: { metric: Record<string, string>; value: [number, string] }[] };
      }>(
        `${(prometheus as PrometheusInstance).url}/api/v1/query?query=${encodeURIComponent(promql)}`,
      );
      return body.data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
    }

    async function promAlerts(): Promise<PromAlert[]> {
      const body = await getJson<{ data: { alerts: PromAlert[] } }>(
        `${(prometheus as PrometheusInstance).url}/api/v1/alerts`,
      );
      return body.data.alerts;
    }

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'srekit-fleet-alerting-'));
      fleet = await startTestFleet({
        size: 2,
        inventorySize: 1,
        logDir: join(dir, 'logs'),
        sampleIntervalMs: 1_000,
      });

      receiver = await startWebhookReceiver<Notification>();
      notifications = receiver.notifications;

      // What we ship, read as committed: no regeneration here.
      alertmanager = await startAlertmanager({
        binary: alertmanagerBin as string,
        webhookUrl: receiver.url,
        inhibitRulesYaml: readFileSync(
          join(ALERTS_DIR, 'alertmanager', 'inhibit-rules.yaml'),
          'utf8',
        ),
      });
      prometheus = await startPrometheus({
        binary: prometheusBin as string,
        jobs: [{ name: 'orders', targets: fleet.instances.map((i) => new URL(i.url).host) }],
        ruleFiles: Object.fromEntries(
          RULE_FILES.map((name) => [name, readFileSync(join(ALERTS_DIR, name), 'utf8')]),
        ),
        alertmanagers: [alertmanager.url],
      });

      // Both users log in through the proxy before any fault; the admin token is for the
      // per-instance admin API, the viewer's for the authenticated order route.
      adminToken = (await login(fleet.url, 'admin')).accessToken;
      const viewerToken = (await login(fleet.url, 'viewer')).accessToken;

      // Bounded traffic through the proxy: 20 requests/s alternating the public catalog and the
      // viewer's order list, at most MAX_REQUESTS in all.
      let sent = 0;
      const proxyUrl = fleet.url;
      traffic = setInterval(() => {
        if (sent >= MAX_REQUESTS) return;
        const path = FAULT_ROUTES[sent % FAULT_ROUTES.length] as string;
        sent++;
        void fetch(`${proxyUrl}${path}`, {
          signal: AbortSignal.timeout(3_000),
          headers: path === '/api/orders' ? { authorization: `Bearer ${viewerToken}` } : {},
        })
          .then(async (res) => {
            await res.arrayBuffer();
            if (res.status < 300) answers.ok++;
            else if (res.status >= 500) answers.serverError++;
            else answers.other++;
          })
          .catch(() => {
            answers.other++;
          });
      }, TRAFFIC_INTERVAL_MS);
    }, 40_000);

    afterAll(async () => {
      clearInterval(traffic);
      await Promise.allSettled([prometheus?.stop(), alertmanager?.stop(), fleet?.close()]);
      await receiver?.close();
      rmSync(dir, { recursive: true, force: true });
    }, 20_000);

    it('records the SLIs for the fleet while healthy and fires no SLO alert', async () => {
      const prom = prometheus as PrometheusInstance;
      // Both instances are scraped under the job the specs select.
      const up = await waitFor(
        'Prometheus to scrape both instances',
        async () => {
          const r = await query('up{job="orders"} == 1');
          return r.length === 2 ? r : undefined;
        },
        10_000,
      );
      expect(up.map((r) => r.metric.instance).sort()).toEqual(
        (fleet as Fleet).instances.map((i) => new URL(i.url).host).sort(),
      );
      // The committed alert rules are loaded (else "no alert" would prove nothing).
      const rules = await getJson<{
        data: {
          groups: { name: string; rules: { name: string; type: string; health: string }[] }[];
        };
      }>(`${prom.url}/api/v1/rules`);
      const alertRules = rules.data.groups.flatMap((g) =>
        g.rules.filter((r) => r.type === 'alerting'),
      );
      expect(alertRules.map((r) => r.name)).toEqual(
        expect.arrayContaining([
          'OrdersApiAvailability',
          'OrdersLoginAvailability',
          'OrdersApiLatency',
        ]),
      );

      // The SLI recording rules have data for the fleet's traffic: requests, and no errors.
      const total = await waitFor(
        'the SLI total rate to see the traffic',
        async () => {
          const r = await query(`slo:sli_total:rate5m{slo_id="${SLO_ID}"}`);
          return r.length === 1 && (r[0]?.value ?? 0) > 0 ? r[0] : undefined;
        },
        15_000,
      );
      // rate() divides by the window (5m), not by the seconds of data: only ratios are meaningful.
      expect(total.value).toBeGreaterThan(0);
      const ratio = await waitFor('the SLI error ratio to have data', async () => {
        const r = await query(`slo:sli_error:ratio_rate5m{slo_id="${SLO_ID}"}`);
        return r.length === 1 ? r[0] : undefined;
      });
      expect(ratio.value).toBe(0);
      // The latency SLO's recording rules see the same traffic.
      const latency = await waitFor('the latency SLI to have data', async () => {
        const r = await query('slo:sli_error:ratio_rate5m{slo_id="orders-api-latency"}');
        return r.length === 1 ? r[0] : undefined;
      });
      expect(latency.value).toBeLessThan(0.01);
      // A few evaluations later the rules are healthy and nothing is pending or firing.
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      const evaluated = await getJson<typeof rules>(`${prom.url}/api/v1/rules`);
      for (const group of evaluated.data.groups) {
        for (const rule of group.rules)
          expect(rule.health, `${group.name}/${rule.name}`).toBe('ok');
      }
      expect(await promAlerts()).toEqual([]);
      expect(answers.serverError).toBe(0);
      expect(answers.ok).toBeGreaterThan(20);
      expect(notifications).toEqual([]);
    }, 30_000);

    it('pages on injected errors, inhibits the ticket tier, and delivers the page to the receiver', async () => {
      const f = fleet as Fleet;
      // The admin API is per instance: fail the order API on every one.
      for (const instance of f.instances) {
        for (const route of FAULT_ROUTES) {
          const set = await call(instance.url, 'POST', '/api/admin/faults', {
            token: adminToken,
            body: { route, errorRatio: 1, latencyMs: 0 },
          });
          expect(set.status, JSON.stringify(set.body)).toBe(201);
        }
        const listed = await call(instance.url, 'GET', '/api/admin/faults', { token: adminToken });
        expect((listed.body.faults as { route: string }[]).map((x) => x.route).sort()).toEqual(
          [...FAULT_ROUTES].sort(),
        );
      }
      const errorsBefore = answers.serverError;

      // Prometheus fires the page tier (and, without `for`, the ticket tiers) of the SLO.
      const firing = await waitFor(
        'OrdersApiAvailability to fire with the page and ticket tiers',
        async () => {
          const alerts = (await promAlerts()).filter(
            (a) => a.state === 'firing' && a.labels.alertname === 'OrdersApiAvailability',
          );
          const severities = new Set(alerts.map((a) => a.labels.slo_severity));
          return severities.has('page') && severities.has('ticket') ? alerts : undefined;
        },
        20_000,
      );
      expect(answers.serverError).toBeGreaterThan(errorsBefore);
      const pageFast = firing.find((a) => a.labels.burnrate_tier === 'page-fast');
      expect(pageFast?.labels).toMatchObject({
        slo_id: SLO_ID,
        slo_severity: 'page',
        severity: 'critical',
        routing_key: 'orders-oncall',
      });
      const [ratio] = await query(`slo:sli_error:ratio_rate5m{slo_id="${SLO_ID}"}`);
      expect(ratio?.value).toBeGreaterThan(14.4 * 0.001);

      // Alertmanager holds the page as active and the ticket of the same SLO as inhibited.
      const am = alertmanager as AlertmanagerInstance;
      const amAlerts = await waitFor(
        'Alertmanager to hold the page active and the ticket inhibited',
        async () => {
          const alerts = await getJson<AmAlert[]>(`${am.url}/api/v2/alerts`);
          const mine = alerts.filter((a) => a.labels.slo_id === SLO_ID);
          const page = mine.find((a) => a.labels.burnrate_tier === 'page-fast');
          const tickets = mine.filter((a) => a.labels.slo_severity === 'ticket');
          return page?.status.state === 'active' &&
            tickets.length > 0 &&
            tickets.every((t) => t.status.state === 'suppressed')
            ? { page, tickets }
            : undefined;
        },
        15_000,
      );
      for (const ticket of amAlerts.tickets) {
        expect(ticket.status.inhibitedBy.length, JSON.stringify(ticket)).toBeGreaterThan(0);
        expect(ticket.status.silencedBy).toEqual([]);
      }

      // The receiver gets the page with its routing labels and links, and never the ticket.
      const delivered = await waitFor(
        'the webhook receiver to get the page',
        async () =>
          notifications
            .flatMap((n) => n.alerts)
            .find(
              (a) =>
                a.status === 'firing' &&
                a.labels.slo_id === SLO_ID &&
                a.labels.burnrate_tier === 'page-fast',
            ),
        15_000,
      );
      expect(delivered.labels).toMatchObject({
        alertname: 'OrdersApiAvailability',
        slo_severity: 'page',
        routing_key: 'orders-oncall',
        severity: 'critical',
      });
      expect(delivered.annotations.runbook_url).toMatch(/^https:\/\/.+#slo-error-budget-burn$/);
      expect(delivered.annotations.dashboard_url).toBe(`/d/srekit-slo-${SLO_ID}`);
      const ticketsDelivered = notifications
        .flatMap((n) => n.alerts)
        .filter((a) => a.labels.slo_severity === 'ticket' && a.status === 'firing');
      expect(ticketsDelivered).toEqual([]);
    }, 40_000);

    it('serves the order API again on every instance once the admin clears the faults', async () => {
      const f = fleet as Fleet;
      for (const instance of f.instances) {
        const cleared = await call(instance.url, 'DELETE', '/api/admin/faults', {
          token: adminToken,
        });
        expect(cleared.status).toBe(200);
        expect(cleared.body.faults).toEqual([]);
        const res = await fetch(`${instance.url}/api/catalog`, {
          signal: AbortSignal.timeout(5_000),
        });
        const text = await res.text();
        expect(res.status, text).toBe(200);
      }
      // Through the proxy it may take longer: under 100 % errors the proxy's breakers opened on
      // every backend and stay open for the breaker's openMs (30 s) before probing again.
    }, 15_000);
  },
);
