/**
 * Properties of the SLO arithmetic for random objectives and periods, beyond the workbook values
 * the unit tests pin: exact decimals (checked against BigInt arithmetic), identities between
 * errorBudget, burnRate, burnFactor, timeToExhaustion and alertTierTable, monotonicity, and
 * duration round-trips.
 */
import {
  alertTierTable,
  allowedErrorRatio,
  burnFactor,
  burnRate,
  burnRateFromEvents,
  DEFAULT_ALERT_TIERS,
  errorBudget,
  errorRatioText,
  formatDuration,
  objectiveRatio,
  parseDuration,
  timeToExhaustion,
  windowSeconds,
} from '@srekit/slo';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scaled } from '../support/mode.js';

const RUNS = scaled(500, 10_000);
const close = (a: number, b: number, relative = 1e-12) =>
  Math.abs(a - b) <= relative * Math.max(Math.abs(a), Math.abs(b), Number.MIN_VALUE);

/** An objective as decimal text in (0, 100) with up to 6 decimals, biased towards 9s. */
const objective = fc
  .tuple(
    fc.oneof(fc.integer({ min: 0, max: 99 }), fc.constant(99), fc.constant(90)),
    fc.oneof(
      fc.constant(''),
      fc.stringMatching(/^[0-9]{1,6}$/),
      fc.integer({ min: 1, max: 6 }).map((n) => '9'.repeat(n)),
    ),
  )
  .map(([whole, fraction]) => (fraction ? `${whole}.${fraction}` : String(whole)))
  .filter((text) => Number(text) > 0 && Number(text) < 100);

/** A period: whole days (the usual 7d, 28d, 30d among them), hours, or odd seconds. */
const period = fc.oneof(
  fc.constantFrom('7d', '28d', '30d', '4w', '90d', '1d'),
  fc.integer({ min: 1, max: 400 }).map((d) => `${d}d`),
  fc.integer({ min: 1, max: 2_000 }).map((h) => `${h}h`),
  fc.integer({ min: 60, max: 40_000_000 }),
);

/** Exact (100 − objective) / 100 with BigInt: mantissa and power-of-ten scale. */
function exactAllowed(text: string): { mantissa: bigint; scale: number } {
  const [whole = '0', fraction = ''] = text.split('.');
  return {
    mantissa: 100n * 10n ** BigInt(fraction.length) - BigInt(whole + fraction),
    scale: fraction.length + 2,
  };
}

