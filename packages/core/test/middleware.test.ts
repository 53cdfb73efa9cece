import { request as httpRequest } from 'node:http';
import { context, SpanKind, trace } from '@opentelemetry/api';
import express from 'express';
import { Gauge } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { LABELS, METRICS, OVERFLOW_LABEL_VALUE } from '../src/index.js';
import { listen, parseExposition } from '../src/testing/index.js';
import { eventually, startHarness } from './helpers.js';

const DURATION = METRICS.httpServerRequestDuration.name;

async function scrape(url: string, openMetrics = false) {
  const res = await fetch(`${url}/metrics`, {
    headers: openMetrics ? { accept: 'application/openmetrics-text; version=1.0.0' } : {},
  });
  const text = await res.text();
  return { res, text, parsed: parseExposition(text) };
}

function countSeries(parsed: ReturnType<typeof parseExposition>) {
  return parsed.samples.filter((s) => s.name === `${DURATION}_count`);
}

describe('telemetry.middleware()', () => {
  it('labels requests with the route template, never the raw path', async () => {
    const h = await startHarness((app) => {
      app.get('/users/:id', (req, res) => void res.json({ id: req.params.id }));
      const teams = express.Router();
      teams.get('/teams/:team', (_req, res) => void res.send('ok'));
      app.use('/orgs/:org', teams);
    });
    for (const id of ['1', '42', 'abc']) await (await fetch(`${h.url}/users/${id}`)).text();
    await (await fetch(`${h.url}/orgs/acme/teams/blue`)).text();
    await (await fetch(`${h.url}/orgs/initech/teams/red`)).text();
    await (await fetch(`${h.url}/no/such/route`)).text();

    const counts = countSeries((await scrape(h.url)).parsed);
    const byRoute = new Map(counts.map((s) => [s.labels[LABELS.route], s]));
    expect(byRoute.get('/users/:id')?.value).toBe(3);
    expect(byRoute.get('/orgs/:org/teams/:team')?.value).toBe(2);
    expect(byRoute.get('')?.labels[LABELS.statusCode]).toBe('404');
    for (const s of counts) expect(s.labels[LABELS.route]).not.toMatch(/42|acme|initech|such/);
  });

  it('labels methods and status codes per the semantic conventions', async () => {
    const h = await startHarness((app) => {
      app.post('/orders', (_req, res) => void res.status(201).json({}));
      app.get('/boom', () => {
        throw new Error('handler failed');
      });
      app.all('/any', (_req, res) => void res.status(204).end());
    });
    await fetch(`${h.url}/orders`, { method: 'POST', body: '{}' });
    await fetch(`${h.url}/boom`);
    await new Promise<void>((resolve, reject) => {
      const req = httpRequest(`${h.url}/any`, { method: 'PROPFIND' }, (res) => {
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.end();
    });

    const counts = countSeries((await scrape(h.url)).parsed);
    const find = (route: string) => counts.find((s) => s.labels[LABELS.route] === route)?.labels;
    expect(find('/orders')).toMatchObject({ [LABELS.method]: 'POST', [LABELS.statusCode]: '201' });
    expect(find('/boom')).toMatchObject({ [LABELS.method]: 'GET', [LABELS.statusCode]: '500' });
    expect(find('/any')).toMatchObject({ [LABELS.method]: '_OTHER', [LABELS.statusCode]: '204' });

    const boom = h.spans.exporter.getFinishedSpans().find((s) => s.name === 'GET /boom');
    expect(boom?.status.code).toBe(2);
    expect(boom?.attributes['http.response.status_code']).toBe(500);
    expect(boom?.attributes['error.type']).toBe('500');
  });

  it('continues an incoming traceparent: span, log line and exemplar share the trace id', async () => {
    const h = await startHarness((app, telemetry) => {
      app.get('/users/:id', (req, res) => {
        telemetry.logger.info({ user: req.params.id }, 'loading user');
        res.json({ id: req.params.id });
      });
    });
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const parentSpanId = '00f067aa0ba902b7';
    const res = await fetch(`${h.url}/users/7`, {
      headers: { traceparent: `00-${traceId}-${parentSpanId}-01` },
    });
    expect(res.status).toBe(200);

    const span = await eventually(() =>
      h.spans.exporter.getFinishedSpans().find((s) => s.name === 'GET /users/:id'),
    );
    expect(span.spanContext().traceId).toBe(traceId);
    expect(span.parentSpanContext?.spanId).toBe(parentSpanId);
    expect(span.kind).toBe(1);
    expect(span.attributes['http.route']).toBe('/users/:id');

    const handlerLine = h.logs.find((r) => r.msg === 'loading user');
    expect(handlerLine).toMatchObject({
      trace_id: traceId,
      span_id: span.spanContext().spanId,
      service: 'test-service',
    });
    const access = await eventually(() => h.logs.find((r) => r.msg === 'request completed'));
    expect(access).toMatchObject({ trace_id: traceId, route: '/users/:id', status_code: 200 });
    expect(access.request_id).toBe(handlerLine?.request_id);

    const { res: metricsRes, parsed } = await scrape(h.url, true);
    expect(metricsRes.headers.get('content-type')).toContain('application/openmetrics-text');
    expect(parsed.eof).toBe(true);
    const exemplars = parsed.samples.filter(
      (s) =>
        s.name === `${DURATION}_bucket` &&
        s.labels[LABELS.route] === '/users/:id' &&
        s.exemplar !== undefined,
    );
    expect(exemplars.map((s) => s.exemplar?.labels.trace_id)).toEqual([traceId]);

    const text = (await scrape(h.url)).text;
    expect(text).not.toContain('# {trace_id');
  });

  it('adopts a server span that http instrumentation already started instead of making a second', async () => {
    const h = await startHarness(() => {});
    // Stand-in for @opentelemetry/instrumentation-http: a SERVER span active before the middleware.
    const outer = express();
    outer.use((_req, res, next) => {
      const span = trace
        .getTracer('instrumentation-http')
        .startSpan('GET', { kind: SpanKind.SERVER });
      res.on('close', () => span.end());
      context.with(trace.setSpan(context.active(), span), next);
    });
    outer.use(h.telemetry.middleware());
    outer.get('/items/:id', (_req, res) => {
      h.telemetry.logger.info('in handler');
      res.send('ok');
    });
    const server = await listen(outer);
    await (await fetch(`${server.url}/items/3`)).text();
    const spans = await eventually(() => {
      const all = h.spans.exporter.getFinishedSpans();
      return all.length > 0 ? all : undefined;
    });
    expect(spans.map((s) => s.name)).toEqual(['GET /items/:id']);
    expect(spans[0]?.instrumentationScope.name).toBe('instrumentation-http');
    expect(spans[0]?.attributes['http.route']).toBe('/items/:id');
    expect(h.logs.find((r) => r.msg === 'in handler')?.trace_id).toBe(
      spans[0]?.spanContext().traceId,
    );
    await server.close();
  });

  it('echoes a valid x-request-id and replaces an unsafe one', async () => {
    const h = await startHarness((app) => {
      app.get('/ping', (_req, res) => void res.send('pong'));
    });
    const kept = await fetch(`${h.url}/ping`, { headers: { 'x-request-id': 'abc-123.XYZ' } });
    expect(kept.headers.get('x-request-id')).toBe('abc-123.XYZ');
    const replaced = await fetch(`${h.url}/ping`, {
      headers: { 'x-request-id': 'evil"\\id with spaces' },
    });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const generated = await fetch(`${h.url}/ping`);
    const id = generated.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const line = await eventually(() => h.logs.find((r) => r.request_id === id));
    expect(line.msg).toBe('request completed');
  });

  it('answers a failing metric collector with a problem body, not a stack trace', async () => {
    const h = await startHarness((_app, telemetry) => {
      new Gauge({
        name: 'broken_gauge',
        help: 'Throws on collect.',
        registers: [telemetry.registry],
        collect() {
          throw new Error('secret connection string in stack');
        },
      });
    });
    const res = await fetch(`${h.url}/metrics`);
    expect(res.status).toBe(500);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: 500, title: 'Metrics collection failed' });
    expect(JSON.stringify(body)).not.toContain('secret');
    expect(h.logs.find((r) => r.msg === 'metrics collection failed')).toBeDefined();
  });

  it('leaves /metrics and probes unmeasured', async () => {
    const h = await startHarness((app) => {
      app.get('/ping', (_req, res) => void res.send('pong'));
    });
    await fetch(`${h.url}/livez`);
    await fetch(`${h.url}/readyz`);
    await scrape(h.url);
    await fetch(`${h.url}/ping`);
    const routes = countSeries((await scrape(h.url)).parsed).map((s) => s.labels[LABELS.route]);
    expect(routes).toEqual(['/ping']);
  });

  it('counts requests in flight and records a client that went away as 499', async () => {
    let reached: () => void = () => {};
    const inHandler = new Promise<void>((resolve) => {
      reached = resolve;
    });
    const h = await startHarness((app) => {
      app.get('/slow', () => reached());
    });
    const active = async () =>
      (await scrape(h.url)).parsed.samples.find(
        (s) =>
          s.name === METRICS.httpServerActiveRequests.name && s.labels[LABELS.method] === 'GET',
      )?.value;
    const controller = new AbortController();
    const pending = fetch(`${h.url}/slow`, { signal: controller.signal }).catch(() => 'aborted');
    await inHandler;
    expect(await active()).toBe(1);
    controller.abort();
    expect(await pending).toBe('aborted');
    const line = await eventually(() => h.logs.find((r) => r.route === '/slow'));
    expect(line.status_code).toBe(499);
    expect(await active()).toBe(0);
    const series = countSeries((await scrape(h.url)).parsed).find(
      (s) => s.labels[LABELS.route] === '/slow',
    );
    expect(series?.labels[LABELS.statusCode]).toBe('499');
  });

  it('folds label sets beyond the series cap into one overflow series and counts them', async () => {
    const h = await startHarness(
      (app) => {
        app.get('/a/:x', (_req, res) => void res.send('a'));
        app.get('/b/:x', (_req, res) => void res.send('b'));
        app.get('/c/:x', (_req, res) => void res.send('c'));
        app.get('/d/:x', (_req, res) => void res.send('d'));
      },
      { metrics: { maxSeriesPerMetric: 2 } },
    );
    for (const p of ['a', 'b', 'c', 'd', 'c', 'a']) await (await fetch(`${h.url}/${p}/1`)).text();
    const { parsed } = await scrape(h.url);
    const counts = countSeries(parsed);
    const routes = counts.map((s) => s.labels[LABELS.route]).sort();
    expect(routes).toEqual(['/a/:x', '/b/:x', OVERFLOW_LABEL_VALUE]);
    expect(counts.find((s) => s.labels[LABELS.route] === OVERFLOW_LABEL_VALUE)?.value).toBe(3);
    expect(counts.find((s) => s.labels[LABELS.route] === '/a/:x')?.value).toBe(2);
    const dropped = parsed.samples.find((s) => s.name === METRICS.droppedSeries.name);
    expect(dropped).toMatchObject({ labels: { metric: DURATION }, value: 3 });
  });
});
