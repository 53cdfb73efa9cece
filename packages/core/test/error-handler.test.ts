import express from 'express';
import { describe, expect, it } from 'vitest';
import { eventually, startHarness } from './helpers.js';

describe('telemetry.errorHandler()', () => {
  it('answers a thrown error with problem+json, records it on the span and logs it', async () => {
    const h = await startHarness((app, telemetry) => {
      app.get('/orders/:id', () => {
        throw new Error('connect ECONNREFUSED db.internal:5432 user=admin');
      });
      app.use(telemetry.errorHandler());
    });
    const res = await fetch(`${h.url}/orders/9?token=abc`, {
      headers: { 'x-request-id': 'err-1' },
    });
    expect(res.status).toBe(500);
    expect(res.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({
      type: 'about:blank',
      title: 'Internal Server Error',
      status: 500,
      instance: '/orders/9',
      request_id: 'err-1',
    });
    expect(text).not.toMatch(/ECONNREFUSED|at |token/);

    const span = await eventually(() =>
      h.spans.exporter.getFinishedSpans().find((s) => s.name === 'GET /orders/:id'),
    );
    expect(span.status.code).toBe(2);
    expect(span.events.map((e) => e.name)).toContain('exception');
    const logged = h.logs.find((r) => r.msg === 'request failed') as Record<string, unknown> & {
      err?: { stack?: string };
    };
    expect(logged).toMatchObject({
      request_id: 'err-1',
      trace_id: span.spanContext().traceId,
      status_code: 500,
    });
    expect(logged.err?.stack).toContain('ECONNREFUSED');
  });

  it('passes on the message of an exposable client error such as malformed JSON', async () => {
    const h = await startHarness((app, telemetry) => {
      app.post('/orders', express.json(), (req, res) => void res.status(201).json(req.body));
      app.use(telemetry.errorHandler());
    });
    const res = await fetch(`${h.url}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"qty": 3,,}',
    });
    expect(res.status).toBe(400);
    const problem = (await res.json()) as Record<string, unknown>;
    expect(problem).toMatchObject({ title: 'Bad Request', status: 400, instance: '/orders' });
    expect(String(problem.detail)).toMatch(/JSON/);
    expect(h.logs.find((r) => r.msg === 'request rejected')).toMatchObject({
      level: 'warn',
      status_code: 400,
      error_type: 'entity.parse.failed',
    });
  });

  it('hides the message of a client error that is not marked exposable', async () => {
    const h = await startHarness((app, telemetry) => {
      app.get('/secret', () => {
        throw Object.assign(new Error('row 42 of table users is locked'), { status: 409 });
      });
      app.use(telemetry.errorHandler());
    });
    const res = await fetch(`${h.url}/secret`);
    expect(res.status).toBe(409);
    const problem = (await res.json()) as Record<string, unknown>;
    expect(problem).toMatchObject({ title: 'Conflict', status: 409 });
    expect(problem).not.toHaveProperty('detail');
  });
});
