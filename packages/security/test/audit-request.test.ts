import { trace } from '@opentelemetry/api';
import { createTelemetry, type Telemetry } from '@srekit/core';
import { createInMemoryTracing, LogCapture, listen, type TestServer } from '@srekit/core/testing';
import express, { type Request } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../src/audit/audit-chain.js';
import { type AuditLog, type AuditRecord, auditLog } from '../src/audit/audit-log.js';
import { Rbac } from '../src/rbac/rbac.js';
import { requirePermission } from '../src/rbac/require-permission.js';
import type { AuthPrincipal } from '../src/types.js';

const JWT =
  'eyJhbGciOiJSUzI1NiIsInR5cCI6ImF0K2p3dCJ9.eyJzdWIiOiJhbGljZSIsImV4cCI6NDEwMjQ0NDgwMH0.c2lnbmF0dXJl';

describe('auditLog inside a real express request with core’s middleware', () => {
  const logs = new LogCapture();
  const spans = createInMemoryTracing();
  let telemetry: Telemetry;
  let audit: AuditLog;
  let server: TestServer;
  const seen: AuditRecord[] = [];

  beforeAll(async () => {
    telemetry = createTelemetry({
      serviceName: 'orders',
      tracing: { spanProcessors: spans.spanProcessors },
      logging: { destination: logs },
    });
    audit = auditLog({ logger: telemetry.logger, chain: true });
    audit.onEvent((r) => seen.push(r));
    const rbac = new Rbac({ roles: { viewer: { permissions: ['orders:read'] } } });
    const app = express();
    app.use(telemetry.middleware());
    app.use(express.json());
    app.use((req: Request & { auth?: AuthPrincipal }, _res, next) => {
      if (req.headers['x-user'] === 'bob') {
        req.auth = { subject: 'bob', roles: ['viewer'], scopes: [], claims: {}, method: 'jwt' };
      }
      next();
    });
    app.delete(
      '/orders/:id',
      requirePermission('orders:delete', { rbac, audit, registry: telemetry.registry }),
      (_req, res) => {
        res.status(204).end();
      },
    );
    app.post('/login', (req, res) => {
      const body = req.body as Record<string, string>;
      // A careless caller passes everything it has; the audit log must still write no secret.
      audit.record({
        event: 'login.failure',
        outcome: 'failure',
        actor: body.user as string,
        ip: req.ip as string,
        details: { ...body, headers: req.headers, reason: 'bad_password' },
      });
      res.status(401).json({ error: 'invalid credentials' });
    });
    server = await listen(app);
  });

  afterAll(async () => {
    await server.close();
    await telemetry.shutdown();
  });

  it('carries the request id and the trace id of the request’s span', async () => {
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const res = await fetch(`${server.url}/orders/42`, {
      method: 'DELETE',
      headers: {
        'x-user': 'bob',
        'x-request-id': 'req-audit-1',
        traceparent: `00-${traceId}-b7ad6b7169203331-01`,
      },
    });
    expect(res.status).toBe(403);
    const line = logs.find((r) => r.event === 'permission.denied');
    expect(line).toMatchObject({
      msg: 'audit permission.denied',
      level: 'warn',
      service: 'orders',
      event: 'permission.denied',
      outcome: 'denied',
      actor: 'bob',
      ip: '127.0.0.1',
      request_id: 'req-audit-1',
      trace_id: traceId,
      details: {
        permission: 'orders:delete',
        route: '/orders/:id',
        method: 'DELETE',
        reason: 'missing_permission',
      },
    });
    // The server span ends when the response finishes, a moment after the client has it.
    await expect
      .poll(
        () =>
          spans.exporter
            .getFinishedSpans()
            .find((s) => s.name === 'DELETE /orders/:id')
            ?.spanContext().traceId,
      )
      .toBe(traceId);
    expect(seen.find((r) => r.event === 'permission.denied')?.request_id).toBe('req-audit-1');
  });

  it('writes no secret even when a caller passes the whole request, and neutralises CR/LF', async () => {
    const res = await fetch(`${server.url}/login`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${JWT}`,
        cookie: '__Host-sid=s3ss10n-v4lu3',
        'x-request-id': 'req-audit-2',
      },
      body: JSON.stringify({
        user: 'alice\r\n{"event":"login.success","actor":"admin"}',
        password: 'correct horse battery staple',
        otp: '287082',
        code: '755224',
        refresh_token: 'rt-0123456789',
        note: JWT,
      }),
    });
    expect(res.status).toBe(401);
    const raw = logs.raw.find((l) => l.includes('"event":"login.failure"')) as string;
    expect(raw).toBeDefined();
    for (const secret of [
      'correct horse',
      '287082',
      '755224',
      'rt-0123456789',
      's3ss10n-v4lu3',
      JWT.split('.')[1] as string,
    ]) {
      expect(raw).not.toContain(secret);
    }
    expect(raw.trimEnd()).not.toMatch(/[\r\n]/);
    const record = JSON.parse(raw) as Record<string, unknown>;
    expect(record.actor).toBe('alice\\r\\n{"event":"login.success","actor":"admin"}');
    expect(record.request_id).toBe('req-audit-2');
    expect((record.details as Record<string, unknown>).reason).toBe('bad_password');
  });

  it('takes the trace id from the active span outside a request (a background job)', () => {
    let traceId = '';
    trace.getTracer('jobs').startActiveSpan('nightly-cleanup', (span) => {
      traceId = span.spanContext().traceId;
      audit.record({
        event: 'session.revoked',
        outcome: 'success',
        actor: 'system',
        details: { reason: 'cleanup' },
      });
      span.end();
    });
    const line = logs.find((r) => r.event === 'session.revoked');
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(line?.trace_id).toBe(traceId);
    expect(line).not.toHaveProperty('request_id');
  });

  it('chains the records as written to the log, and the chain verifies from the log lines', () => {
    const lines = logs.records().filter((r) => typeof r.hash === 'string');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(verifyAuditChain(lines)).toMatchObject({ ok: true, count: lines.length });
    const tampered = lines.map((r, i) => (i === 0 ? { ...r, actor: 'mallory' } : r));
    expect(verifyAuditChain(tampered)).toMatchObject({
      ok: false,
      index: 0,
      reason: 'hash_mismatch',
    });
  });
});
