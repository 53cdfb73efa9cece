import { describe, expect, it, vi } from 'vitest';
import { ManualClock, trackerSpec } from '../../test/support/tracker-spec.js';
import { DEFAULT_ALERT_TIERS } from '../defaults.js';
import { SLO_ERROR_CODES } from '../errors.js';
import { SloTracker } from './slo-tracker.js';
import type { SloStatus, TierFiringEvent } from './status.js';

const ID = 'checkout-availability';
const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

function setup(options: ConstructorParameters<typeof SloTracker>[1] = {}, spec = trackerSpec()) {
  const clock = new ManualClock();
  const logger = { warn: vi.fn(), error: vi.fn() };
  const tracker = new SloTracker([spec], { now: clock.now, logger, ...options });
  return { clock, logger, tracker };
}

/** `good` and `bad` events per second for `seconds` seconds, ending at the clock. */
function traffic(t: SloTracker, clock: ManualClock, seconds: number, good: number, bad: number) {
  for (let i = 0; i < seconds; i++) {
    clock.advance(1000);
    t.recordMany(ID, good, bad);
  }
}

function window(status: SloStatus | undefined, text: string) {
  const w = status?.windows.find((x) => x.window === text);
  if (w === undefined) throw new Error(`no window ${text}`);
  return w;
}

function tier(status: SloStatus | undefined, id: string) {
  const found = status?.tiers.find((x) => x.id === id);
  if (found === undefined) throw new Error(`no tier ${id}`);
  return found;
}

function numbers(value: unknown, out: number[] = []): number[] {
  if (typeof value === 'number') out.push(value);
  else if (Array.isArray(value)) for (const v of value) numbers(v, out);
  else if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) numbers(v, out);
  }
  return out;
}

