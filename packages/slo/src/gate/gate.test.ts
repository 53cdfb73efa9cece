import { describe, expect, it } from 'vitest';
import { fakePrometheus, sloSeries } from '../../test/fake-prometheus.js';
import { testSpec } from '../../test/gate-specs.js';
import { SLO_ERROR_CODES } from '../errors.js';
import { collectSloData } from './collect.js';
import { evaluateGate, formatGateResult, gateFromData, resolveGateThresholds } from './gate.js';
import type { ResultsFile } from './results-file.js';

const checkout = testSpec();
const search = testSpec({ service: 'search', name: 'availability', objective: 99 });

const results: ResultsFile = {
  slos: {
    // 0.05 % errors at 99.9 %: half the budget spent.
    'checkout-availability': {
      good: 99_950,
      total: 100_000,
      windows: { '1h': { bad: 72, total: 5_000 } },
    },
    // 0.1 % errors at 99 %: a tenth spent.
    'search-availability': { bad: 10, total: 10_000 },
  },
};

describe('evaluateGate on a results file', () => {
  it('passes with the default thresholds (budget not overspent)', async () => {
    const verdict = await evaluateGate([checkout, search], { results });
    expect(verdict.passed).toBe(true);
    expect(verdict.thresholds).toEqual({ minBudgetRemaining: 0, requireData: true });
    expect(verdict.slos.map((s) => s.reasons)).toEqual([[], []]);
    expect(verdict.slos[0]?.checks[0]?.message).toBe(
      'error budget remaining 50 % (21m 36s of 43m 12s over 30d; SLI 99.95 % vs objective 99.9 %) meets the minimum 0 %',
    );
  });

  it('fails the SLO under the minimum with the numbers in the reason', async () => {
    const verdict = await evaluateGate(
      [checkout, search],
      { results },
      { minBudgetRemaining: 0.6 },
    );
    expect(verdict.passed).toBe(false);
    expect(verdict.slos.map((s) => s.passed)).toEqual([false, true]);
    expect(verdict.slos[0]?.reasons).toEqual([
      'error budget remaining 50 % (21m 36s of 43m 12s over 30d; SLI 99.95 % vs objective 99.9 %) is below the minimum 60 %',
    ]);
    expect(verdict.slos[0]?.budgetRemaining).toBeCloseTo(0.5, 12);
    expect(verdict.slos[1]?.budgetRemaining).toBeCloseTo(0.9, 12);
  });

  it('fails on the burn rate over the default window (page-fast long window, 1h)', async () => {
    const verdict = await evaluateGate([checkout], { results }, { maxBurnRate: 10 });
    expect(verdict.slos[0]?.burnRateWindow).toBe('1h');
    expect(verdict.slos[0]?.burnRate).toBeCloseTo(14.4, 9);
    expect(verdict.slos[0]?.reasons).toEqual([
      'burn rate over 1h is 14.4× (error ratio 1.44 %, allowed 0.1 %), above the maximum 10×: at this rate a full budget is gone in 2d 2h',
    ]);
  });

  it('uses the whole results for a window the file does not count', async () => {
    const verdict = await evaluateGate([search], { results }, { maxBurnRate: 0.05 });
    expect(verdict.slos[0]?.reasons[0]).toMatch(
      /^burn rate over 30d \(the whole results; no 1h counts given\) is 0\.1× .* above the maximum 0\.05×/,
    );
  });

  it('says when the budget is overspent', async () => {
    const verdict = await evaluateGate([checkout], {
      results: { slos: { 'checkout-availability': { bad: 30, total: 10_000 } } },
    });
    expect(verdict.passed).toBe(false);
    expect(verdict.slos[0]?.reasons[0]).toBe(
      'error budget overspent: remaining -200 % of 43m 12s over 30d (SLI 99.7 % vs objective 99.9 %), below the minimum 0 %',
    );
  });

  it('fails on missing data by default, passes with a warning when allowed', async () => {
    const file: ResultsFile = { slos: { 'checkout-availability': { good: 0, total: 0 } } };
    const strict = await evaluateGate([checkout, search], { results: file });
    expect(strict.passed).toBe(false);
    expect(strict.slos[0]?.reasons).toEqual([
      'no data: no traffic in the 30d period (0 events), so the budget is unknown; check the SLI query',
    ]);
    expect(strict.slos[1]?.reasons).toEqual([
      'no data: results has no entry "search-availability"; add its good/total counts or fix the id (<service>-<name>)',
    ]);
    const lenient = await evaluateGate(
      [checkout, search],
      { results: file },
      { requireData: false },
    );
    expect(lenient.passed).toBe(true);
    expect(lenient.slos[0]?.warnings).toEqual([
      'no data: no traffic in the 30d period (0 events), so the budget is unknown; check the SLI query (passing: missing data is allowed)',
    ]);
    expect(JSON.stringify(lenient)).not.toMatch(/NaN|Infinity/);
  });
});

