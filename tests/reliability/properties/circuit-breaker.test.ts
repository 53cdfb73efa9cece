/**
 * CircuitBreaker over random call/outcome/time sequences in all three modes, with the outside
 * signals (`reset()`, `halfOpen()`) mixed in. Beyond the package's probe-count property
 * (consecutive mode only): every state change goes along a documented edge, the open period is
 * honoured, consecutive and count modes match a reference model exactly, and with concurrent
 * `execute()` calls no more than `halfOpenMaxProbes` probes ever run at once.
 */
import { type BreakerPermit, CircuitBreaker, type CircuitState } from '@srekit/engine';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scaled } from '../support/mode.js';

const RUNS = scaled(400, 5_000);

type Op =
  | { kind: 'acquire' }
  | { kind: 'settle'; index: number; outcome: 'success' | 'failure' | 'release' }
  | { kind: 'advance'; ms: number }
  | { kind: 'reset' }
  | { kind: 'halfOpen' };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.constant({ kind: 'acquire' as const }) },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('settle' as const),
      index: fc.nat(30),
      outcome: fc.constantFrom('success' as const, 'failure' as const, 'release' as const),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('advance' as const),
      ms: fc.integer({ min: 0, max: 400 }),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'reset' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'halfOpen' as const }) },
);

const EDGES = new Set(['closed→open', 'open→half-open', 'half-open→closed', 'half-open→open']);
/** Edges only the outside signals may take. */
const RESET_EDGES = new Set(['open→closed', 'half-open→closed']);

/** The documented behaviour of the consecutive and count modes, step by step. */
class Model {
  state: CircuitState = 'closed';
  epoch = 0;
  openedAt = 0;
  probes = 0;
  successes = 0;
  run = 0;
  window: number[] = [];
  constructor(
    readonly mode: 'consecutive' | 'count',
    readonly threshold: number,
    readonly windowCalls: number,
    readonly openMs: number,
    readonly maxProbes: number,
    readonly successThreshold: number,
  ) {}
  refresh(now: number) {
    if (this.state === 'open' && now - this.openedAt >= this.openMs) this.to('half-open');
  }
  to(state: CircuitState, now = 0) {
    this.state = state;
    this.epoch++;
    this.probes = 0;
    this.successes = 0;
    if (state === 'open') this.openedAt = now;
    if (state === 'closed') {
      this.run = 0;
      this.window = [];
    }
  }
  acquire(now: number): { epoch: number; probe: boolean } | undefined {
    this.refresh(now);
    if (this.state === 'closed') return { epoch: this.epoch, probe: false };
    if (this.state === 'half-open' && this.probes < this.maxProbes) {
      this.probes++;
      return { epoch: this.epoch, probe: true };
    }
    return undefined;
  }
  settle(permit: { epoch: number; probe: boolean }, outcome: string, now: number) {
    this.refresh(now);
    if (permit.epoch !== this.epoch) return;
    if (permit.probe) {
      this.probes--;
      if (outcome === 'failure') this.to('open', now);
      else if (outcome === 'success' && ++this.successes >= this.successThreshold)
        this.to('closed');
      return;
    }
    if (outcome === 'release') return;
    const failed = outcome === 'failure';
    if (this.mode === 'consecutive') {
      this.run = failed ? this.run + 1 : 0;
      if (failed && this.run >= this.threshold) this.to('open', now);
    } else {
      this.window.push(failed ? 1 : 0);
      if (this.window.length > this.windowCalls) this.window.shift();
      const failures = this.window.reduce((a, b) => a + b, 0);
      if (failed && failures >= this.threshold) this.to('open', now);
    }
  }
}