describe('SloTracker status', () => {
  it('reports no data, never NaN or Infinity, without traffic', () => {
    const { tracker } = setup();
    const status = tracker.status(ID);
    expect(status?.windows.map((w) => w.window)).toEqual([
      '5m',
      '30m',
      '1h',
      '2h',
      '6h',
      '1d',
      '3d',
      '30d',
    ]);
    for (const w of status?.windows ?? []) {
      expect(w).toEqual({ window: w.window, seconds: w.seconds, good: 0, bad: 0, total: 0 });
    }
    expect(status?.period.budgetRemaining).toBeUndefined();
    expect(status?.period.consumed).toBeUndefined();
    expect(status?.timeToExhaustionSeconds).toBeUndefined();
    expect(status?.projectedExhaustionAt).toBeUndefined();
    expect(status?.tiers.map((t) => [t.id, t.firing, t.longBurn, t.shortBurn])).toEqual([
      ['page-fast', false, undefined, undefined],
      ['page-slow', false, undefined, undefined],
      ['ticket-fast', false, undefined, undefined],
      ['ticket-slow', false, undefined, undefined],
    ]);
    expect(status?.firing).toBe(false);
    expect(status?.budgetExhausted).toBe(false);
    expect(numbers(status).every(Number.isFinite)).toBe(true);
  });

  it('computes burn rates, budget and tiers like the workbook (1 % errors at 99.9 %)', () => {
    const { tracker, clock } = setup();
    traffic(tracker, clock, 240, 99, 1);
    const status = tracker.status(ID);
    for (const w of status?.windows ?? []) {
      expect(w.total).toBe(24_000);
      expect(w.bad).toBe(240);
      expect(w.errorRatio).toBeCloseTo(0.01, 12);
      expect(w.sli).toBeCloseTo(0.99, 12);
      expect(w.burnRate).toBeCloseTo(10, 9);
    }
    expect(status?.allowedErrorRatio).toBe(0.001);
    expect(tier(status, 'page-fast')).toMatchObject({ burnFactor: 14.4, firing: false });
    expect(tier(status, 'page-slow')).toMatchObject({
      burnFactor: 6,
      longWindow: '6h',
      shortWindow: '30m',
      firing: true,
    });
    expect(tier(status, 'ticket-fast')).toMatchObject({ burnFactor: 3, firing: true });
    expect(tier(status, 'ticket-slow')).toMatchObject({ burnFactor: 1, firing: true });
    expect(status?.period).toMatchObject({
      kind: 'rolling',
      window: '30d',
      periodSeconds: 2_592_000,
    });
    expect(status?.period.budgetEvents).toBeCloseTo(24, 9);
    expect(status?.period.consumed).toBeCloseTo(10, 9);
    expect(status?.period.budgetRemaining).toBeCloseTo(-9, 9);
    expect(status?.budgetExhausted).toBe(true);
    expect(status?.timeToExhaustionSeconds).toBe(0);
    expect(status?.firing).toBe(true);
  });

  it('forecasts exhaustion from the 1h burn rate and the budget left', () => {
    const { tracker, clock } = setup();
    traffic(tracker, clock, 600, 1999, 1); // 0.05 % errors: burn 0.5, half the budget left
    const status = tracker.status(ID);
    expect(status?.forecastWindow).toBe('1h');
    expect(status?.period.budgetRemaining).toBeCloseTo(0.5, 9);
    // remaining 0.5 × 30 d ÷ burn 0.5 = 30 days.
    expect(status?.timeToExhaustionSeconds).toBeCloseTo(2_592_000, 3);
    expect(status?.projectedExhaustionAt).toBeCloseTo(clock.ms + 2_592_000_000, 0);
  });

  it('rotates lazily across clock jumps of days', () => {
    const { tracker, clock } = setup();
    traffic(tracker, clock, 60, 90, 10);
    clock.advance(4 * DAY);
    const status = tracker.status(ID);
    for (const text of ['5m', '30m', '1h', '2h', '6h', '1d', '3d']) {
      expect(window(status, text).total).toBe(0);
    }
    expect(window(status, '30d')).toMatchObject({ good: 5_400, bad: 600 });
    clock.advance(27 * DAY);
    expect(window(tracker.status(ID), '30d').total).toBe(0);
    tracker.recordMany(ID, 3, 1);
    const after = tracker.status(ID);
    for (const w of after?.windows ?? []) expect([w.good, w.bad]).toEqual([3, 1]);
  });

  it('keeps the counts of several SLOs apart when their events interleave', () => {
    const clock = new ManualClock();
    const other = 'search-latency';
    const tracker = new SloTracker([trackerSpec(), trackerSpec({ id: other, objective: 99 })], {
      now: clock.now,
    });
    for (let i = 0; i < 30; i++) {
      tracker.record(ID, true);
      tracker.record(other, false);
      tracker.record(other, true);
    }
    expect(window(tracker.status(ID), '5m')).toMatchObject({ good: 30, bad: 0 });
    expect(window(tracker.status(other), '5m')).toMatchObject({ good: 30, bad: 30 });
    expect(window(tracker.status(other), '5m').burnRate).toBeCloseTo(50, 9);
  });

  it('uses a given timestamp instead of the clock', () => {
    const { tracker, clock } = setup();
    tracker.record(ID, false, clock.ms - 10 * MINUTE); // outside 5m, inside 30m
    tracker.record(ID, true, clock.ms - MINUTE);
    const status = tracker.status(ID);
    expect(window(status, '5m')).toMatchObject({ good: 1, bad: 0 });
    expect(window(status, '30m')).toMatchObject({ good: 1, bad: 1 });
  });

  it('tracks extra windows and leaves out disabled tiers', () => {
    const tiers = DEFAULT_ALERT_TIERS.map((t) =>
      t.id === 'ticket-slow' ? { ...t, enabled: false } : t,
    );
    const { tracker } = setup({ windows: ['15m', 7 * 86_400] }, trackerSpec({ tiers }));
    const status = tracker.status(ID);
    expect(status?.windows.map((w) => w.window)).toEqual([
      '5m',
      '15m',
      '30m',
      '1h',
      '2h',
      '6h',
      '1d',
      '1w',
      '30d',
    ]);
    expect(status?.tiers.map((t) => t.id)).toEqual(['page-fast', 'page-slow', 'ticket-fast']);
  });

  it('holds back a tier below the minimum traffic over its long window', () => {
    const { tracker, clock } = setup({}, trackerSpec({ minTrafficPerSecond: 1 }));
    traffic(tracker, clock, 10, 0, 1); // 10 bad events: burn 1000, but 10 events in 1 h < 3600
    const status = tracker.status(ID);
    expect(tier(status, 'page-fast')).toMatchObject({ trafficGuardMet: false, firing: false });
    expect(tier(status, 'page-fast').longBurn).toBeCloseTo(1000, 6);
    traffic(tracker, clock, 3_600, 1, 1); // 2 events/s for an hour
    expect(tier(tracker.status(ID), 'page-fast')).toMatchObject({
      trafficGuardMet: true,
      firing: true,
    });
  });

  it('counts the elapsed part of a calendar period in its time zone', () => {
    const spec = trackerSpec({
      window: {
        kind: 'calendar',
        unit: 'month',
        count: 1,
        timeZone: 'Europe/Berlin',
        seconds: 30 * 86_400,
        text: '1 month (Europe/Berlin)',
      },
    });
    const clock = new ManualClock(Date.UTC(2026, 2, 10, 12));
    const tracker = new SloTracker([spec], { now: clock.now });
    tracker.recordMany(ID, 999, 1);
    const status = tracker.status(ID);
    expect(status?.period).toMatchObject({
      kind: 'calendar',
      window: '1 month (Europe/Berlin)',
      startsAt: Date.UTC(2026, 1, 28, 23),
      endsAt: Date.UTC(2026, 2, 31, 22),
      periodSeconds: (Date.UTC(2026, 2, 31, 22) - Date.UTC(2026, 1, 28, 23)) / 1000,
      seconds: (Date.UTC(2026, 2, 10, 12) - Date.UTC(2026, 1, 28, 23)) / 1000,
      good: 999,
      bad: 1,
    });
    expect(status?.period.budgetRemaining).toBeCloseTo(0, 9);
    expect(status?.windows.at(-1)?.window).toBe('1 month (Europe/Berlin)');
    clock.ms = Date.UTC(2026, 3, 2);
    const april = tracker.status(ID);
    expect(april?.period).toMatchObject({ total: 0, startsAt: Date.UTC(2026, 2, 31, 22) });
    expect(april?.period.budgetRemaining).toBeUndefined();
  });
});

