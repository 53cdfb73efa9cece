import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ENGINE_DEFAULTS } from '../defaults.js';
import { ENGINE_ERROR_CODES } from '../errors.js';
import { BrokenCircuitError, isBrokenCircuitError } from './broken-circuit-error.js';
import {
  type BreakerPermit,
  CircuitBreaker,
  type CircuitBreakerOptions,
  type CircuitState,
} from './circuit-breaker.js';

function setup(options: CircuitBreakerOptions = {}) {
  let now = 1_000;
  const breaker = new CircuitBreaker({ clock: () => now, ...options });
  const changes: string[] = [];
  breaker.onStateChange(({ previous, state }) => changes.push(`${previous}->${state}`));
  return {
    breaker,
    changes,
    advance: (ms: number) => {
      now += ms;
    },
    fail: (n = 1) => {
      for (let i = 0; i < n; i++) breaker.tryAcquire()?.failure();
    },
    succeed: (n = 1) => {
      for (let i = 0; i < n; i++) breaker.tryAcquire()?.success();
    },
  };
}

describe('CircuitBreaker, consecutive mode', () => {
  it('opens after exactly `consecutiveFailures` failures in a row (default 5)', () => {
    const { breaker, fail } = setup();
    fail(ENGINE_DEFAULTS.breaker.consecutiveFailures - 1);
    expect(breaker.state).toBe('closed');
    fail();
    expect(breaker.state).toBe('open');
    expect(breaker.tryAcquire()).toBeUndefined();
  });

  it('a success resets the run of failures', () => {
    const { breaker, fail, succeed } = setup({ consecutiveFailures: 3 });
    fail(2);
    succeed();
    fail(2);
    expect(breaker.state).toBe('closed');
    expect(breaker.stats().failures).toBe(2);
    fail();
    expect(breaker.state).toBe('open');
  });
});

describe('CircuitBreaker, count mode', () => {
  it('opens when `countFailures` of the last `countWindowCalls` calls failed', () => {
    const { breaker, fail, succeed } = setup({
      mode: 'count',
      countWindowCalls: 5,
      countFailures: 3,
    });
    fail(2);
    succeed(3); // window: F F S S S
    fail(); // window: F S S S F (the oldest failure slid out) → 2 failures
    expect(breaker.state).toBe('closed');
    expect(breaker.stats()).toMatchObject({ calls: 5, failures: 2 });
    fail(); // S S S F F → 2
    expect(breaker.state).toBe('closed');
    fail(); // S S F F F → 3
    expect(breaker.state).toBe('open');
  });
});

describe('CircuitBreaker, sampling mode', () => {
  const sampling = {
    mode: 'sampling',
    samplingWindowMs: 10_000,
    samplingBuckets: 10,
    samplingThresholdPercent: 50,
    samplingVolumeThreshold: 4,
  } as const;

  it('does not open at exactly the threshold (strict >, as opossum)', () => {
    const { breaker, fail, succeed } = setup(sampling);
    succeed(2);
    fail(2); // 2 / 4 = 50 %, not > 50 %
    expect(breaker.state).toBe('closed');
    fail(); // 3 / 5 = 60 %
    expect(breaker.state).toBe('open');
  });

  it('does not open before the window holds `samplingVolumeThreshold` calls', () => {
    const { breaker, fail } = setup({ ...sampling, samplingVolumeThreshold: 5 });
    fail(4); // 100 % failures, but only 4 calls
    expect(breaker.state).toBe('closed');
    fail();
    expect(breaker.state).toBe('open');
  });

  it('forgets calls older than the window as buckets rotate', () => {
    const { breaker, fail, succeed, advance } = setup(sampling);
    fail(3);
    succeed(3); // 50 %
    advance(9_000);
    expect(breaker.stats().calls).toBe(6);
    advance(1_000); // the bucket of the first calls has left the window
    expect(breaker.stats()).toMatchObject({ calls: 0, failures: 0 });
    fail(3);
    expect(breaker.state).toBe('closed'); // 3 calls < volume 4
  });

  it('rotates only the passed buckets: calls 5 s ago still count', () => {
    const { breaker, fail, succeed, advance } = setup(sampling);
    succeed(2);
    advance(5_000);
    succeed(1);
    fail(2); // 2 / 5 = 40 %
    expect(breaker.stats()).toMatchObject({ calls: 5, failures: 2 });
    advance(5_000); // the first two successes leave the window
    fail(); // 3 failures / 4 calls = 75 %
    expect(breaker.state).toBe('open');
  });

  it('uses the time the caller gives with the outcome instead of reading the clock', () => {
    const clockReads = { n: 0 };
    const breaker = new CircuitBreaker({
      ...sampling,
      clock: () => {
        clockReads.n++;
        return 0;
      },
    });
    breaker.tryAcquire()?.failure(0);
    breaker.tryAcquire()?.failure(0);
    breaker.tryAcquire()?.success(20_000); // 20 s later by the caller's time: the failures left
    breaker.tryAcquire()?.failure(20_000);
    breaker.tryAcquire()?.success(20_000);
    breaker.tryAcquire()?.failure(20_001); // 2 / 4 = 50 %: still closed
    expect(clockReads.n).toBe(0);
    expect(breaker.tryAcquire()).toBeDefined();
    breaker.tryAcquire()?.failure(20_002); // 3 / 5
    expect(breaker.stats()).toMatchObject({ state: 'open', openUntil: 20_002 + 30_000 });
  });

  it('a long idle gap clears the whole window in bounded work', () => {
    const { breaker, fail, succeed, advance } = setup(sampling);
    succeed(3);
    fail(2);
    advance(1e15); // 1e12 buckets passed: rotation must not walk them one by one
    expect(breaker.stats()).toMatchObject({ calls: 0, failures: 0 });
    fail();
    expect(breaker.stats()).toMatchObject({ calls: 1, failures: 1 });
  });
});

