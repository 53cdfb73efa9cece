import { describe, expect, it } from 'vitest';
import { ENGINE_DEFAULTS } from '../defaults.js';
import { ENGINE_ERROR_CODES } from '../errors.js';
import {
  type EjectEvent,
  OutlierDetector,
  type OutlierDetectorOptions,
} from './outlier-detector.js';
import { isPanic } from './panic.js';

const D = ENGINE_DEFAULTS.outlier;

function setup(hosts: number, options: OutlierDetectorOptions = {}) {
  let now = 0;
  const detector = new OutlierDetector({ clock: () => now, ...options });
  const ids = Array.from({ length: hosts }, (_, i) => `b${i}`);
  for (const id of ids) detector.addBackend(id);
  const ejected: EjectEvent[] = [];
  const unejected: string[] = [];
  detector.onEject((e) => ejected.push(e));
  detector.onUneject((e) => unejected.push(e.id));
  return {
    detector,
    ids,
    ejected,
    unejected,
    advance: (ms: number) => {
      now += ms;
    },
    now: () => now,
    repeat: (id: string, outcome: Parameters<OutlierDetector['record']>[1], n: number) => {
      for (let i = 0; i < n; i++) detector.record(id, outcome);
    },
  };
}

describe('OutlierDetector, consecutive errors', () => {
  it('ejects after 5 consecutive 5xx, not 4 (Envoy default)', () => {
    const { detector, repeat, ejected } = setup(10);
    repeat('b0', 500, D.consecutive5xx - 1);
    expect(detector.isEjected('b0')).toBe(false);
    repeat('b0', 500, 1);
    expect(detector.isEjected('b0')).toBe(true);
    expect(ejected).toEqual([
      { id: 'b0', reason: 'consecutive-5xx', at: 0, durationMs: 30_000, ejections: 1 },
    ]);
  });

  it('a non-5xx (4xx included) resets the run', () => {
    const { detector, repeat } = setup(10);
    repeat('b0', 500, 4);
    repeat('b0', 404, 1);
    repeat('b0', 500, 4);
    expect(detector.isEjected('b0')).toBe(false);
  });

  it('gateway errors and local-origin failures eject with their own reason', () => {
    const { detector, ejected } = setup(10);
    for (const outcome of [502, 'connect-failure', 503, 'timeout', 'reset'] as const)
      detector.record('b1', outcome);
    expect(detector.isEjected('b1')).toBe(true);
    expect(ejected[0]?.reason).toBe('consecutive-gateway-failure');
  });

  it('a plain 500 breaks a run of gateway errors but still counts as 5xx', () => {
    const { detector, ejected } = setup(10, { consecutive5xx: 0 });
    for (const outcome of [502, 502, 500, 502, 502, 502, 502] as const)
      detector.record('b1', outcome);
    expect(ejected).toHaveLength(0);
    detector.record('b1', 504);
    expect(ejected.map((e) => e.reason)).toEqual(['consecutive-gateway-failure']);
  });
});

describe('OutlierDetector.uneject', () => {
  it('ends an ejection at once, clears the run and keeps the multiplier', () => {
    const { detector, repeat, ejected, unejected, advance } = setup(10);
    repeat('b0', 502, 5);
    expect(detector.uneject('b0')).toBe(true);
    expect(detector.uneject('b0')).toBe(false);
    expect(unejected).toEqual(['b0']);
    expect(detector.isEjected('b0')).toBe(false);
    repeat('b0', 502, 4); // the run restarted from zero
    expect(detector.isEjected('b0')).toBe(false);
    advance(1);
    repeat('b0', 502, 1);
    // Second ejection: the multiplier was kept, so twice the base time.
    expect(ejected.map((e) => e.durationMs)).toEqual([30_000, 60_000]);
    expect(detector.uneject('unknown')).toBe(false);
  });
});