describe('SloTracker runtime problems', () => {
  it('warns once per unknown id and never throws', () => {
    const { tracker, logger } = setup();
    expect(() => {
      tracker.record('nope', true);
      tracker.record('nope', false);
      tracker.recordMany('nope', 1, 1);
    }).not.toThrow();
    expect(tracker.status('nope')).toBeUndefined();
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn.mock.calls[0]?.[0]).toEqual({
      code: SLO_ERROR_CODES.UNKNOWN_SLO,
      sloId: 'nope',
    });
    expect(logger.warn.mock.calls[0]?.[1]).toContain(ID);
    tracker.record('other', true);
    expect(logger.warn).toHaveBeenCalledTimes(2);
    expect(window(tracker.status(ID), '5m').total).toBe(0);
  });

  it('ignores invalid counts and timestamps with one warning each', () => {
    const { tracker, logger } = setup();
    tracker.recordMany(ID, -1, 0);
    tracker.recordMany(ID, Number.NaN, 0);
    tracker.record(ID, true, Number.NaN);
    tracker.record(ID, true, Number.POSITIVE_INFINITY);
    expect(logger.warn).toHaveBeenCalledTimes(2);
    expect(window(tracker.status(ID), '30d').total).toBe(0);
  });

  it('ignores an event stamped far ahead of the clock instead of letting it wipe the windows', () => {
    const { tracker, clock, logger } = setup();
    tracker.recordMany(ID, 10, 0);
    tracker.record(ID, false, clock.ms + 365 * DAY);
    tracker.record(ID, false, clock.ms + 30_000); // within the default skew of a minute
    clock.advance(30_000);
    expect(window(tracker.status(ID), '5m')).toMatchObject({ good: 10, bad: 1 });
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn.mock.calls[0]?.[1]).toMatch(/ahead of the tracker's clock/);
  });

  it('throws on invalid construction', () => {
    const spec = trackerSpec();
    expect(() => new SloTracker([spec, spec])).toThrow(
      expect.objectContaining({ code: SLO_ERROR_CODES.INVALID_ARGUMENT }),
    );
    expect(() => new SloTracker([spec], { bucketsPerWindow: 0 })).toThrow(/bucketsPerWindow/);
    expect(() => new SloTracker([spec], { windows: ['5 minutes'] })).toThrow(/Prometheus duration/);
    expect(() => new SloTracker([{ ...spec, objectiveText: '100' }])).toThrow(/objective/);
    const mars = trackerSpec({
      window: {
        kind: 'calendar',
        unit: 'month',
        count: 1,
        timeZone: 'Mars/Olympus_Mons',
        seconds: 30 * 86_400,
        text: '1 month',
      },
    });
    expect(() => new SloTracker([mars])).toThrow(/time zone/);
  });
});

