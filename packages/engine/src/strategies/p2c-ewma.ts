import { STRATEGY_DEFAULTS } from '../defaults.js';
import type { BackendView, Clock, Random, Strategy } from '../types.js';
import { checkNumber, defaultClock, type StrategyOptions } from './options.js';

/**
 * Load of a backend that has requests in flight but no latency sample yet, plus its pending
 * count: Finagle's `Penalty` (`Long.MaxValue >> 16`), so such a backend is tried again only once
 * its first response tells what it costs.
 */
const PENALTY = 2 ** 47;

interface EwmaState {
  /** Peak EWMA of the round-trip time, in ms, as of `stamp`. */
  cost: number;
  /** Clock time of the last sample. */
  stamp: number;
  /**
   * `ln(cost) + stamp / τ`: the cost at any later time `t` is `exp(rank − t / τ)`, so two
   * backends' loads compare as `rank + ln(pending + 1)` with no clock read on the pick path (the
   * `t` terms cancel). `-Infinity` while the cost is 0.
   */
  rank: number;
}

/**
 * Least response time as Finagle's peak EWMA balancer: per backend a `cost` that decays toward
 * zero while no samples come (`current = cost·w`, `w = exp(−Δt / τ)`, Δt since the last sample),
 * jumps at once to a sample higher than `current` and otherwise moves toward the sample
 * (`cost = cost·w + rtt·(1 − w)`), so a slow backend is avoided at once, and one that was
 * avoided is tried again as its cost fades. The load is
 * `cost × (activeRequests + 1)`, and power of two choices picks the lower load of two distinct
 * random backends. O(1) per pick: one random number, no clock read, no `exp` (see `rank`).
 *
 * Samples come from `onRequestEnd`; a failure counts as at least `failurePenaltyMs` (default
 * 1 000 ms), so a backend that answers errors quickly does not win every comparison (Finagle
 * samples failures at their own latency, and a fast-failing host draws the traffic). Pending requests
 * are the pool's `activeRequests`. A backend's cost survives `update()` while it stays in the set.
 *
 * @example
 * const ewma = new PeakEwmaStrategy({ clock: fakeClock, random: seededRandom });
 * ewma.update(backends);
 * const b = ewma.pick();
 * // … request done in 12 ms:
 * ewma.onRequestEnd(b, 12, true, fakeClock());
 */
export class PeakEwmaStrategy implements Strategy {
  /** Always `'p2c-ewma'`. */
  readonly name = 'p2c-ewma' as const;
  private readonly random: Random;
  private readonly clock: Clock;
  private readonly tauMs: number;
  private readonly failurePenaltyMs: number;
  private backends: readonly BackendView[] = [];
  private states: EwmaState[] = [];
  private byId = new Map<string, EwmaState>();

  /**
   * @param options `random` (default `Math.random`), `clock` (default `performance.now`; read
   *   only by `costOf()` without a time, picks need none), `decayTimeMs` τ (default 10 000, > 0),
   *   `failurePenaltyMs` (default 1 000, ≥ 0).
   */
  constructor(options: StrategyOptions = {}) {
    checkNumber('decayTimeMs', options.decayTimeMs, (v) => v > 0, 'a number of ms > 0');
    this.random = options.random ?? Math.random;
    this.clock = options.clock ?? defaultClock;
    this.tauMs = options.decayTimeMs ?? STRATEGY_DEFAULTS.decayTimeMs;
    checkNumber('failurePenaltyMs', options.failurePenaltyMs, (v) => v >= 0, 'a number of ms ≥ 0');
    this.failurePenaltyMs = options.failurePenaltyMs ?? STRATEGY_DEFAULTS.failurePenaltyMs;
  }

  /** Replaces the eligible backends, keeping the cost of those that stay. O(n). */
  update(backends: readonly BackendView[]): void {
    this.backends = backends.slice();
    const byId = new Map<string, EwmaState>();
    this.states = backends.map((b) => {
      const state = this.byId.get(b.id) ??
        byId.get(b.id) ?? { cost: 0, stamp: 0, rank: Number.NEGATIVE_INFINITY };
      byId.set(b.id, state);
      return state;
    });
    this.byId = byId;
  }

  /** The backend of lower `cost × (activeRequests + 1)` of two random ones, or `undefined`. */
  pick(): BackendView | undefined {
    const backends = this.backends;
    const n = backends.length;
    if (n <= 1) return backends[0];
    // Two distinct indexes from one random number: its integer part and, rescaled, its fraction.
    const x = this.random() * n;
    const i = Math.floor(x);
    let j = Math.floor((x - i) * (n - 1));
    if (j >= i) j++;
    const a = backends[i] as BackendView;
    const b = backends[j] as BackendView;
    const sa = this.states[i] as EwmaState;
    const sb = this.states[j] as EwmaState;
    const pa = a.activeRequests + 1;
    const pb = b.activeRequests + 1;
    if (sa.cost > 0 && sb.cost > 0) {
      // costB(t)·pb < costA(t)·pa  ⇔  rankB + ln pb < rankA + ln pa, the same for every t.
      return sb.rank + ln(pb) < sa.rank + ln(pa) ? b : a;
    }
    return zeroCostLoad(sb.cost, pb) < zeroCostLoad(sa.cost, pa) ? b : a;
  }

  /** Records a round-trip time sample of `latencyMs` for `backend` at clock time `at`. */
  onRequestEnd(backend: BackendView, latencyMs: number, ok: boolean, at: number): void {
    const state = this.byId.get(backend.id);
    if (state === undefined || !(latencyMs >= 0)) return;
    const sample = ok || latencyMs >= this.failurePenaltyMs ? latencyMs : this.failurePenaltyMs;
    const elapsed = at - state.stamp;
    const w = elapsed > 0 ? Math.exp(-elapsed / this.tauMs) : 1;
    // `current` is the cost as picks saw it (decayed toward zero since the last sample); a higher
    // sample replaces it, a lower one adds the EWMA step `rtt·(1 − w)` (steady state: rtt).
    const current = state.cost * w;
    state.cost = sample > current ? sample : current + sample * (1 - w);
    state.stamp = Math.max(at, state.stamp);
    state.rank = Math.log(state.cost) + state.stamp / this.tauMs;
  }

  /** The current cost of `backend` in ms (decayed to `at`), for stats and tests. */
  costOf(backend: BackendView, at: number = this.clock()): number {
    const state = this.byId.get(backend.id);
    return state === undefined ? 0 : decayed(state, at, this.tauMs);
  }
}

// ln(1 … 4095) looked up, not computed: pending counts are small integers and a table read costs
// a fraction of Math.log on the pick path.
const LN = Float64Array.from({ length: 4096 }, (_, i) => Math.log(i));
function ln(n: number): number {
  return n < 4096 ? (LN[n] as number) : Math.log(n);
}

// Order of loads when one cost is 0 (no sample yet, or faded to nothing): an idle unmeasured
// backend (0) before any measured one (1), and one with requests in flight and no sample after
// all (Finagle's penalty), by its pending count.
function zeroCostLoad(cost: number, pendingPlusOne: number): number {
  if (cost > 0) return 1;
  return pendingPlusOne === 1 ? 0 : PENALTY + pendingPlusOne;
}

// The cost as a zero-latency sample at `now` would leave it, without storing it: Finagle stores
// such a sample on every load query, which makes its costs depend on how often it is asked.
function decayed(state: EwmaState, now: number, tauMs: number): number {
  const elapsed = now - state.stamp;
  return elapsed > 0 ? state.cost * Math.exp(-elapsed / tauMs) : state.cost;
}
