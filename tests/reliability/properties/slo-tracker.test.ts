/**
 * SloTracker against an exact model on random event streams. Beyond the accuracy test of the
 * package (one 10-minute window, in-order events, 720 buckets): every tracked window at once (the
 * tiers' 5m … 3d and the period), few or many buckets, events out of order by up to one bucket of
 * the shortest window, batches through recordMany, idle gaps longer than the period, and events
 * too far ahead of the clock (which must be ignored). The documented error bound: a window's count
 * is off by at most the events near its start edge — the window's oldest bucket, widened by the
 * shortest window's bucket in which pending events are placed at its middle.
 */
import { parseSloSpecs, type SloStatus, SloTracker } from '@srekit/slo';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scaled } from '../support/mode.js';

/** Per test: within the file budget (< 60 s) bounded; the full run takes minutes. */
const TIMEOUT_MS = scaled(60_000, 1_200_000);

const RUNS = scaled(100, 1_000);
const SKEW_MS = 60_000;
const START = Date.UTC(2026, 0, 5, 0, 0, 0) + 123;

function spec(objective: string, window: string) {
  const [slo] = parseSloSpecs(
    [
      'version: srekit/v1',
      'service: fuzz',
      `window: ${window}`,
      'slos:',
      '  - name: availability',
      `    objective: ${objective}`,
      '    sli:',
      '      events:',
      '        error_query: sum(rate(x{code=~"5.."}[{{.window}}]))',
      '        total_query: sum(rate(x[{{.window}}]))',
    ].join('\n'),
    { filename: 'property.yaml', onWarning: () => {} },
  );
  if (!slo) throw new Error('no spec');
  return slo;
}

type Step =
  | { kind: 'events'; advanceMs: number; count: number; badShare: number; backMs: number[] }
  | { kind: 'batch'; advanceMs: number; good: number; bad: number; backMs: number }
  | { kind: 'gap'; advanceMs: number }
  | { kind: 'future'; aheadMs: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('events' as const),
      advanceMs: fc.integer({ min: 0, max: 120_000 }),
      count: fc.integer({ min: 0, max: 40 }),
      badShare: fc.double({ min: 0, max: 1, noNaN: true }),
      backMs: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), {
        minLength: 40,
        maxLength: 40,
      }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('batch' as const),
      advanceMs: fc.integer({ min: 0, max: 600_000 }),
      good: fc.integer({ min: 0, max: 500 }),
      bad: fc.integer({ min: 0, max: 50 }),
      backMs: fc.double({ min: 0, max: 1, noNaN: true }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('gap' as const),
      advanceMs: fc.oneof(
        fc.integer({ min: 300_000, max: 7_200_000 }),
        fc.integer({ min: 86_400_000, max: 40 * 86_400_000 }),
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('future' as const),
      aheadMs: fc.integer({ min: 1, max: 86_400_000 }),
    }),
  },
);

interface Event {
  readonly at: number;
  readonly good: number;
  readonly bad: number;
}

function sumIn(events: readonly Event[], from: number, to: number, inclusiveFrom: boolean) {
  let good = 0;
  let bad = 0;
  for (const e of events) {
    if ((inclusiveFrom ? e.at >= from : e.at > from) && e.at <= to) {
      good += e.good;
      bad += e.bad;
    }
  }
  return { good, bad };
}

