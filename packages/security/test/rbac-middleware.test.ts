import { listen, scrapeRegistry, type TestServer } from '@srekit/core/testing';
import express, { type Request } from 'express';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METRICS } from '../src/metrics.js';
import { Rbac } from '../src/rbac/rbac.js';
import { requirePermission, requireRole } from '../src/rbac/require-permission.js';
import type { AuditEvent, AuthPrincipal, SecurityLogger } from '../src/types.js';

const rbac = new Rbac({
  roles: {
    viewer: { permissions: ['orders:read'] },
    admin: { inherits: ['viewer'], permissions: ['orders:*'] },
  },
});

const orders: Record<string, string> = { '1': 'alice', '2': 'bob' };

describe('requirePermission / requireRole in an express app', () => {
  const registry = new Registry();
  const audited: AuditEvent[] = [];
  const audit = { record: (e: AuditEvent) => audited.push(e) };
  const errors: string[] = [];
  const logger: SecurityLogger = { info() {}, warn() {}, error: (_o, m) => errors.push(m) };
  let server: TestServer;

  beforeAll(async () => {
    const app = express();
    // Stands in for jwtAuth()/sessions(): `x-test-principal: subject:role,role`.
    app.use((req: Request & { auth?: AuthPrincipal }, _res, next) => {
      const header = req.headers['x-test-principal'];
      if (typeof header === 'string') {
        const [subject = '', roles = ''] = header.split(':');
        req.auth = {
          subject,
          roles: roles.split(',').filter(Boolean),
          scopes: [],
          claims: {},
          method: 'jwt',
        };
      }
      next();
    });
    const opts = { rbac, registry, audit, logger };
    app.get('/orders', requirePermission('orders:read', opts), (_req, res) => {
      res.json({ ok: true });
    });
    app.delete('/orders/:id', requirePermission('orders:delete', opts), (_req, res) => {
      res.status(204).end();
    });
    app.get(
      '/orders/:id',
      requirePermission('orders:read', {
        ...opts,
        owner: async (req) => orders[String(req.params.id)],
      }),
      (req, res) => {
        res.json({ id: req.params.id });
      },
    );
    app.get(
      '/broken/:id',
      requirePermission('orders:read', {
        ...opts,
        owner: () => {
          throw new Error('db down');
        },
      }),
      (_req, res) => {
        res.json({ leaked: true });
      },
    );
    app.get('/admin', requireRole('admin', opts), (_req, res) => {
      res.json({ ok: true });
    });
    app.get('/viewers', requireRole('viewer', opts), (_req, res) => {
      res.json({ ok: true });
    });
    server = await listen(app);
  });
  afterAll(() => server.close());

  const get = (path: string, principal?: string, method = 'GET') =>
    fetch(`${server.url}${path}`, {
      method,
      headers: principal ? { 'x-test-principal': principal } : {},
    });

  it('answers 401 problem+json with WWW-Authenticate when there is no principal', async () => {
    const res = await get('/orders');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(await res.json()).toMatchObject({ status: 401, title: 'Unauthorized' });
  });

  it('answers 403 problem+json when the principal lacks the permission, and counts and audits it', async () => {
    const before = audited.length;
    const res = await get('/orders/1', 'carol:', 'DELETE');
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toBeNull();
    expect(await res.json()).toMatchObject({ status: 403, title: 'Forbidden' });
    expect(audited.slice(before)).toEqual([
      {
        event: 'permission.denied',
        outcome: 'denied',
        actor: 'carol',
        ip: expect.any(String),
        details: {
          permission: 'orders:delete',
          reason: 'missing_permission',
          method: 'DELETE',
          route: '/orders/:id',
        },
      },
    ]);
    const scraped = await scrapeRegistry(registry);
    expect(scraped.text).toContain(`${METRICS.authzDenied.name}{permission="orders:delete"} 1`);
  });

  it('lets an inherited permission and a wildcard through', async () => {
    expect((await get('/orders', 'dave:viewer')).status).toBe(200);
    expect((await get('/orders', 'erin:admin')).status).toBe(200);
    expect((await get('/orders/1', 'erin:admin', 'DELETE')).status).toBe(204);
    expect((await get('/orders/1', 'dave:viewer', 'DELETE')).status).toBe(403);
  });

  it('lets the owner read its own order and refuses another user (IDOR)', async () => {
    expect((await get('/orders/1', 'alice:viewer')).status).toBe(200);
    const before = audited.length;
    const res = await get('/orders/2', 'alice:viewer');
    expect(res.status).toBe(403);
    expect(audited.slice(before)[0]?.details).toMatchObject({
      reason: 'not_owner',
      route: '/orders/:id',
    });
  });

  it('lets the override permission read any order', async () => {
    expect((await get('/orders/2', 'erin:admin')).status).toBe(200);
  });

  it('answers a missing resource like someone else’s, so ids cannot be probed', async () => {
    const missing = await get('/orders/999', 'alice:viewer');
    const other = await get('/orders/2', 'alice:viewer');
    expect(missing.status).toBe(other.status);
    expect(await missing.json()).toEqual(await other.json());
  });

  it('answers 503 and logs when the owner hook throws, never running the handler', async () => {
    const res = await get('/broken/1', 'alice:viewer');
    expect(res.status).toBe(503);
    expect(await res.text()).not.toContain('leaked');
    expect(errors.some((m) => m.includes('owner hook failed'))).toBe(true);
  });

  it('checks roles through inheritance', async () => {
    expect((await get('/viewers', 'erin:admin')).status).toBe(200);
    expect((await get('/admin', 'dave:viewer')).status).toBe(403);
    expect((await get('/admin')).status).toBe(401);
    const scraped = await scrapeRegistry(registry);
    expect(scraped.text).toContain(`${METRICS.authzDenied.name}{permission="role:admin"} 1`);
  });
});

describe('requirePermission construction', () => {
  it('refuses a malformed permission, a missing policy and an unknown role', () => {
    expect(() => requirePermission('orders', { rbac })).toThrow(
      /ERR_SREKIT_SECURITY_INVALID_OPTION/,
    );
    expect(() => requirePermission('orders:read', {} as never)).toThrow(/rbac/);
    expect(() => requireRole('ghost', { rbac })).toThrow(/"ghost"/);
  });

  it('warns when no role can ever pass the check', () => {
    const warnings: string[] = [];
    requirePermission('invoices:read', {
      rbac,
      logger: { info() {}, error() {}, warn: (_o, m) => warnings.push(m) },
    });
    expect(warnings[0]).toContain('no role of the policy grants invoices:read');
  });
});