describe('CircuitBreaker state machine', () => {
  it('documented edges only, open period honoured, probes bounded, consecutive/count exact', () => {
    const edgeCounts = new Map<string, number>();
    let steps = 0;
    fc.assert(
      fc.property(
        fc.constantFrom('consecutive' as const, 'count' as const, 'sampling' as const),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 50, max: 500 }),
        fc.array(op, { minLength: 20, maxLength: 250 }),
        (mode, threshold, maxProbes, successThreshold, openMs, ops) => {
          let now = 1_000;
          const windowCalls = threshold + 3;
          const breaker = new CircuitBreaker({
            mode,
            clock: () => now,
            openMs,
            halfOpenMaxProbes: maxProbes,
            halfOpenSuccessThreshold: successThreshold,
            consecutiveFailures: threshold,
            countWindowCalls: windowCalls,
            countFailures: threshold,
            samplingWindowMs: 1_000,
            samplingBuckets: 10,
            samplingThresholdPercent: 50,
            samplingVolumeThreshold: threshold + 1,
          });
          const model =
            mode === 'sampling'
              ? undefined
              : new Model(mode, threshold, windowCalls, openMs, maxProbes, successThreshold);
          let signal: 'reset' | 'halfOpen' | undefined;
          const violations: string[] = [];
          let openedAt = Number.NaN;
          let period = 0;
          breaker.onStateChange(({ previous, state, at }) => {
            const edge = `${previous}→${state}`;
            edgeCounts.set(edge, (edgeCounts.get(edge) ?? 0) + 1);
            // The breaker swallows listener errors: collect, assert after the step.
            const allowed = EDGES.has(edge) || (signal === 'reset' && RESET_EDGES.has(edge));
            if (!allowed) violations.push(`${edge} during ${signal ?? 'a call'}`);
            if (edge === 'open→half-open' && signal !== 'halfOpen' && at - openedAt < openMs)
              violations.push(`half-open ${at - openedAt} ms after opening (openMs ${openMs})`);
            if (state === 'open') openedAt = at;
            period++;
          });
          const permits: {
            permit: BreakerPermit;
            model?: { epoch: number; probe: boolean };
            probe: boolean;
            period: number;
          }[] = [];
          for (const o of ops) {
            steps++;
            if (o.kind === 'advance') now += o.ms;
            else if (o.kind === 'reset' || o.kind === 'halfOpen') {
              signal = o.kind;
              breaker[o.kind]();
              signal = undefined;
              if (model) {
                model.refresh(now);
                if (o.kind === 'reset' && model.state !== 'closed') model.to('closed');
                if (o.kind === 'halfOpen' && model.state === 'open') model.to('half-open');
              }
            } else if (o.kind === 'acquire') {
              const before = breaker.state;
              const permit = breaker.tryAcquire();
              const expected = model?.acquire(now);
              expect(permit !== undefined, 'admission').toBe(
                model ? expected !== undefined : permit !== undefined,
              );
              if (before === 'open') expect(permit).toBeUndefined();
              if (permit) {
                const entry = { permit, probe: before === 'half-open', period };
                permits.push(expected ? { ...entry, model: expected } : entry);
              }
            } else if (permits.length > 0) {
              const [entry] = permits.splice(o.index % permits.length, 1);
              if (entry) {
                entry.permit[o.outcome]();
                if (model && entry.model) model.settle(entry.model, o.outcome, now);
              }
            }
            const state = breaker.state;
            expect(violations, `after ${JSON.stringify(o)}`).toEqual([]);
            if (model) {
              model.refresh(now);
              expect(state, `model after ${JSON.stringify(o)}`).toBe(model.state);
            }
            const probes = permits.filter((e) => e.probe && e.period === period).length;
            const stats = breaker.stats();
            if (state === 'half-open') {
              expect(probes).toBeLessThanOrEqual(maxProbes);
              expect(stats.probesInFlight).toBe(probes);
            } else {
              expect(stats.probesInFlight).toBe(0);
            }
          }
        },
      ),
      { numRuns: RUNS, seed: 8 },
    );
    console.info(
      `[property:breaker] ${RUNS} sequences, ${steps} steps; transitions ${[...edgeCounts].map(([e, n]) => `${e} ${n}`).join(', ')}`,
    );
    for (const edge of EDGES) expect(edgeCounts.get(edge) ?? 0, edge).toBeGreaterThan(0);
  });

  it('concurrent execute(): never more than halfOpenMaxProbes probes of one half-open period running at once', async () => {
    let maxSeen = 0;
    let maxAcrossPeriods = 0;
    let probesRun = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('consecutive' as const, 'count' as const, 'sampling' as const),
        fc.integer({ min: 1, max: 4 }),
        fc.array(
          fc.record({
            yieldAfter: fc.boolean(),
            fails: fc.boolean(),
            delay: fc.integer({ min: 0, max: 3 }),
            advanceMs: fc.integer({ min: 0, max: 60 }),
          }),
          { minLength: 10, maxLength: 120 },
        ),
        async (mode, maxProbes, calls) => {
          let now = 0;
          const breaker = new CircuitBreaker({
            mode,
            clock: () => now,
            openMs: 50,
            halfOpenMaxProbes: maxProbes,
            halfOpenSuccessThreshold: 2,
            consecutiveFailures: 2,
            countWindowCalls: 4,
            countFailures: 2,
            samplingVolumeThreshold: 2,
          });
          let period = 0;
          breaker.onStateChange(() => period++);
          const running = new Map<number, number>();
          let total = 0;
          const violations: string[] = [];
          const pending: Promise<unknown>[] = [];
          for (const call of calls) {
            now += call.advanceMs;
            const probe = breaker.state === 'half-open';
            const admittedIn = period;
            pending.push(
              breaker
                .execute(async () => {
                  if (probe) {
                    const n = (running.get(admittedIn) ?? 0) + 1;
                    running.set(admittedIn, n);
                    total++;
                    probesRun++;
                    maxSeen = Math.max(maxSeen, n);
                    maxAcrossPeriods = Math.max(maxAcrossPeriods, total);
                    if (n > maxProbes)
                      violations.push(`${n} probes of one period, max ${maxProbes}`);
                  }
                  for (let i = 0; i < call.delay; i++) await Promise.resolve();
                  if (probe) {
                    running.set(admittedIn, (running.get(admittedIn) ?? 1) - 1);
                    total--;
                  }
                  if (call.fails) throw new Error('down');
                  return 'ok';
                })
                .catch(() => undefined),
            );
            // Let some calls finish before the next starts; others overlap.
            if (call.yieldAfter) await Promise.resolve();
          }
          await Promise.all(pending);
          expect(violations).toEqual([]);
        },
      ),
      { numRuns: scaled(200, 2_000), seed: 8 },
    );
    // Probes of an earlier half-open period that are still running when the circuit half-opens
    // again are not counted against the new period (their outcomes are ignored): across periods
    // more than halfOpenMaxProbes calls can be in flight to a callee that hangs.
    console.info(
      `[property:breaker] concurrent execute(): ${probesRun} probes run, at most ${maxSeen} of one period at once (${maxAcrossPeriods} across periods)`,
    );
    expect(probesRun).toBeGreaterThan(0);
  });
});
