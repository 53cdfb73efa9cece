import { listen } from '@srekit/core/testing';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { RecordingLogger } from '../../test/support/auth-recorders.js';
import { Rbac } from '../rbac/rbac.js';
import { requirePermission } from '../rbac/require-permission.js';
import type { AuditEvent } from '../types.js';
import { guardAuditSink } from './guard-sink.js';

const throwingSink = {
  record(): void {
    throw new Error('disk full');
  },
};

describe('guardAuditSink', () => {
  it('passes events through without an undefined ip', () => {
    const seen: AuditEvent[] = [];
    const sink = guardAuditSink({ record: (event) => void seen.push(event) }, undefined);
    sink?.record({
      event: 'login.failure',
      outcome: 'failure',
      ip: undefined as unknown as string,
    });
    sink?.record({ event: 'login.success', outcome: 'success', ip: '203.0.113.9' });
    expect(seen).toEqual([
      { event: 'login.failure', outcome: 'failure' },
      { event: 'login.success', outcome: 'success', ip: '203.0.113.9' },
    ]);
    expect('ip' in (seen[0] ?? {})).toBe(false);
  });

  it('logs a sink that throws instead of throwing', () => {
    const logger = new RecordingLogger();
    const sink = guardAuditSink(throwingSink, logger);
    expect(() => sink?.record({ event: 'lockout', outcome: 'blocked' })).not.toThrow();
    expect(logger.lines).toEqual([
      {
        level: 'warn',
        object: { event: 'lockout', err: 'disk full' },
        message: 'audit sink failed',
      },
    ]);
  });

  it('keeps a request answering when the application sink throws', async () => {
    const logger = new RecordingLogger();
    const rbac = new Rbac({ roles: { viewer: { permissions: ['orders:read'] } } });
    const app = express();
    app.use((req, _res, next) => {
      (req as unknown as { auth: object }).auth = {
        subject: 'u-1',
        roles: ['viewer'],
        scopes: [],
        claims: {},
        method: 'jwt',
      };
      next();
    });
    app.delete(
      '/orders/:id',
      requirePermission('orders:delete', { rbac, audit: throwingSink, logger }),
      (_req, res) => {
        res.status(204).end();
      },
    );
    const server = await listen(app);
    try {
      const response = await fetch(`${server.url}/orders/1`, { method: 'DELETE' });
      expect(response.status).toBe(403);
      expect(logger.lines.some((line) => line.message === 'audit sink failed')).toBe(true);
    } finally {
      await server.close();
    }
  });
});
