import { describe, expect, it } from 'vitest';
import {
  backends,
  countPicks,
  seededRandom,
  shareOf,
  simulate,
} from '../../test/support/strategies.js';
import { STRATEGY_DEFAULTS } from '../defaults.js';
import { PeakEwmaStrategy } from './p2c-ewma.js';

const TAU = STRATEGY_DEFAULTS.decayTimeMs;

describe('PeakEwmaStrategy', () => {
  it('jumps to a higher sample at once and decays as exp(−Δt/τ)', () => {
    const clock = { now: 0 };
    const ewma = new PeakEwmaStrategy({ clock: () => clock.now });
    const [b] = backends(1) as [ReturnType<typeof backends>[number]];
    ewma.update([b]);
    ewma.onRequestEnd(b, 100, true, 0);
    expect(ewma.costOf(b, 0)).toBe(100);
    // No samples for τ: the cost fades toward zero.
    expect(ewma.costOf(b, TAU)).toBeCloseTo(100 / Math.E, 9);
    // A lower sample at τ: current + rtt·(1 − w).
    ewma.onRequestEnd(b, 10, true, TAU);
    expect(ewma.costOf(b, TAU)).toBeCloseTo(100 / Math.E + 10 * (1 - 1 / Math.E), 9);
    // A higher one replaces it at once.
    ewma.onRequestEnd(b, 500, true, TAU + 1);
    expect(ewma.costOf(b, TAU + 1)).toBe(500);
  });

  it('counts a failure as at least failurePenaltyMs, and at its own latency when slower', () => {
    const ewma = new PeakEwmaStrategy({ clock: () => 0 });
    const [b] = backends(1) as [ReturnType<typeof backends>[number]];
    ewma.update([b]);
    ewma.onRequestEnd(b, 2, true, 0);
    expect(ewma.costOf(b, 0)).toBe(2);
    ewma.onRequestEnd(b, 2, false, 0);
    expect(ewma.costOf(b, 0)).toBe(STRATEGY_DEFAULTS.failurePenaltyMs);
    ewma.onRequestEnd(b, 3_000, false, 0);
    expect(ewma.costOf(b, 0)).toBe(3_000);

    const plain = new PeakEwmaStrategy({ clock: () => 0, failurePenaltyMs: 0 });
    plain.update([b]);
    plain.onRequestEnd(b, 2, false, 0);
    expect(plain.costOf(b, 0)).toBe(2);
    expect(() => new PeakEwmaStrategy({ failurePenaltyMs: -1 })).toThrow(/failurePenaltyMs/);
  });

  it('moves the traffic off a backend that fails fast, which draws it without the penalty', () => {
    // b1 answers in 1 ms but fails one request in five; b0 and b2 answer in 5 ms.
    const run = (failurePenaltyMs?: number) => {
      const failures = seededRandom(11);
      const ewma = new PeakEwmaStrategy({
        random: seededRandom(7),
        clock: () => 0,
        ...(failurePenaltyMs !== undefined ? { failurePenaltyMs } : {}),
      });
      const picks = simulate(ewma, backends(3), {
        durationMs: 20_000,
        intervalMs: 10,
        latencyOf: (b) => (b.id === 'b1' ? 1 : 5),
        failed: (b) => b.id === 'b1' && failures() < 0.2,
      });
      return shareOf(picks, 'b1', 5_000);
    };
    expect(run(0)).toBeGreaterThan(0.6);
    expect(run()).toBeLessThan(0.1);
  });

  it('converges to a steady round-trip time', () => {
    const ewma = new PeakEwmaStrategy();
    const [b] = backends(1) as [ReturnType<typeof backends>[number]];
    ewma.update([b]);
    ewma.onRequestEnd(b, 300, true, 0);
    for (let t = 1; t <= 60_000; t += 10) ewma.onRequestEnd(b, 20, true, t);
    expect(ewma.costOf(b, 60_001)).toBeGreaterThan(19);
    expect(ewma.costOf(b, 60_001)).toBeLessThan(21);
  });

  it('picks the lower cost × (pending + 1) of two candidates', () => {
    const ewma = new PeakEwmaStrategy({ random: seededRandom(1), clock: () => 0 });
    const set = backends(2);
    const [a, b] = set as [(typeof set)[number], (typeof set)[number]];
    ewma.update(set);
    ewma.onRequestEnd(a, 10, true, 0);
    ewma.onRequestEnd(b, 30, true, 0);
    expect(countPicks(ewma, 100).get('b0')).toBe(100);
    // 10 × 4 > 30 × 1.
    a.activeRequests = 3;
    expect(countPicks(ewma, 100).get('b1')).toBe(100);
  });

  it('avoids a backend with requests in flight and no sample yet (Finagle penalty)', () => {
    const ewma = new PeakEwmaStrategy({ random: seededRandom(2), clock: () => 0 });
    const set = backends(2);
    const [a, b] = set as [(typeof set)[number], (typeof set)[number]];
    ewma.update(set);
    ewma.onRequestEnd(b, 1_000, true, 0);
    a.activeRequests = 1;
    expect(countPicks(ewma, 50).get('b1')).toBe(50);
  });

  it('keeps costs of backends that stay across update()', () => {
    const ewma = new PeakEwmaStrategy({ clock: () => 0 });
    const set = backends(3);
    ewma.update(set);
    ewma.onRequestEnd(set[1] as (typeof set)[number], 42, true, 0);
    ewma.update([set[1] as (typeof set)[number], set[2] as (typeof set)[number]]);
    expect(ewma.costOf(set[1] as (typeof set)[number], 0)).toBe(42);
  });

  it('shifts load away from a backend that turns slow within a few seconds', () => {
    const clock = { now: 0 };
    const ewma = new PeakEwmaStrategy({ random: seededRandom(3), clock: () => clock.now });
    // Three backends at 5 ms; from t = 10 s, b0 takes 100 ms. 3 requests per ms.
    const picks = simulate(ewma, backends(3), {
      durationMs: 30_000,
      perTick: 3,
      clock,
      latencyOf: (b, now) => (b.id === 'b0' && now >= 10_000 ? 100 : 5),
    });
    const before = shareOf(picks, 'b0', 5_000, 10_000);
    const after = shareOf(picks, 'b0', 12_000, 14_000);
    expect(before).toBeGreaterThan(0.28);
    expect(after).toBeLessThan(0.1);
    expect(after).toBeLessThan(before / 3);
    // Not starved: once its cost has faded below the others' load (≈ τ·ln 2.5 later) it is
    // tried again.
    expect(shareOf(picks, 'b0', 20_000, 30_000)).toBeGreaterThan(0);
  });

  it('returns undefined for an empty set and the only backend of a set of one', () => {
    const ewma = new PeakEwmaStrategy();
    expect(ewma.pick()).toBeUndefined();
    ewma.update(backends(1));
    expect(ewma.pick()?.id).toBe('b0');
  });
});
