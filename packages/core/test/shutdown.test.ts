import { describe, expect, it } from 'vitest';
import { eventually, startHarness } from './helpers.js';

describe('telemetry.shutdown()', () => {
  it('turns readiness off, waits for an in-flight request, then resolves', async () => {
    let reached: () => void = () => {};
    const inHandler = new Promise<void>((resolve) => {
      reached = resolve;
    });
    const h = await startHarness(
      (app) => {
        app.get('/slow', (_req, res) => {
          reached();
          setTimeout(() => res.json({ finished: true }), 300);
        });
      },
      { shutdown: { drainTimeoutMs: 5000 } },
    );
    const slow = fetch(`${h.url}/slow`).then(async (r) => ({
      status: r.status,
      body: await r.json(),
    }));
    await inHandler;

    let shutdownDone = false;
    const started = performance.now();
    const shutdown = h.telemetry.shutdown().then((result) => {
      shutdownDone = true;
      return result;
    });
    expect(h.telemetry.shutdown()).toBe(h.telemetry.shutdown());
    expect((await h.telemetry.health.evaluate('readiness')).status).toBe('fail');
    expect(shutdownDone).toBe(false);

    const response = await slow;
    expect(response).toEqual({ status: 200, body: { finished: true } });
    const result = await shutdown;
    expect(result.cutRequests).toBe(0);
    expect(performance.now() - started).toBeGreaterThanOrEqual(250);
    expect(h.server.server.listening).toBe(false);
    await expect(fetch(`${h.url}/slow`)).rejects.toThrow();
    await eventually(() => h.logs.find((r) => r.msg === 'shutdown complete'));
    // The span of the drained request was flushed before shutdown resolved.
    expect(h.spans.exporter.getFinishedSpans().some((s) => s.name === 'GET /slow')).toBe(true);
  });

  it('cuts connections still open when the drain timeout passes', async () => {
    let reached: () => void = () => {};
    const inHandler = new Promise<void>((resolve) => {
      reached = resolve;
    });
    const h = await startHarness(
      (app) => {
        app.get('/stuck', () => reached());
      },
      { shutdown: { drainTimeoutMs: 200 } },
    );
    const stuck = fetch(`${h.url}/stuck`).then(
      () => 'answered',
      () => 'cut',
    );
    await inHandler;
    const started = performance.now();
    const result = await h.telemetry.shutdown();
    expect(result.cutRequests).toBe(1);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(await stuck).toBe('cut');
    expect(h.logs.find((r) => r.code === 'ERR_SREKIT_DRAIN_TIMEOUT')).toBeDefined();
  });
});
