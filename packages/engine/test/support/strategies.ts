import type { BackendView, Random, Strategy } from '../../src/types.js';

/** Mulberry32: a small seeded PRNG in [0, 1), so distributions are the same on every run. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Backend views `b0`, `b1`, … with the given weights (default 1 each), as a pool would hold them. */
export function backends(count: number, weights: readonly number[] = []): BackendView[] {
  return Array.from({ length: count }, (_, slot) => {
    const weight = weights[slot] ?? 1;
    return {
      id: `b${slot}`,
      url: `http://10.0.0.${slot}:8080`,
      slot,
      weight,
      effectiveWeight: weight,
      activeRequests: 0,
    };
  });
}

/** Picks `n` times and counts picks per backend id. */
export function countPicks(strategy: Strategy, n: number, key?: (i: number) => string) {
  const counts = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const b = strategy.pick(key?.(i));
    if (b) counts.set(b.id, (counts.get(b.id) ?? 0) + 1);
  }
  return counts;
}

/**
 * A discrete-time simulation of a pool in front of `strategy`: every `intervalMs` of simulated
 * time `perTick` requests start; each takes `latencyOf(backend, now)` ms; the pool's
 * `activeRequests` and the strategy's request hooks are driven as a pool drives them. Returns the
 * backends picked, with their start times.
 */
export function simulate(
  strategy: Strategy,
  set: BackendView[],
  options: {
    durationMs: number;
    intervalMs?: number;
    perTick?: number;
    latencyOf: (backend: BackendView, now: number) => number;
    /** Whether the request picked at `now` fails (reported with `ok` false). Default never. */
    failed?: (backend: BackendView, now: number) => boolean;
    clock?: { now: number };
  },
): { id: string; at: number }[] {
  const { durationMs, latencyOf } = options;
  const intervalMs = options.intervalMs ?? 1;
  const perTick = options.perTick ?? 1;
  const clock = options.clock ?? { now: 0 };
  const inFlight: { backend: BackendView; start: number; end: number; ok: boolean }[] = [];
  const picks: { id: string; at: number }[] = [];
  strategy.update(set);
  for (let now = 0; now < durationMs; now += intervalMs) {
    clock.now = now;
    for (let k = inFlight.length - 1; k >= 0; k--) {
      const r = inFlight[k] as (typeof inFlight)[number];
      if (r.end > now) continue;
      inFlight.splice(k, 1);
      r.backend.activeRequests--;
      strategy.onRequestEnd?.(r.backend, r.end - r.start, r.ok, now);
    }
    for (let k = 0; k < perTick; k++) {
      const backend = strategy.pick();
      if (!backend) continue;
      picks.push({ id: backend.id, at: now });
      backend.activeRequests++;
      strategy.onRequestStart?.(backend, now);
      inFlight.push({
        backend,
        start: now,
        end: now + latencyOf(backend, now),
        ok: !(options.failed?.(backend, now) ?? false),
      });
    }
  }
  return picks;
}

/** Share of `picks` that went to `id` (optionally only those with `from ≤ at < to`). */
export function shareOf(picks: { id: string; at: number }[], id: string, from = 0, to = Infinity) {
  const inWindow = picks.filter((p) => p.at >= from && p.at < to);
  return inWindow.filter((p) => p.id === id).length / inWindow.length;
}
