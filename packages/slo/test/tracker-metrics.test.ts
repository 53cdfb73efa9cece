import { createOpenMetricsRegistry } from '@srekit/core';
import { scrapeRegistry } from '@srekit/core/testing';
import { Counter, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { SLO_ERROR_CODES } from '../src/errors.js';
import { LABELS, METRICS } from '../src/metrics.js';
import { SloTracker } from '../src/tracker/slo-tracker.js';
import { ManualClock, trackerSpec } from './support/tracker-spec.js';

const ID = 'checkout-availability';

function value(
  samples: { name: string; labels: Record<string, string>; value: number }[],
  name: string,
  labels: Record<string, string>,
): number | undefined {
  return samples.find(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  )?.value;
}

describe('SloTracker metrics on a prom-client registry', () => {
  it('exports events, objective, budget remaining and burn rates at scrape time', async () => {
    const registry = new Registry();
    const clock = new ManualClock();
    const tracker = new SloTracker(
      [trackerSpec(), trackerSpec({ id: 'search-latency', objective: 99 })],
      { registry, now: clock.now },
    );
    for (let i = 0; i < 100; i++) {
      clock.advance(1_000);
      tracker.recordMany(ID, 998, 2);
    }
    const { samples, families } = await scrapeRegistry(registry);
    expect(families.get(METRICS.events.name)?.type).toBe('counter');
    expect(value(samples, `${METRICS.events.name}`, { slo_id: ID, result: 'good' })).toBe(99_800);
    expect(value(samples, METRICS.events.name, { slo_id: ID, result: 'bad' })).toBe(200);
    expect(value(samples, METRICS.objective.name, { slo_id: ID })).toBe(0.999);
    expect(value(samples, METRICS.objective.name, { slo_id: 'search-latency' })).toBe(0.99);
    // 0.2 % errors at 99.9 %: burn 2 in every window, budget remaining 1 − 2 = −1.
    expect(value(samples, METRICS.budgetRemaining.name, { slo_id: ID })).toBeCloseTo(-1, 9);
    for (const window of ['5m', '30m', '1h', '2h', '6h', '1d', '3d', '30d']) {
      expect(
        value(samples, METRICS.burnRate.name, { [LABELS.sloId]: ID, [LABELS.window]: window }),
      ).toBeCloseTo(2, 9);
    }
    // No traffic: no series rather than NaN.
    expect(
      samples
        .filter((s) => s.labels.slo_id === 'search-latency')
        .map((s) => s.name)
        .sort(),
    ).toEqual([METRICS.events.name, METRICS.events.name, METRICS.objective.name]);
    expect(samples.every((s) => Number.isFinite(s.value))).toBe(true);

    // Values follow the clock: after 10 minutes of silence the 5m burn rate is gone.
    clock.advance(600_000);
    const later = await scrapeRegistry(registry, 'openmetrics');
    expect(
      value(later.samples, METRICS.burnRate.name, { slo_id: ID, window: '5m' }),
    ).toBeUndefined();
    expect(value(later.samples, METRICS.burnRate.name, { slo_id: ID, window: '1h' })).toBeCloseTo(
      2,
      9,
    );
    expect(later.eof).toBe(true);
  });

  it('shares a registry between trackers with distinct SLOs and leaves it on close()', async () => {
    const registry = createOpenMetricsRegistry();
    const a = new SloTracker([trackerSpec({ id: 'a-availability' })], { registry });
    const b = new SloTracker([trackerSpec({ id: 'b-availability' })], { registry });
    a.record('a-availability', true);
    b.record('b-availability', false);
    let { samples } = await scrapeRegistry(registry);
    expect(value(samples, METRICS.events.name, { slo_id: 'a-availability', result: 'good' })).toBe(
      1,
    );
    expect(value(samples, METRICS.events.name, { slo_id: 'b-availability', result: 'bad' })).toBe(
      1,
    );
    expect(() => new SloTracker([trackerSpec({ id: 'a-availability' })], { registry })).toThrow(
      expect.objectContaining({ code: SLO_ERROR_CODES.INVALID_ARGUMENT }),
    );
    a.close();
    ({ samples } = await scrapeRegistry(registry));
    expect(samples.some((s) => s.labels.slo_id === 'a-availability')).toBe(false);
    expect(samples.some((s) => s.labels.slo_id === 'b-availability')).toBe(true);
    // The id is free again once its tracker is closed.
    expect(
      () => new SloTracker([trackerSpec({ id: 'a-availability' })], { registry }),
    ).not.toThrow();
  });

  it('refuses a registry that already holds a foreign metric of the same name', () => {
    const registry = new Registry();
    new Counter({ name: METRICS.events.name, help: 'not ours', registers: [registry] });
    expect(() => new SloTracker([trackerSpec()], { registry })).toThrow(
      expect.objectContaining({ code: 'ERR_SREKIT_METRIC_CONFLICT' }),
    );
  });
});