describe('SloTracker against an exact model', () => {
  it(
    'every window stays within the documented bound; derived figures are consistent',
    () => {
      let reads = 0;
      let windowsChecked = 0;
      let worstEdgeShare = 0;
      fc.assert(
        fc.property(
          fc.constantFrom('99.9', '99', '99.95', '95', '99.999', '90'),
          fc.constantFrom('30d', '7d', '28d'),
          fc.constantFrom(4, 12, 60, 720),
          fc.array(fc.integer({ min: 60, max: 7_200 }), { maxLength: 2 }),
          fc.array(step, { minLength: 10, maxLength: 80 }),
          (objective, period, buckets, extra, steps) => {
            let now = START;
            const slo = spec(objective, period);
            const tracker = new SloTracker([slo], {
              now: () => now,
              bucketsPerWindow: buckets,
              windows: extra,
              maxClockSkewMs: SKEW_MS,
              logger: { warn: () => {}, error: () => {} },
            });
            const events: Event[] = [];
            let shortestWidth = Number.POSITIVE_INFINITY;
            const first = tracker.status(slo.id) as SloStatus;
            for (const w of first.windows)
              shortestWidth = Math.min(shortestWidth, (w.seconds * 1000) / buckets);
            for (const s of steps) {
              if (s.kind === 'events') {
                now += s.advanceMs;
                for (let i = 0; i < s.count; i++) {
                  // Out of order by up to one bucket of the shortest window.
                  const at = Math.floor(now - (s.backMs[i] ?? 0) * shortestWidth);
                  const good = i >= s.count * s.badShare;
                  tracker.record(slo.id, good, at);
                  events.push({ at, good: good ? 1 : 0, bad: good ? 0 : 1 });
                }
              } else if (s.kind === 'batch') {
                now += s.advanceMs;
                const at = Math.floor(now - s.backMs * shortestWidth);
                tracker.recordMany(slo.id, s.good, s.bad, at);
                events.push({ at, good: s.good, bad: s.bad });
              } else if (s.kind === 'gap') {
                now += s.advanceMs;
              } else {
                // Beyond the skew allowance and the pending bucket: must be ignored.
                tracker.record(slo.id, false, now + SKEW_MS + shortestWidth + s.aheadMs);
              }
              const status = tracker.status(slo.id) as SloStatus;
              reads++;
              expect(status.at).toBe(now);
              for (const w of status.windows) {
                const windowMs = w.seconds * 1000;
                const truth = sumIn(events, now - windowMs, now, false);
                const slack = windowMs / buckets + shortestWidth;
                const edge = sumIn(events, now - windowMs - slack, now - windowMs + slack, true);
                const label = `${w.window} at +${now - START} ms`;
                expect(Math.abs(w.good - truth.good), label).toBeLessThanOrEqual(edge.good + 1e-6);
                expect(Math.abs(w.bad - truth.bad), label).toBeLessThanOrEqual(edge.bad + 1e-6);
                expect(w.total).toBeCloseTo(w.good + w.bad, 9);
                if (truth.good + truth.bad > 0)
                  worstEdgeShare = Math.max(
                    worstEdgeShare,
                    (edge.good + edge.bad) / (truth.good + truth.bad),
                  );
                windowsChecked++;
                if (w.total === 0) {
                  expect(w.burnRate).toBeUndefined();
                  expect(w.sli).toBeUndefined();
                  continue;
                }
                expect(w.sli as number).toBeCloseTo(w.good / w.total, 12);
                expect(w.errorRatio as number).toBeCloseTo(w.bad / w.total, 12);
                expect(
                  Math.abs(
                    (w.burnRate as number) - (w.errorRatio as number) / status.allowedErrorRatio,
                  ),
                ).toBeLessThanOrEqual(1e-9 * Math.max(1, w.burnRate as number));
              }
              // The period's budget is its burn rate; tiers fire exactly when both windows burn.
              const p = status.period;
              if (p.total > 0) {
                expect(p.consumed as number).toBeCloseTo(p.burnRate as number, 9);
                expect((p.budgetRemaining as number) + (p.consumed as number)).toBeCloseTo(1, 9);
                expect(status.budgetExhausted).toBe((p.budgetRemaining as number) <= 0);
              }
              for (const tier of status.tiers) {
                const burning =
                  tier.longBurn !== undefined &&
                  tier.shortBurn !== undefined &&
                  tier.longBurn >= tier.burnFactor &&
                  tier.shortBurn >= tier.burnFactor;
                expect(tier.firing).toBe(burning);
              }
              expect(status.firing).toBe(status.tiers.some((t) => t.firing));
            }
            tracker.close();
          },
        ),
        { numRuns: RUNS, seed: 8 },
      );
      console.info(
        `[property:slo-tracker] ${RUNS} random streams, ${reads} reads, ${windowsChecked} window counts within the bound (the edge held up to ${(worstEdgeShare * 100).toFixed(0)} % of a window's events)`,
      );
      expect(windowsChecked).toBeGreaterThan(RUNS * 20);
    },
    TIMEOUT_MS,
  );

  it(
    'with steady traffic and many buckets the burn rate is within 0.5 % on every tier window',
    () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 20, max: 100 }),
          fc.double({ min: 0.01, max: 0.3, noNaN: true }),
          fc.integer({ min: 0, max: 59_999 }),
          (perSecond, errorShare, phaseMs) => {
            let now = START + phaseMs;
            const slo = spec('99.9', '30d');
            const tracker = new SloTracker([slo], { now: () => now });
            // Seven hours of steady traffic, one batch per second: covers 5m … 6h exactly.
            const bad = Math.round(perSecond * errorShare);
            fc.pre(bad > 0);
            for (let s = 0; s < 7 * 3_600; s++) {
              now += 1_000;
              tracker.recordMany(slo.id, perSecond - bad, bad, now);
            }
            const status = tracker.status(slo.id) as SloStatus;
            const exact = bad / perSecond / 0.001;
            for (const w of status.windows) {
              if (w.seconds > 6 * 3_600) continue;
              expect(
                Math.abs((w.burnRate as number) - exact) / exact,
                w.window,
              ).toBeLessThanOrEqual(0.005);
              expect(
                Math.abs(w.total - perSecond * w.seconds) / (perSecond * w.seconds),
              ).toBeLessThanOrEqual(0.005);
            }
            tracker.close();
          },
        ),
        { numRuns: scaled(5, 40), seed: 9 },
      );
    },
    TIMEOUT_MS,
  );
});