describe('SLO arithmetic properties', () => {
  it('the allowed error ratio is the exact decimal, and objective + allowed = 1', () => {
    fc.assert(
      fc.property(objective, (text) => {
        const { mantissa, scale } = exactAllowed(text);
        const expected = Number(mantissa) / 10 ** scale;
        const allowed = allowedErrorRatio(text) as number;
        // Number(decimal text) is the correctly rounded double; so is this division when both
        // parts are exact doubles, which they are at these sizes.
        expect(allowed).toBe(expected);
        expect(allowedErrorRatio(Number(text))).toBe(allowed);
        expect(Number(errorRatioText(text))).toBe(allowed);
        expect(close((objectiveRatio(text) as number) + allowed, 1, 1e-15)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('budgetSeconds is the exact product when it is representable', () => {
    fc.assert(
      fc.property(objective, period, (text, window) => {
        const seconds = windowSeconds(window);
        const budget = errorBudget({ objective: text, window });
        const { mantissa, scale } = exactAllowed(text);
        const product = mantissa * BigInt(seconds);
        const divisor = 10n ** BigInt(scale);
        if (product % divisor === 0n) expect(budget.budgetSeconds).toBe(Number(product / divisor));
        else
          expect(close(budget.budgetSeconds, Number(product) / Number(divisor), 1e-15)).toBe(true);
        expect(budget.windowSeconds).toBe(seconds);
      }),
      { numRuns: RUNS },
    );
  });

  it('spending exactly the budget reads as burn rate 1, consumed 1, remaining 0', () => {
    fc.assert(
      fc.property(objective, period, fc.integer({ min: 1, max: 1_000 }), (text, window, m) => {
        const { mantissa, scale } = exactAllowed(text);
        const total = Number(10n ** BigInt(scale)) * m;
        const bad = Number(mantissa) * m;
        fc.pre(Number.isSafeInteger(total));
        const budget = errorBudget({ objective: text, window, total, bad });
        expect(budget.consumed).toBe(1);
        expect(budget.remaining).toBe(0);
        expect(burnRateFromEvents({ bad, total }, budget.allowedErrorRatio)).toBe(1);
        expect(burnRate(budget.allowedErrorRatio, budget.allowedErrorRatio)).toBe(1);
        // Given as good events, the same answer.
        expect(errorBudget({ objective: text, window, total, good: total - bad })).toEqual(budget);
        // At 1× the budget lasts exactly the period.
        expect(timeToExhaustion({ burnRate: 1, window })).toBe(windowSeconds(window));
      }),
      { numRuns: RUNS },
    );
  });

  it('errorBudget: consumed + remaining = 1, sli + errorRatio = 1, consumed = burn rate', () => {
    fc.assert(
      fc.property(
        objective,
        period,
        fc.integer({ min: 1, max: 1e12 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (text, window, total, share) => {
          const bad = Math.floor(total * share);
          const b = errorBudget({ objective: text, window, total, bad });
          expect(close((b.consumed as number) + (b.remaining as number), 1, 1e-9)).toBe(true);
          expect(close((b.sli as number) + (b.errorRatio as number), 1, 1e-15)).toBe(true);
          expect(b.consumed).toBe(burnRateFromEvents({ bad, total }, b.allowedErrorRatio));
          expect(close(b.budgetEvents as number, b.allowedErrorRatio * total)).toBe(true);
          expect(Number.isFinite(b.consumed)).toBe(true);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('burn rate is linear and monotone in the error ratio', () => {
    fc.assert(
      fc.property(
        objective,
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (text, a, b) => {
          const allowed = allowedErrorRatio(text) as number;
          const [lo, hi] = a <= b ? [a, b] : [b, a];
          expect(burnRate(lo, allowed) as number).toBeLessThanOrEqual(
            burnRate(hi, allowed) as number,
          );
          expect(close((burnRate(a, allowed) as number) * allowed, a, 1e-15) || a === 0).toBe(true);
          expect(burnRate(undefined, allowed)).toBeUndefined();
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('burnFactor: fraction × period ÷ long window, monotone, and 1 for the whole budget over the period', () => {
    fc.assert(
      fc.property(
        period,
        fc.integer({ min: 1, max: 1_000 }),
        fc.integer({ min: 1, max: 1_000 }),
        fc.integer({ min: 60, max: 3 * 86_400 }),
        (window, f1, f2, long) => {
          const seconds = windowSeconds(window);
          const [lo, hi] = f1 <= f2 ? [f1 / 1_000, f2 / 1_000] : [f2 / 1_000, f1 / 1_000];
          const a = burnFactor(lo, window, long);
          const b = burnFactor(hi, window, long);
          expect(a).toBeLessThanOrEqual(b);
          expect(close((a * long) / seconds, lo, 1e-12)).toBe(true);
          // A longer long window needs a lower factor to spend the same share.
          expect(burnFactor(lo, window, long * 2)).toBeLessThanOrEqual(a);
          expect(burnFactor(1, window, window)).toBe(1);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('timeToExhaustion round-trips: t × rate ÷ period = remaining; monotone in both', () => {
    fc.assert(
      fc.property(
        period,
        fc.double({ min: 1e-6, max: 1e6, noNaN: true }),
        fc.double({ min: 1e-6, max: 1, noNaN: true }),
        fc.double({ min: 1, max: 100, noNaN: true }),
        (window, rate, remaining, k) => {
          const seconds = windowSeconds(window);
          const t = timeToExhaustion({
            burnRate: rate,
            window,
            budgetRemaining: remaining,
          }) as number;
          expect(close((t * rate) / seconds, remaining, 1e-12)).toBe(true);
          const faster = timeToExhaustion({
            burnRate: rate * k,
            window,
            budgetRemaining: remaining,
          });
          expect(faster as number).toBeLessThanOrEqual(t);
          const fuller = timeToExhaustion({
            burnRate: rate,
            window,
            budgetRemaining: Math.min(1, remaining * k),
          });
          expect(fuller as number).toBeGreaterThanOrEqual(t);
          expect(timeToExhaustion({ burnRate: rate, window, budgetRemaining: -remaining })).toBe(0);
          expect(timeToExhaustion({ burnRate: 0, window })).toBeUndefined();
          expect(timeToExhaustion({ burnRate: undefined, window })).toBeUndefined();
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('alertTierTable rows agree with burnFactor, detectionTime and each other for any period and objective', () => {
    fc.assert(
      fc.property(period, objective, (window, text) => {
        const seconds = windowSeconds(window);
        fc.pre(seconds >= 3 * 86_400); // the default tiers' longest window
        const allowed = allowedErrorRatio(text) as number;
        const rows = alertTierTable(window, { objective: text });
        expect(rows).toHaveLength(DEFAULT_ALERT_TIERS.length);
        for (const row of rows) {
          expect(row.burnFactor).toBe(
            burnFactor(row.budgetFraction, window, row.longWindowSeconds),
          );
          // At the tier's factor, its long window spends exactly its budget share.
          expect(
            close((row.burnFactor * row.longWindowSeconds) / seconds, row.budgetFraction, 1e-12),
          ).toBe(true);
          expect(close(row.exhaustsBudgetInSeconds * row.burnFactor, seconds, 1e-12)).toBe(true);
          expect(close(row.errorRatioThreshold as number, row.burnFactor * allowed, 1e-15)).toBe(
            true,
          );
          expect(row.reachable).toBe((row.errorRatioThreshold as number) <= 1);
          if (row.reachable) {
            // A full outage fires the tier once the long window has seen threshold × long.
            expect(
              close(
                row.detectionSeconds as number,
                (row.errorRatioThreshold as number) * row.longWindowSeconds,
              ),
            ).toBe(true);
            expect(row.detectionSeconds as number).toBeLessThanOrEqual(row.longWindowSeconds);
          } else {
            expect(row.detectionSeconds).toBeUndefined();
          }
        }
        // Faster tiers have higher factors.
        for (let i = 1; i < rows.length; i++) {
          const prev = rows[i - 1];
          const row = rows[i];
          if (
            prev &&
            row &&
            prev.budgetFraction / prev.longWindowSeconds >=
              row.budgetFraction / row.longWindowSeconds
          )
            expect(prev.burnFactor).toBeGreaterThanOrEqual(row.burnFactor);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('durations round-trip: parseDuration(formatDuration(s)) = s', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: 1, max: 10 * 365 * 86_400 }),
          fc.integer({ min: 1, max: 1e9 }).map((ms) => ms / 1_000),
        ),
        (s) => {
          expect(parseDuration(formatDuration(s))).toBe(s);
          expect(windowSeconds(formatDuration(s))).toBe(s);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
