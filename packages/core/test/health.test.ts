import { describe, expect, it } from 'vitest';
import { ERROR_CODES, type HealthReport, isSrekitError } from '../src/index.js';
import { startHarness } from './helpers.js';

async function probe(
  url: string,
): Promise<{ status: number; body: HealthReport; ms: number; type: string | null }> {
  const started = performance.now();
  const res = await fetch(url);
  const body = (await res.json()) as HealthReport;
  return {
    status: res.status,
    body,
    ms: performance.now() - started,
    type: res.headers.get('content-type'),
  };
}

describe('telemetry.health', () => {
  it('answers a hanging check within its timeout and reports it failed', async () => {
    const h = await startHarness(() => {});
    let aborted = false;
    h.telemetry.health.register(
      'db',
      (signal) =>
        new Promise(() => {
          signal.addEventListener('abort', () => {
            aborted = true;
          });
        }),
      { timeoutMs: 150 },
    );
    const result = await probe(`${h.url}/readyz`);
    expect(result.status).toBe(503);
    expect(result.ms).toBeLessThan(1000);
    expect(result.ms).toBeGreaterThanOrEqual(140);
    expect(result.type).toContain('application/health+json');
    expect(result.body.status).toBe('fail');
    expect(result.body.checks.db).toMatchObject({ status: 'fail', critical: true });
    expect(result.body.checks.db?.error).toContain('150 ms');
    expect(aborted).toBe(true);
  });

  it('keeps readiness at 200 with warn when only a non-critical check fails', async () => {
    const h = await startHarness(() => {});
    h.telemetry.health.register('db', async () => {});
    h.telemetry.health.register(
      'cache',
      () => {
        throw new Error('cache unreachable');
      },
      { critical: false },
    );
    const result = await probe(`${h.url}/readyz`);
    expect(result.status).toBe(200);
    expect(result.body.status).toBe('warn');
    expect(result.body.checks.db?.status).toBe('pass');
    expect(result.body.checks.cache).toMatchObject({
      status: 'fail',
      critical: false,
      error: 'cache unreachable',
    });
  });

  it('runs only liveness checks on /livez and latches startup once passed', async () => {
    const h = await startHarness(() => {});
    let dbUp = false;
    h.telemetry.health.register('db', () => dbUp);
    h.telemetry.health.register('loop', () => true, { probes: ['liveness'] });
    const live = await probe(`${h.url}/livez`);
    expect(live.status).toBe(200);
    expect(Object.keys(live.body.checks)).toEqual(['loop']);
    expect((await probe(`${h.url}/startupz`)).status).toBe(503);
    dbUp = true;
    expect((await probe(`${h.url}/startupz`)).status).toBe(200);
    dbUp = false;
    expect((await probe(`${h.url}/startupz`)).status).toBe(200);
    expect((await probe(`${h.url}/readyz`)).status).toBe(503);
  });

  it('shares one run of a slow check between concurrent probes', async () => {
    const h = await startHarness(() => {});
    let runs = 0;
    h.telemetry.health.register('slow', async () => {
      runs++;
      await new Promise((resolve) => setTimeout(resolve, 50));
    });
    const results = await Promise.all([1, 2, 3, 4].map(() => probe(`${h.url}/readyz`)));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(runs).toBe(1);
  });

  it('rejects duplicate names and bad options with coded errors', async () => {
    const h = await startHarness(() => {});
    h.telemetry.health.register('db', () => true);
    const duplicate = (() => {
      try {
        h.telemetry.health.register('db', () => true);
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(isSrekitError(duplicate)).toBe(true);
    expect((duplicate as { code: string }).code).toBe(ERROR_CODES.DUPLICATE_HEALTH_CHECK);
    expect(() => h.telemetry.health.register('x', () => true, { timeoutMs: -1 })).toThrow(
      /timeoutMs/,
    );
    expect(() =>
      h.telemetry.health.register('y', () => true, { probes: ['ready' as never] }),
    ).toThrow(/liveness, readiness, startup/);
  });
});