describe('evaluateGate on Prometheus', () => {
  it('passes the healthy SLO and fails the burning one, warning about the firing tier', async () => {
    const { fetch } = fakePrometheus([
      ...sloSeries('checkout-availability', {
        errorRatios: { '5m': '0', '1h': '0', '30d': '0.0001' },
        budgetRemaining: '0.9',
      }),
      ...sloSeries('search-availability', {
        errorRatios: { '5m': '0.5', '1h': '0.5', '30d': '0.02' },
        budgetRemaining: '-1',
      }),
    ]);
    const verdict = await evaluateGate(
      [checkout, search],
      { prometheus: 'http://prom:9090', fetch },
      { minBudgetRemaining: 0.25, maxBurnRate: 2 },
    );
    expect(verdict.slos.map((s) => s.passed)).toEqual([true, false]);
    expect(verdict.slos[1]?.reasons).toEqual([
      'error budget overspent: remaining -100 % of 7h 12m over 30d (SLI 98 % vs objective 99 %), below the minimum 25 %',
      'burn rate over 1h is 50× (error ratio 50 %, allowed 1 %), above the maximum 2×: at this rate a full budget is gone in 14h 24m',
    ]);
    expect(verdict.slos[1]?.firingTiers).toEqual(['page-fast']);
    expect(verdict.slos[1]?.warnings[0]).toContain(
      'tier page-fast (page) is firing: burn 50× over 1h and 50× over 5m, above 14.4×',
    );
  });

  it('fails an SLO whose rules are not loaded, naming what to load', async () => {
    const { fetch } = fakePrometheus([]);
    const verdict = await evaluateGate([checkout], { prometheus: 'http://prom:9090', fetch });
    expect(verdict.slos[0]?.status).toBe('no-rules');
    expect(verdict.slos[0]?.reasons[0]).toContain(
      "no data: Prometheus at http://prom:9090 has no slo:* series labelled with this SLO's id; load the generated rules",
    );
  });

  it('rejects with GATE_SOURCE when Prometheus cannot be read', async () => {
    await expect(
      evaluateGate([checkout], {
        prometheus: 'http://prom:9090',
        fetch: async () => {
          throw new TypeError('fetch failed', {
            cause: { code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND prom' },
          });
        },
      }),
    ).rejects.toMatchObject({
      code: SLO_ERROR_CODES.GATE_SOURCE,
      message: expect.stringContaining('The host name does not resolve'),
    });
  });
});

describe('thresholds', () => {
  it.each([
    [{ minBudgetRemaining: 2 }, 'minBudgetRemaining'],
    [{ minBudgetRemaining: Number.NaN }, 'minBudgetRemaining'],
    [{ maxBurnRate: 0 }, 'maxBurnRate'],
    [{ burnRateWindow: 'an hour' }, 'burnRateWindow'],
  ])('rejects %o', (thresholds, name) => {
    expect(() => resolveGateThresholds(thresholds)).toThrow(`Invalid argument \`${name}\``);
  });

  it('normalises the window and checks it', async () => {
    expect(resolveGateThresholds({ burnRateWindow: '60m' }).burnRateWindow).toBe('1h');
    const verdict = await evaluateGate(
      [checkout],
      { results },
      { maxBurnRate: 1, burnRateWindow: '6h' },
    );
    // No 6h counts in the file: the whole results (0.5×) stand in.
    expect(verdict.slos[0]?.passed).toBe(true);
    expect(verdict.slos[0]?.burnRate).toBeCloseTo(0.5, 9);
  });

  it('refuses an empty list of SLOs', async () => {
    await expect(evaluateGate([], { results })).rejects.toMatchObject({
      code: SLO_ERROR_CODES.INVALID_ARGUMENT,
    });
  });
});

describe('gateFromData and formatGateResult', () => {
  it('gates numbers collected once and prints PASS/FAIL lines', async () => {
    const data = await collectSloData([checkout, search], { results });
    const verdict = gateFromData([checkout, search], data, { minBudgetRemaining: 0.6 });
    const text = formatGateResult(verdict);
    expect(text.split('\n')[0]).toBe('FAIL checkout-availability');
    expect(text).toContain('  - error budget remaining 50 %');
    expect(text).toContain('PASS search-availability\n  ok error budget remaining 90 %');
    expect(text.trimEnd().split('\n').at(-1)).toBe('gate failed: 1 of 2 SLOs failed (results)');
  });
});