describe('OutlierDetector, ejection time', () => {
  it('grows 30 s, 60 s, 90 s… with repeated ejections and is capped at 300 s', () => {
    const { detector, repeat, ejected, advance, unejected } = setup(10);
    const durations: number[] = [];
    for (let round = 0; round < 12; round++) {
      repeat('b0', 503, 5);
      const last = ejected.at(-1) as EjectEvent;
      durations.push(last.durationMs);
      advance(last.durationMs - 1);
      expect(detector.isEjected('b0')).toBe(true);
      advance(1);
      expect(detector.isEjected('b0')).toBe(false);
    }
    expect(durations).toEqual(
      [30, 60, 90, 120, 150, 180, 210, 240, 270, 300, 300, 300].map((s) => s * 1_000),
    );
    expect(unejected).toHaveLength(12);
  });

  it('the multiplier decays by one per interval spent healthy', () => {
    const { detector, repeat, ejected, advance } = setup(10);
    repeat('b0', 500, 5);
    advance(30_000);
    repeat('b0', 500, 5); // second ejection: 60 s
    expect(ejected.at(-1)?.durationMs).toBe(60_000);
    advance(60_000);
    detector.evaluate(); // un-ejected here (no decay in the same step)
    advance(10_000);
    detector.evaluate(); // one healthy interval: multiplier 2 → 1
    repeat('b0', 500, 5);
    expect(ejected.at(-1)).toMatchObject({ ejections: 2, durationMs: 60_000 });
    advance(60_000 + 60_000); // un-ejected, then idle for several intervals
    detector.evaluate();
    repeat('b0', 500, 5);
    expect(ejected.at(-1)).toMatchObject({ ejections: 1, durationMs: 30_000 });
  });
});

describe('OutlierDetector, max ejection percent', () => {
  it('ejects at most 10 % of backends, but always at least one', () => {
    const small = setup(3);
    for (const id of small.ids) small.repeat(id, 500, 5);
    expect(small.ids.filter((id) => small.detector.isEjected(id))).toEqual(['b0']);

    const big = setup(20);
    for (const id of big.ids) big.repeat(id, 500, 5);
    expect(big.detector.ejectedCount).toBe(2);
    expect(big.ids.filter((id) => big.detector.isEjected(id))).toEqual(['b0', 'b1']);
  });

  it('an ejection that has ended frees its place even before anyone looked', () => {
    const { detector, repeat, advance } = setup(3);
    repeat('b0', 500, 5);
    advance(30_000);
    repeat('b1', 500, 5);
    expect(detector.isEjected('b1')).toBe(true);
    expect(detector.isEjected('b0')).toBe(false);
  });

  it('removing an ejected backend frees its place', () => {
    const { detector, repeat } = setup(3);
    repeat('b0', 500, 5);
    detector.removeBackend('b0');
    repeat('b1', 500, 5);
    expect(detector.isEjected('b1')).toBe(true);
    expect(detector.size).toBe(2);
  });
});

