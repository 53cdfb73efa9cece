import { spawnSync } from 'node:child_process';
import { createTelemetry, LABELS, METRICS, type Telemetry } from '@srekit/core';
import { LogCapture, listen, type TestServer } from '@srekit/core/testing';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PrometheusInstance, startPrometheus, waitFor } from '../support/prometheus.js';
import { requireBinary } from '../support/system-deps.js';

const prometheusBin = requireBinary('prometheus');
const promtoolBin = requireBinary('promtool');
const DURATION = METRICS.httpServerRequestDuration.name;

describe.skipIf(!prometheusBin || !promtoolBin)('a real Prometheus scraping @srekit/core', () => {
  let telemetry: Telemetry;
  let service: TestServer;
  let prometheus: PrometheusInstance | undefined;
  let prometheusUrl = '';

  beforeAll(async () => {
    telemetry = createTelemetry({
      serviceName: 'scraped',
      logging: { destination: new LogCapture() },
    });
    const app = express();
    app.use(telemetry.middleware());
    app.get('/metrics', telemetry.metricsHandler());
    app.get('/users/:id', (req, res) => void res.json({ id: req.params.id }));
    service = await listen(app);
    telemetry.attach(service.server);

    prometheus = await startPrometheus({
      binary: prometheusBin as string,
      jobs: [{ name: 'scraped', targets: [service.url.replace('http://', '')] }],
      args: ['--enable-feature=exemplar-storage'],
    });
    prometheusUrl = prometheus.url;
  }, 60_000);

  afterAll(async () => {
    await prometheus?.stop();
    await telemetry?.shutdown();
    await service?.close();
  });

  it('passes promtool check metrics for every metric srekit owns', async () => {
    await (await fetch(`${service.url}/warm-up`)).text();
    const text = await (await fetch(`${service.url}/metrics`)).text();
    const result = spawnSync(promtoolBin as string, ['check', 'metrics'], {
      input: text,
      encoding: 'utf8',
    });
    const problems = (result.stdout + result.stderr)
      .split('\n')
      .filter((line) => line.trim() !== '');
    // prom-client's default metrics include gauges named *_total (nodejs_active_handles_total…),
    // which promtool flags; their names are prom-client's and dashboards rely on them.
    const ours = problems.filter(
      (line) => !/^nodejs_active_(handles|requests|resources)_total /.test(line),
    );
    expect(ours).toEqual([]);
    expect(text).toContain(`# TYPE ${DURATION} histogram`);
  });

  it('ingests the RED histogram with route labels and the trace-id exemplar', async () => {
    const traceId = '5b8efff798038103d269b633813fc60c';
    const started = Date.now() / 1000 - 5;
    await (
      await fetch(`${service.url}/users/42`, {
        headers: { traceparent: `00-${traceId}-eee19b7ec3c1b174-01` },
      })
    ).text();

    const query = encodeURIComponent(`${DURATION}_count{${LABELS.route}="/users/:id"}`);
    const series = await waitFor('the series in Prometheus', async () => {
      const body = (await (await fetch(`${prometheusUrl}/api/v1/query?query=${query}`)).json()) as {
        data: { result: { metric: Record<string, string>; value: [number, string] }[] };
      };
      return body.data.result.length > 0 ? body.data.result : undefined;
    });
    expect(series[0]?.metric).toMatchObject({
      job: 'scraped',
      [LABELS.method]: 'GET',
      [LABELS.route]: '/users/:id',
      [LABELS.statusCode]: '200',
    });
    expect(Number(series[0]?.value[1])).toBe(1);

    const exemplarQuery = encodeURIComponent(`${DURATION}_bucket{${LABELS.route}="/users/:id"}`);
    const exemplars = await waitFor('the exemplar in Prometheus', async () => {
      const url = `${prometheusUrl}/api/v1/query_exemplars?query=${exemplarQuery}&start=${started}&end=${Date.now() / 1000 + 5}`;
      const body = (await (await fetch(url)).json()) as {
        data: { exemplars: { labels: Record<string, string> }[] }[];
      };
      const all = body.data.flatMap((d) => d.exemplars.map((e) => e.labels.trace_id));
      return all.length > 0 ? all : undefined;
    });
    expect(exemplars).toContain(traceId);
  }, 60_000);

  it('scrapes without errors (the target is up)', async () => {
    const up = await waitFor('the target to be up', async () => {
      const body = (await (await fetch(`${prometheusUrl}/api/v1/targets`)).json()) as {
        data: { activeTargets: { health: string; lastError: string }[] };
      };
      const target = body.data.activeTargets[0];
      return target?.health === 'up' ? target : undefined;
    });
    expect(up.lastError, prometheus?.log()).toBe('');
  }, 60_000);
});