describe('SloTracker events', () => {
  it('fires a tier once per transition, again after it stopped, and not after dispose()', () => {
    const { tracker, clock } = setup();
    const seen: TierFiringEvent[] = [];
    const other = vi.fn();
    tracker.onTierFiring((event) => seen.push(event));
    const subscription = tracker.onTierFiring(other);
    traffic(tracker, clock, 120, 99, 1); // burn 10: page-slow, ticket-fast, ticket-slow fire
    tracker.status(ID);
    tracker.statuses();
    expect(seen.map((e) => e.tier.id)).toEqual(['page-slow', 'ticket-fast', 'ticket-slow']);
    expect(seen[0]?.sloId).toBe(ID);
    expect(seen[0]?.status.firing).toBe(true);
    expect(other).toHaveBeenCalledTimes(3);

    subscription.dispose();
    clock.advance(3 * DAY + HOUR); // every tier window is empty again: nothing fires
    traffic(tracker, clock, 60, 100, 0);
    expect(tracker.status(ID)?.firing).toBe(false);
    traffic(tracker, clock, 120, 0, 1); // full outage: every tier fires
    expect(tracker.status(ID)?.tiers.every((t) => t.firing)).toBe(true);
    // Record-triggered evaluations saw the tiers cross their thresholds one after another.
    expect(seen).toHaveLength(7);
    expect(
      seen
        .slice(3)
        .map((e) => e.tier.id)
        .sort(),
    ).toEqual(['page-fast', 'page-slow', 'ticket-fast', 'ticket-slow']);
    expect(other).toHaveBeenCalledTimes(3);
  });

  it('evaluates on record() once the evaluation interval has passed, with no status() call', () => {
    const { tracker, clock } = setup({ evaluationIntervalMs: 5_000 });
    const listener = vi.fn();
    tracker.onTierFiring(listener);
    tracker.record(ID, false); // first evaluation: fires at once (every window: one bad event)
    expect(listener).toHaveBeenCalledTimes(4);
    clock.advance(3 * DAY + HOUR);
    tracker.record(ID, true); // evaluation: nothing fires any more
    tracker.record(ID, false); // within the interval: not evaluated
    expect(listener).toHaveBeenCalledTimes(4);
    clock.advance(5_000);
    tracker.record(ID, false); // evaluated: 2 bad of 3 fires every tier again
    expect(listener).toHaveBeenCalledTimes(8);
  });

  it('reports budget exhaustion once per transition', () => {
    const { tracker, clock } = setup();
    const exhausted = vi.fn();
    tracker.onBudgetExhausted(exhausted);
    traffic(tracker, clock, 60, 999, 0);
    tracker.status(ID);
    expect(exhausted).not.toHaveBeenCalled();
    traffic(tracker, clock, 10, 0, 100); // 1000 bad of 60940: far beyond 0.1 %
    tracker.status(ID);
    tracker.status(ID);
    expect(exhausted).toHaveBeenCalledTimes(1);
    const event = exhausted.mock.calls[0]?.[0];
    expect(event.sloId).toBe(ID);
    expect(event.budgetRemaining).toBeLessThanOrEqual(0);
    expect(event.status.budgetExhausted).toBe(true);
    clock.advance(31 * DAY); // the errors leave the 30-day window
    traffic(tracker, clock, 10, 100, 0);
    expect(tracker.status(ID)?.budgetExhausted).toBe(false);
    traffic(tracker, clock, 10, 0, 100);
    tracker.status(ID);
    expect(exhausted).toHaveBeenCalledTimes(2);
  });

  it('logs a listener that throws and still calls the others and returns from record()', () => {
    const { tracker, logger } = setup();
    const after = vi.fn();
    tracker.onTierFiring(() => {
      throw new Error('listener bug');
    });
    tracker.onTierFiring(after);
    tracker.onBudgetExhausted(() => {
      throw new Error('listener bug');
    });
    expect(() => tracker.record(ID, false)).not.toThrow();
    expect(after).toHaveBeenCalledTimes(4);
    expect(logger.error).toHaveBeenCalledTimes(5);
    expect(logger.error.mock.calls[0]?.[0]).toMatchObject({ err: new Error('listener bug') });
  });
});
