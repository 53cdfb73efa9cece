import { setTimeout as sleep } from 'node:timers/promises';
import { listen, type TestServer } from '@srekit/core/testing';
import express from 'express';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SLO_ERROR_CODES } from '../src/errors.js';
import { sloMiddleware } from '../src/middleware.js';
import { SloTracker } from '../src/tracker/slo-tracker.js';
import { trackerSpec } from './support/tracker-spec.js';

const AVAILABILITY = 'checkout-availability';
const LATENCY = 'checkout-latency';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

function counts(tracker: SloTracker, id: string): [number, number] {
  const w = tracker.status(id)?.windows[0];
  return [w?.good ?? Number.NaN, w?.bad ?? Number.NaN];
}

/** Polls until the tracker holds `total` events of `id` (the finish event may trail the body). */
async function settled(tracker: SloTracker, id: string, total: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const [good, bad] = counts(tracker, id);
    if (good + bad >= total) return;
    await sleep(5);
  }
}

function app(setup: (a: express.Express) => void): Promise<TestServer> {
  const a = express();
  setup(a);
  a.get('/ok', (_req, res) => void res.send('ok'));
  a.get('/missing', (_req, res) => void res.status(404).send('no'));
  a.get('/fail', (_req, res) => void res.status(500).send('bad'));
  a.get('/slow', (_req, res) => void setTimeout(() => res.send('slow'), 150));
  return listen(a).then((s) => {
    servers.push(s);
    return s;
  });
}

const latencySpec = trackerSpec({
  id: LATENCY,
  objective: 99,
  sli: {
    kind: 'latency',
    metric: 'http_server_request_duration_seconds',
    selector: '',
    thresholdSeconds: 0.1,
    le: '0.1',
  },
});

describe('sloMiddleware on a real express app', () => {
  it('counts 5xx as bad and everything else as good by default', async () => {
    const tracker = new SloTracker([trackerSpec()]);
    const { url } = await app((a) => a.use(sloMiddleware(tracker, { sloId: AVAILABILITY })));
    for (const path of ['/ok', '/ok', '/missing', '/fail']) await (await fetch(url + path)).text();
    await settled(tracker, AVAILABILITY, 4);
    expect(counts(tracker, AVAILABILITY)).toEqual([3, 1]);
  });

  it('counts a request slower than a latency SLI threshold as bad', async () => {
    const tracker = new SloTracker([latencySpec]);
    const { url } = await app((a) => a.use(sloMiddleware(tracker, { sloId: LATENCY })));
    await (await fetch(`${url}/ok`)).text();
    await (await fetch(`${url}/slow`)).text();
    await settled(tracker, LATENCY, 2);
    expect(counts(tracker, LATENCY)).toEqual([1, 1]);
  });

  it('does not count a request the client aborted', async () => {
    const tracker = new SloTracker([trackerSpec()]);
    const { url } = await app((a) => a.use(sloMiddleware(tracker, { sloId: AVAILABILITY })));
    await expect(fetch(`${url}/slow`, { signal: AbortSignal.timeout(30) })).rejects.toThrow();
    await sleep(250); // the handler has answered into the closed connection by now
    await (await fetch(`${url}/ok`)).text();
    await settled(tracker, AVAILABILITY, 1);
    await sleep(20);
    expect(counts(tracker, AVAILABILITY)).toEqual([1, 0]);
  });

  it('takes a custom isGood that can leave requests out, and survives one that throws', async () => {
    const logger = { warn: vi.fn(), error: vi.fn() };
    const tracker = new SloTracker([trackerSpec(), latencySpec], { logger });
    const { url } = await app((a) => {
      a.use(
        sloMiddleware(tracker, {
          sloId: AVAILABILITY,
          isGood: ({ statusCode, req }) =>
            (req as express.Request).path === '/missing' ? undefined : statusCode < 400,
        }),
      );
      a.use(
        sloMiddleware(tracker, {
          sloId: LATENCY,
          isGood: () => {
            throw new Error('bug in isGood');
          },
        }),
      );
    });
    const statuses: number[] = [];
    for (const path of ['/ok', '/missing', '/fail']) {
      const res = await fetch(url + path);
      await res.text();
      statuses.push(res.status);
    }
    expect(statuses).toEqual([200, 404, 500]);
    await settled(tracker, AVAILABILITY, 2);
    await sleep(20);
    expect(counts(tracker, AVAILABILITY)).toEqual([1, 1]);
    expect(counts(tracker, LATENCY)).toEqual([0, 0]);
    expect(logger.error).toHaveBeenCalledTimes(3);
    expect(logger.error.mock.calls[0]?.[0]).toMatchObject({ sloId: LATENCY });
  });

  it('refuses an SLO id the tracker does not know', () => {
    const tracker = new SloTracker([trackerSpec()]);
    expect(() => sloMiddleware(tracker, { sloId: 'checkout-typo' })).toThrow(
      expect.objectContaining({ code: SLO_ERROR_CODES.UNKNOWN_SLO }),
    );
  });
});
