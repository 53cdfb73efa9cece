import { describe, expect, it } from 'vitest';
import { createTelemetry, REDACTED } from '../src/index.js';
import { LogCapture } from '../src/testing/index.js';
import { eventually, startHarness } from './helpers.js';

describe('telemetry.logger', () => {
  it('writes JSON lines with the DESIGN.md field names', async () => {
    const logs = new LogCapture();
    const telemetry = createTelemetry({
      serviceName: 'orders',
      tracing: { enabled: false },
      logging: { destination: logs },
    });
    telemetry.logger.info({ orderId: 'o-1' }, 'order placed');
    const record = logs.find((r) => r.msg === 'order placed');
    expect(record).toMatchObject({ level: 'info', service: 'orders', orderId: 'o-1' });
    expect(typeof record?.time).toBe('string');
    expect(Number.isNaN(Date.parse(String(record?.time)))).toBe(false);
    expect(record).not.toHaveProperty('trace_id');
    await telemetry.shutdown();
  });

  it('redacts authorization, cookie, password and token fields by default', async () => {
    const logs = new LogCapture();
    const telemetry = createTelemetry({
      serviceName: 'auth',
      tracing: { enabled: false },
      logging: { destination: logs, redact: ['apiKey'] },
    });
    telemetry.logger.info(
      {
        password: 'hunter2',
        token: 'abc',
        apiKey: 'k-123',
        headers: {
          authorization: 'Bearer secret',
          cookie: 'sid=1',
          'set-cookie': 'sid=2',
          accept: 'json',
        },
        user: { name: 'ada', password: 'pw' },
        req: { headers: { authorization: 'Basic Zm9vOmJhcg==' } },
      },
      'login attempt',
    );
    const line = logs.raw.join('');
    for (const secret of [
      'hunter2',
      'Bearer secret',
      'sid=1',
      'sid=2',
      'k-123',
      '"pw"',
      'Zm9vOmJhcg==',
    ]) {
      expect(line).not.toContain(secret);
    }
    type Logged = Record<string, string> & {
      headers: Record<string, string>;
      user: Record<string, string>;
      req: { headers: Record<string, string> };
    };
    const record = logs.find((r) => r.msg === 'login attempt') as unknown as Logged;
    expect(record.password).toBe(REDACTED);
    expect(record.token).toBe(REDACTED);
    expect(record.headers.authorization).toBe(REDACTED);
    expect(record.headers.accept).toBe('json');
    expect(record.user).toEqual({ name: 'ada', password: REDACTED });
    expect(record.req.headers.authorization).toBe(REDACTED);
    await telemetry.shutdown();
  });

  it("redacts by key at any depth, case-insensitively, without touching the caller's objects", async () => {
    const logs = new LogCapture();
    const telemetry = createTelemetry({
      serviceName: 'auth',
      tracing: { enabled: false },
      logging: { destination: logs, redactKeys: ['X-Api-Key'] },
    });
    const payload = {
      Authorization: 'Bearer a',
      list: [{ token: 't1' }, { ok: 1 }],
      deep: { a: { b: { password: 'p3' } } },
      tooDeep: { a: { b: { c: { password: 'p5' } } } },
      headers: { 'x-api-key': 'k' },
      err: new Error('boom'),
    };
    telemetry.logger.info(payload, 'mixed');
    const record = logs.find((r) => r.msg === 'mixed') as unknown as typeof payload & {
      err: { message: string };
    };
    expect(record.Authorization).toBe(REDACTED);
    expect(record.list).toEqual([{ token: REDACTED }, { ok: 1 }]);
    expect(record.deep.a.b.password).toBe(REDACTED);
    expect(record.headers['x-api-key']).toBe(REDACTED);
    expect(record.err.message).toBe('boom');
    // Four levels deep is the limit: deeper values are left as they are (documented).
    expect(record.tooDeep.a.b.c.password).toBe('p5');
    expect(payload.list[0]?.token).toBe('t1');
    expect(payload.Authorization).toBe('Bearer a');
    await telemetry.shutdown();
  });

  it('cannot be made to write a forged line from user input (CR/LF stay escaped)', async () => {
    const h = await startHarness((app, telemetry) => {
      app.get('/search', (req, res) => {
        telemetry.logger.warn({ q: req.query.q }, `searched for ${String(req.query.q)}`);
        res.send('ok');
      });
    });
    const forged = 'x\r\n{"level":"info","msg":"admin logged in"}';
    await (await fetch(`${h.url}/search?q=${encodeURIComponent(forged)}`)).text();
    await eventually(() => h.logs.find((r) => r.msg === 'request completed'));
    for (const raw of h.logs.raw) {
      expect(raw.endsWith('\n')).toBe(true);
      expect(raw.slice(0, -1)).not.toMatch(/[\r\n]/);
    }
    expect(h.logs.filter((r) => r.msg === 'admin logged in')).toHaveLength(0);
    expect(h.logs.find((r) => r.level === 'warn')?.q).toBe(forged);
  });

  it('keeps request correlation in child loggers and across awaits', async () => {
    const h = await startHarness((app, telemetry) => {
      app.get('/work', async (_req, res) => {
        const log = telemetry.logger.child({ component: 'worker' });
        await new Promise((resolve) => setTimeout(resolve, 5));
        log.info('step done');
        res.send('ok');
      });
    });
    const res = await fetch(`${h.url}/work`, { headers: { 'x-request-id': 'req-77' } });
    expect(res.status).toBe(200);
    const step = await eventually(() => h.logs.find((r) => r.msg === 'step done'));
    expect(step).toMatchObject({
      component: 'worker',
      request_id: 'req-77',
      service: 'test-service',
    });
    expect(step.trace_id).toMatch(/^[0-9a-f]{32}$/);
  });

  it('adds correlation to a logger the application brings', async () => {
    const { default: pino } = await import('pino');
    const logs = new LogCapture();
    const own = pino({ base: { team: 'payments' } }, logs);
    const h = await startHarness(
      (app, telemetry) => {
        app.get('/pay', (_req, res) => {
          telemetry.logger.info('paying');
          res.send('ok');
        });
      },
      { logging: { logger: own } },
    );
    await fetch(`${h.url}/pay`, { headers: { 'x-request-id': 'pay-1' } });
    const line = await eventually(() => logs.find((r) => r.msg === 'paying'));
    expect(line).toMatchObject({ team: 'payments', service: 'test-service', request_id: 'pay-1' });
    expect(line.trace_id).toMatch(/^[0-9a-f]{32}$/);
  });

  it('writes to a file destination and flushes it on shutdown', async () => {
    const { mkdtemp, readFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'srekit-log-'));
    const file = join(dir, 'nested', 'service.log');
    const telemetry = createTelemetry({
      serviceName: 'files',
      tracing: { enabled: false },
      logging: { destination: file },
    });
    for (let i = 0; i < 100; i++) telemetry.logger.info({ i }, 'line');
    await telemetry.shutdown();
    const lines = (await readFile(file, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.msg === 'line')).toHaveLength(100);
    expect(lines.at(-1)?.msg).toBe('shutdown complete');
  });
});
