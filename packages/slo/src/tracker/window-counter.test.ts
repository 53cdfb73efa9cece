import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WindowCounter } from './window-counter.js';

const T0 = Date.UTC(2026, 0, 5);

describe('WindowCounter', () => {
  it('counts events of the whole window when the window starts on a bucket edge', () => {
    const c = new WindowCounter(60, 60); // 1 s buckets
    for (let i = 0; i < 60; i++) c.add(T0 + i * 1000 + 500, 2, i % 10 === 0 ? 1 : 0);
    c.read(T0 + 60_000);
    // (T0, T0 + 60 s] holds every event.
    expect(c.good).toBe(120);
    expect(c.bad).toBe(6);
  });

  it('counts the oldest bucket in proportion to the part inside the window', () => {
    const c = new WindowCounter(10, 10);
    c.add(T0 + 100, 100, 0); // bucket [T0, T0 + 1 s)
    c.add(T0 + 5_000, 1, 0);
    c.read(T0 + 10_250); // window (T0 + 250 ms, T0 + 10.25 s]: 3/4 of the first bucket
    expect(c.good).toBeCloseTo(75 + 1, 9);
    c.read(T0 + 11_000);
    expect(c.good).toBe(1);
  });

  it('drops events that leave the window and events older than it', () => {
    const c = new WindowCounter(10, 10);
    c.add(T0, 0, 5);
    c.add(T0 + 9_000, 3, 0);
    c.read(T0 + 12_000);
    expect([c.good, c.bad]).toEqual([3, 0]);
    c.add(T0 + 500, 0, 7); // older than the window: dropped
    c.add(T0 + 8_200, 0, 2); // out of order but inside the window: kept
    c.read(T0 + 12_000);
    expect([c.good, c.bad]).toEqual([3, 2]);
  });

  it('starts from zero after an idle gap of days and keeps no stale bucket', () => {
    const c = new WindowCounter(300, 720);
    for (let i = 0; i < 720; i++) c.add(T0 + i * 416, 1, 1);
    const later = T0 + 3 * 86_400_000 + 123;
    c.read(later);
    expect([c.good, c.bad]).toEqual([0, 0]);
    c.add(later, 4, 1);
    c.read(later + 1);
    expect([c.good, c.bad]).toEqual([4, 1]);
    // After a gap just shorter than the ring, only the buckets that left are cleared.
    const d = new WindowCounter(10, 10);
    d.add(T0 + 9_500, 1, 0);
    d.add(T0 + 19_400, 0, 1); // 9 buckets later: the first bucket is still the oldest one kept
    d.read(T0 + 19_400);
    expect(d.bad).toBe(1);
    expect(d.good).toBeCloseTo(1 - 0.4, 9);
  });

  it('reads zero before any event and after clear()', () => {
    const c = new WindowCounter(60, 10);
    c.read(T0);
    expect([c.good, c.bad]).toEqual([0, 0]);
    c.add(T0, 1, 1);
    c.clear();
    c.read(T0);
    expect([c.good, c.bad]).toEqual([0, 0]);
  });

  it('holds (buckets + 1) × 2 doubles', () => {
    expect(new WindowCounter(2_592_000, 720).byteLength).toBe(721 * 2 * 8);
  });

  it('is off from an exact sliding window by no more than the events of one boundary bucket', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3_600 }),
        fc.integer({ min: 1, max: 200 }),
        fc.array(
          fc.record({
            dt: fc.integer({ min: 0, max: 20_000 }),
            good: fc.integer({ min: 0, max: 5 }),
            bad: fc.integer({ min: 0, max: 5 }),
          }),
          { minLength: 1, maxLength: 300 },
        ),
        fc.integer({ min: 0, max: 60_000 }),
        (seconds, buckets, steps, readDelay) => {
          const c = new WindowCounter(seconds, buckets);
          const events: { at: number; good: number; bad: number }[] = [];
          let at = T0;
          for (const step of steps) {
            at += step.dt;
            c.add(at, step.good, step.bad);
            events.push({ at, good: step.good, bad: step.bad });
          }
          const now = at + readDelay;
          c.read(now);
          const windowMs = seconds * 1000;
          const width = windowMs / buckets;
          const boundary = Math.floor((now - windowMs) / width);
          let good = 0;
          let bad = 0;
          let slackGood = 0;
          let slackBad = 0;
          for (const e of events) {
            if (e.at > now - windowMs && e.at <= now) {
              good += e.good;
              bad += e.bad;
            }
            if (Math.floor(e.at / width) === boundary) {
              slackGood += e.good;
              slackBad += e.bad;
            }
          }
          expect(Math.abs(c.good - good)).toBeLessThanOrEqual(slackGood + 1e-9);
          expect(Math.abs(c.bad - bad)).toBeLessThanOrEqual(slackBad + 1e-9);
        },
      ),
      { numRuns: 300, seed: 20_261_122 },
    );
  });
});