describe('OutlierDetector, success rate', () => {
  it('ejects a backend whose success rate is below mean − 1.9 × stdev at the interval', () => {
    const t = setup(10, { consecutive5xx: 0, consecutiveGatewayFailure: 0 });
    for (const id of t.ids) t.repeat(id, 200, 100);
    // b9: 100 requests, 30 of them 5xx, never two in a row
    for (let i = 0; i < 100; i++) t.detector.record('b9', i % 3 === 0 && i < 90 ? 500 : 200);
    expect(t.detector.isEjected('b9')).toBe(false); // not before the interval
    t.advance(D.intervalMs);
    expect(t.detector.isEjected('b9')).toBe(true);
    expect(t.ejected.map((e) => [e.id, e.reason])).toEqual([['b9', 'success-rate']]);
  });

  it('needs ≥ 5 hosts with ≥ 100 requests in the interval', () => {
    // With factor 1.9 a single outlier among 4 hosts can never be 1.9 stdev below the mean
    // (its z-score is at most √3), so a smaller factor shows the minimum-hosts rule itself.
    const run = (hostsWithVolume: number) => {
      const t = setup(10, {
        consecutive5xx: 0,
        consecutiveGatewayFailure: 0,
        successRateStdevFactor: 1,
      });
      for (const id of t.ids.slice(1, hostsWithVolume)) t.repeat(id, 200, 100);
      for (const id of t.ids.slice(hostsWithVolume)) t.repeat(id, 200, 99); // too few to count
      for (let i = 0; i < 100; i++) t.detector.record('b0', i % 2 === 0 ? 500 : 200);
      t.advance(D.intervalMs);
      t.detector.evaluate();
      return t.ejected.map((e) => e.id);
    };
    expect(run(4)).toEqual([]);
    expect(run(5)).toEqual(['b0']);
  });

  it('the counts restart each interval', () => {
    const t = setup(6, { consecutive5xx: 0, consecutiveGatewayFailure: 0 });
    for (const id of t.ids) t.repeat(id, 200, 60);
    t.advance(D.intervalMs);
    for (const id of t.ids) t.repeat(id, 200, 60); // 120 over two intervals, 60 in each
    for (let i = 0; i < 60; i++) t.detector.record('b5', 500);
    t.advance(D.intervalMs);
    t.detector.evaluate();
    expect(t.ejected).toHaveLength(0);
  });
});

describe('OutlierDetector, failure percentage', () => {
  it('is off by default, as in Envoy', () => {
    const t = setup(6, {
      consecutive5xx: 0,
      consecutiveGatewayFailure: 0,
      successRateEnabled: false,
    });
    for (const id of t.ids) t.repeat(id, 200, 50);
    t.repeat('b0', 500, 50);
    t.advance(D.intervalMs);
    t.detector.evaluate();
    expect(t.ejected).toHaveLength(0);
  });

  it('ejects a backend at or above the threshold once 5 hosts have ≥ 50 requests', () => {
    const options = {
      consecutive5xx: 0,
      consecutiveGatewayFailure: 0,
      successRateEnabled: false,
      failurePercentageEnabled: true,
    };
    const run = (hostsWithVolume: number) => {
      const t = setup(10, options);
      for (const id of t.ids.slice(1, hostsWithVolume)) t.repeat(id, 200, 50);
      t.repeat('b0', 500, 85);
      t.repeat('b0', 200, 15); // exactly 85 %: Envoy ejects at "greater than or equal"
      t.repeat('b1', 500, 42); // b1: 42 / 92 ≈ 46 %
      t.advance(D.intervalMs);
      t.detector.evaluate();
      return t.ejected.map((e) => [e.id, e.reason]);
    };
    expect(run(5)).toEqual([['b0', 'failure-percentage']]);
    expect(run(4)).toEqual([]);
  });
});

describe('isPanic', () => {
  it('panics below 50 % eligible (strictly), never with no backends', () => {
    expect(isPanic(10, 4)).toBe(true);
    expect(isPanic(10, 5)).toBe(false);
    expect(isPanic(0, 0)).toBe(false);
    expect(isPanic(10, 0, 0)).toBe(false);
    expect(isPanic(3, 1)).toBe(true);
  });
});

describe('OutlierDetector options', () => {
  it.each([
    [{ intervalMs: 0 }],
    [{ consecutive5xx: 1.5 }],
    [{ maxEjectionPercent: 101 }],
    [{ successRateStdevFactor: -1 }],
  ] as [OutlierDetectorOptions][])('rejects %j with INVALID_OPTION', (options) => {
    expect(() => new OutlierDetector(options)).toThrow(
      expect.objectContaining({ code: ENGINE_ERROR_CODES.INVALID_OPTION }),
    );
  });

  it('an option given as undefined keeps its default', () => {
    const t = setup(10, { successRateEnabled: undefined, consecutive5xx: undefined });
    t.repeat('b0', 500, 5);
    expect(t.detector.isEjected('b0')).toBe(true);
  });

  it('ignores unknown ids', () => {
    const { detector } = setup(1);
    detector.record('nope', 500);
    expect(detector.isEjected('nope')).toBe(false);
  });
});