describe('CircuitBreaker, open and half-open', () => {
  it('stays open for `openMs`, then turns half-open lazily (no timer)', () => {
    const { breaker, fail, advance, changes } = setup({ consecutiveFailures: 1, openMs: 5_000 });
    fail();
    expect(breaker.stats().openUntil).toBe(6_000);
    advance(4_999);
    expect(breaker.state).toBe('open');
    expect(changes).toEqual(['closed->open']);
    advance(1);
    expect(breaker.state).toBe('half-open');
    expect(changes).toEqual(['closed->open', 'open->half-open']);
  });

  it('admits at most `halfOpenMaxProbes` probes at once and closes after the success threshold', () => {
    const { breaker, fail, advance, changes } = setup({
      consecutiveFailures: 1,
      openMs: 100,
      halfOpenMaxProbes: 2,
      halfOpenSuccessThreshold: 3,
    });
    fail();
    advance(100);
    const a = breaker.tryAcquire();
    const b = breaker.tryAcquire();
    expect(a).toBeDefined();
    expect(b).toBeDefined();
    expect(breaker.tryAcquire()).toBeUndefined();
    a?.success();
    a?.success(); // settling twice counts once
    expect(breaker.stats()).toMatchObject({
      state: 'half-open',
      probesInFlight: 1,
      probeSuccesses: 1,
    });
    const c = breaker.tryAcquire();
    expect(breaker.tryAcquire()).toBeUndefined();
    b?.success();
    expect(breaker.state).toBe('half-open');
    c?.success();
    expect(breaker.state).toBe('closed');
    expect(changes).toEqual(['closed->open', 'open->half-open', 'half-open->closed']);
  });

  it('a failed probe re-opens the circuit for another `openMs`', () => {
    const { breaker, fail, advance, changes } = setup({
      consecutiveFailures: 1,
      openMs: 100,
      halfOpenMaxProbes: 2,
    });
    fail();
    advance(100);
    const a = breaker.tryAcquire();
    const b = breaker.tryAcquire();
    a?.failure();
    expect(breaker.state).toBe('open');
    b?.success(); // a probe of the previous half-open period: ignored
    expect(breaker.state).toBe('open');
    advance(99);
    expect(breaker.state).toBe('open');
    advance(1);
    expect(breaker.state).toBe('half-open');
    expect(changes).toEqual([
      'closed->open',
      'open->half-open',
      'half-open->open',
      'open->half-open',
    ]);
  });

  it('ignores outcomes of calls admitted while closed once the circuit has opened (no half-open race)', () => {
    const { breaker, advance } = setup({ consecutiveFailures: 2, openMs: 100 });
    const slow = breaker.tryAcquire() as BreakerPermit;
    breaker.tryAcquire()?.failure();
    breaker.tryAcquire()?.failure();
    advance(100);
    expect(breaker.state).toBe('half-open');
    slow.success(); // started while closed, ends while half-open: must not close the circuit
    expect(breaker.state).toBe('half-open');
    expect(breaker.stats().probeSuccesses).toBe(0);
    breaker.tryAcquire()?.success(); // a real probe closes it
    const slowFailure = breaker.tryAcquire() as BreakerPermit;
    breaker.tryAcquire()?.failure();
    breaker.tryAcquire()?.failure();
    advance(100);
    breaker.tryAcquire()?.success();
    expect(breaker.stats()).toMatchObject({ state: 'closed', calls: 0 });
    slow.success(); // from the first closed period: not counted in the new one
    slowFailure.failure();
    expect(breaker.stats()).toMatchObject({ state: 'closed', calls: 0, failures: 0 });
  });

  it('a released probe frees its slot without closing or re-opening', () => {
    const { breaker, fail, advance } = setup({ consecutiveFailures: 1, openMs: 10 });
    fail();
    advance(10);
    breaker.tryAcquire()?.release();
    expect(breaker.stats()).toMatchObject({
      state: 'half-open',
      probesInFlight: 0,
      probeSuccesses: 0,
    });
    expect(breaker.tryAcquire()).toBeDefined();
  });

  it('property: never more than `halfOpenMaxProbes` probes in flight', () => {
    type Op =
      | { kind: 'acquire' }
      | { kind: 'settle'; index: number; outcome: 'success' | 'failure' | 'release' }
      | { kind: 'advance'; ms: number };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.constant({ kind: 'acquire' as const }),
      fc.record({
        kind: fc.constant('settle' as const),
        index: fc.nat(20),
        outcome: fc.constantFrom('success' as const, 'failure' as const, 'release' as const),
      }),
      fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 200 }) }),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 3 }),
        fc.array(op, { maxLength: 200 }),
        (maxProbes, successes, ops) => {
          let now = 0;
          const breaker = new CircuitBreaker({
            clock: () => now,
            consecutiveFailures: 2,
            openMs: 100,
            halfOpenMaxProbes: maxProbes,
            halfOpenSuccessThreshold: successes,
          });
          let period = 0;
          breaker.onStateChange(() => period++);
          const open: { permit: BreakerPermit; probe: boolean; period: number }[] = [];
          for (const o of ops) {
            if (o.kind === 'advance') now += o.ms;
            else if (o.kind === 'acquire') {
              const state: CircuitState = breaker.state;
              const permit = breaker.tryAcquire();
              if (permit) open.push({ permit, probe: state === 'half-open', period });
            } else if (open.length > 0) {
              const [entry] = open.splice(o.index % open.length, 1);
              entry?.permit[o.outcome]();
            }
            const probes = open.filter((e) => e.probe && e.period === period).length;
            if (breaker.state === 'half-open' && probes > maxProbes) return false;
            if (breaker.stats().probesInFlight !== (breaker.state === 'half-open' ? probes : 0))
              return false;
          }
          return true;
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('CircuitBreaker.reset', () => {
  it('closes an open circuit at once, clears the counts and ignores permits of the old epoch', () => {
    const { breaker, changes, fail } = setup({ consecutiveFailures: 2 });
    const stale = breaker.tryAcquire();
    fail(2);
    expect(breaker.state).toBe('open');
    breaker.reset();
    expect(breaker.state).toBe('closed');
    expect(changes).toEqual(['closed->open', 'open->closed']);
    stale?.failure(); // taken before the reset: does not count
    fail(1);
    expect(breaker.state).toBe('closed');
    breaker.reset(); // already closed: no event
    expect(changes).toHaveLength(2);
  });
});

describe('CircuitBreaker.halfOpen', () => {
  it('ends the open period at once; the probe decides', () => {
    const { breaker, changes, fail, succeed } = setup({ consecutiveFailures: 1, openMs: 60_000 });
    breaker.halfOpen(); // closed: nothing happens
    fail();
    breaker.halfOpen();
    expect(breaker.state).toBe('half-open');
    fail(); // the probe fails: open again for openMs
    expect(breaker.state).toBe('open');
    breaker.halfOpen();
    succeed();
    expect(breaker.state).toBe('closed');
    expect(changes).toEqual([
      'closed->open',
      'open->half-open',
      'half-open->open',
      'open->half-open',
      'half-open->closed',
    ]);
  });
});

describe('CircuitBreaker.execute', () => {
  it('returns the value and records a success', async () => {
    const { breaker } = setup({ consecutiveFailures: 1 });
    await expect(breaker.execute(() => 42)).resolves.toBe(42);
    expect(breaker.stats()).toMatchObject({ state: 'closed', calls: 1, failures: 0 });
  });

  it('records a thrown error as a failure and rethrows it', async () => {
    const { breaker } = setup({ consecutiveFailures: 1 });
    const boom = new Error('boom');
    await expect(breaker.execute(async () => Promise.reject(boom))).rejects.toBe(boom);
    expect(breaker.state).toBe('open');
  });

  it('refuses with BROKEN_CIRCUIT without calling the function when open', async () => {
    const { breaker, fail, advance } = setup({ consecutiveFailures: 1, openMs: 1_000 });
    fail();
    advance(250);
    let called = false;
    const error = await breaker
      .execute(() => {
        called = true;
      })
      .catch((e: unknown) => e);
    expect(called).toBe(false);
    expect(error).toBeInstanceOf(BrokenCircuitError);
    expect(isBrokenCircuitError(error)).toBe(true);
    expect(error).toMatchObject({
      code: ENGINE_ERROR_CODES.BROKEN_CIRCUIT,
      state: 'open',
      retryAfterMs: 750,
    });
  });

  it('isBrokenCircuitError recognises the code from another copy of the package, not other errors', () => {
    const foreign = { srekitError: true, code: ENGINE_ERROR_CODES.BROKEN_CIRCUIT, message: 'x' };
    expect(isBrokenCircuitError(foreign)).toBe(true);
    expect(
      isBrokenCircuitError({ srekitError: true, code: ENGINE_ERROR_CODES.INVALID_OPTION }),
    ).toBe(false);
    expect(isBrokenCircuitError(new Error('x'))).toBe(false);
    expect(isBrokenCircuitError(null)).toBe(false);
  });

  it('refuses with state half-open when all probe slots are taken', async () => {
    const { breaker, fail, advance } = setup({ consecutiveFailures: 1, openMs: 10 });
    fail();
    advance(10);
    const probe = breaker.tryAcquire();
    expect(probe).toBeDefined();
    await expect(breaker.execute(() => 1)).rejects.toMatchObject({
      state: 'half-open',
      retryAfterMs: 0,
    });
  });

  it('does not count a call the caller aborted', async () => {
    const { breaker } = setup({ consecutiveFailures: 1 });
    const controller = new AbortController();
    const run = breaker.execute(async (signal) => {
      controller.abort();
      throw signal?.reason;
    }, controller.signal);
    await expect(run).rejects.toBeDefined();
    expect(breaker.state).toBe('closed');
    await expect(breaker.execute(() => 1, controller.signal)).rejects.toBe(
      controller.signal.reason,
    );
  });

  it('`isFailure` decides which errors count', async () => {
    const { breaker } = setup({
      consecutiveFailures: 1,
      isFailure: (e) => (e as Error).message !== 'not found',
    });
    await expect(breaker.execute(() => Promise.reject(new Error('not found')))).rejects.toThrow();
    expect(breaker.state).toBe('closed');
    await expect(breaker.execute(() => Promise.reject(new Error('down')))).rejects.toThrow();
    expect(breaker.state).toBe('open');
  });
});

describe('CircuitBreaker options and events', () => {
  it('a listener can be disposed, and a throwing listener does not break the breaker', () => {
    const { breaker, fail, advance } = setup({ consecutiveFailures: 1, openMs: 1 });
    const seen: string[] = [];
    const sub = breaker.onStateChange(({ state }) => seen.push(state));
    breaker.onStateChange(() => {
      throw new Error('listener bug');
    });
    fail();
    sub.dispose();
    advance(1);
    expect(breaker.state).toBe('half-open');
    expect(seen).toEqual(['open']);
  });

  it.each([
    [{ consecutiveFailures: 0 }],
    [{ mode: 'count', countWindowCalls: 5, countFailures: 6 }],
    [{ mode: 'sampling', samplingThresholdPercent: 100 }],
    [{ mode: 'sampling', samplingVolumeThreshold: -1 }],
    [{ halfOpenMaxProbes: 1.5 }],
    [{ openMs: -1 }],
    [{ mode: 'bogus' }],
  ] as [CircuitBreakerOptions][])('rejects %j with INVALID_OPTION', (options) => {
    expect(() => new CircuitBreaker(options)).toThrow(
      expect.objectContaining({ code: ENGINE_ERROR_CODES.INVALID_OPTION }),
    );
  });
});
