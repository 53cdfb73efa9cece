import { GATE_DEFAULTS } from '../defaults.js';
import { formatDuration, parseDuration } from '../duration.js';
import { invalidArgument } from '../errors.js';
import { RULE_LABELS } from '../metrics.js';
import {
  formatBurnRate,
  formatErrorRatio,
  formatPercent,
  formatSeconds,
  formatSli,
} from '../report/format.js';
import type { SloSpec } from '../types.js';
import { collectSloData, defaultBurnRateWindow } from './collect.js';
import type { DataStatus, SloData, SloDataSet, SloSource } from './slo-data.js';

/** What the gate demands of every SLO. */
export interface GateThresholds {
  /**
   * Minimum share of the period's error budget that must remain, as a ratio (0.25 = 25 %).
   * Default 0: the SLO is met over its period.
   */
  readonly minBudgetRemaining?: number;
  /**
   * Maximum burn rate over {@link GateThresholds.burnRateWindow}, e.g. 2 (the budget would last
   * half the period). Default: no burn-rate check.
   */
  readonly maxBurnRate?: number;
  /**
   * Window of the burn-rate check, a Prometheus duration. Default: each SLO's page-fast long
   * window (`1h` with the workbook tiers), which shows whether the budget is burning now.
   */
  readonly burnRateWindow?: string;
  /**
   * Whether an SLO without the data a check needs fails (`true`, the default) or passes with a
   * warning (`false`).
   */
  readonly requireData?: boolean;
}

/** The thresholds the gate applied, defaults filled in. */
export interface ResolvedGateThresholds {
  readonly minBudgetRemaining: number;
  readonly maxBurnRate?: number;
  /** Undefined when each SLO uses its own default window. */
  readonly burnRateWindow?: string;
  readonly requireData: boolean;
}

/** One check of one SLO. */
export interface GateCheck {
  readonly check: 'data' | 'budget' | 'burn-rate';
  readonly passed: boolean;
  /** Plain words with the numbers, e.g. `error budget remaining 12.5 % is below the minimum 25 %`. */
  readonly message: string;
}

/** The gate's verdict on one SLO. */
export interface SloGateResult {
  readonly sloId: string;
  readonly passed: boolean;
  /** Why it failed, in plain words with numbers; empty when it passed. */
  readonly reasons: readonly string[];
  /** What did not fail but deserves a look (missing data with `requireData: false`, firing tiers). */
  readonly warnings: readonly string[];
  /** Every check run, passed or not. */
  readonly checks: readonly GateCheck[];
  readonly status: DataStatus;
  /** Objective in percent. */
  readonly objective: number;
  readonly sli?: number;
  readonly budgetRemaining?: number;
  /** Burn rate per window (`undefined` = no data). */
  readonly burnRates: Readonly<Record<string, number | undefined>>;
  /** The window of the burn-rate check and its burn rate. */
  readonly burnRateWindow: string;
  readonly burnRate?: number;
  readonly timeToExhaustionSeconds?: number;
  /** Ids of the alert tiers whose burn-rate condition holds now. */
  readonly firingTiers: readonly string[];
}

/** The gate's verdict. */
export interface GateResult {
  /** True when every SLO passed. */
  readonly passed: boolean;
  readonly slos: readonly SloGateResult[];
  /** Where the numbers came from. */
  readonly source: string;
  /** When the numbers hold. */
  readonly at: Date;
  readonly thresholds: ResolvedGateThresholds;
  /** Source-level warnings (e.g. results for unknown SLO ids). */
  readonly warnings: readonly string[];
}

/** Validates thresholds; throws `ERR_SREKIT_SLO_INVALID_ARGUMENT` on bad ones. */
export function resolveGateThresholds(thresholds: GateThresholds = {}): ResolvedGateThresholds {
  const { minBudgetRemaining = GATE_DEFAULTS.minBudgetRemaining, maxBurnRate } = thresholds;
  if (!Number.isFinite(minBudgetRemaining) || minBudgetRemaining > 1) {
    invalidArgument(
      'minBudgetRemaining',
      `${minBudgetRemaining} is not a ratio ≤ 1`,
      'Pass the share of the budget that must remain, e.g. 0.25 for 25 %.',
    );
  }
  if (maxBurnRate !== undefined && (!Number.isFinite(maxBurnRate) || maxBurnRate <= 0)) {
    invalidArgument(
      'maxBurnRate',
      `${maxBurnRate} is not a positive number`,
      'Pass a burn rate, e.g. 1 (the budget lasts exactly the period) or 14.4.',
    );
  }
  let burnRateWindow: string | undefined;
  if (thresholds.burnRateWindow !== undefined) {
    const seconds = parseDuration(thresholds.burnRateWindow);
    if (seconds === undefined) {
      invalidArgument(
        'burnRateWindow',
        `"${thresholds.burnRateWindow}" is not a Prometheus duration`,
        'Pass a window the rules record, e.g. "1h" or "6h".',
      );
    }
    burnRateWindow = formatDuration(seconds);
  }
  return {
    minBudgetRemaining,
    ...(maxBurnRate === undefined ? {} : { maxBurnRate }),
    ...(burnRateWindow === undefined ? {} : { burnRateWindow }),
    requireData: thresholds.requireData ?? GATE_DEFAULTS.requireData,
  };
}

/**
 * The release gate: reads every SLO's numbers from Prometheus (the generated recording rules)
 * or from a results file, and checks them against the thresholds. Resolves with a verdict per SLO
 * and overall; rejects only with `ERR_SREKIT_SLO_GATE_SOURCE` (source unreadable) or
 * `ERR_SREKIT_SLO_INVALID_ARGUMENT` (bad thresholds).
 *
 * @param specs - the SLOs to check (from `parseSloSpecs()`).
 * @param source - `{ prometheus: url, compat?, timeoutMs? }` or `{ results: file | path }`.
 * @param thresholds - see {@link GateThresholds}; defaults: budget not overspent, no burn-rate
 *   limit, missing data fails.
 * @example
 * const verdict = await evaluateGate(specs, { prometheus: 'http://localhost:9090' }, {
 *   minBudgetRemaining: 0.25,
 *   maxBurnRate: 2,
 * });
 * if (!verdict.passed) console.error(formatGateResult(verdict));
 */
export async function evaluateGate(
  specs: readonly SloSpec[],
  source: SloSource,
  thresholds: GateThresholds = {},
): Promise<GateResult> {
  const resolved = resolveGateThresholds(thresholds);
  if (specs.length === 0) {
    invalidArgument('specs', 'no SLOs were given', 'Pass at least one SLO spec to gate on.');
  }
  const data = await collectSloData(
    specs,
    source,
    resolved.burnRateWindow ? { forecastWindow: resolved.burnRateWindow } : {},
  );
  return gateFromData(specs, data, resolved);
}

/**
 * The gate's checks on numbers already collected with `collectSloData()` (so one collection can
 * feed both the gate and the report). Pure.
 */
export function gateFromData(
  specs: readonly SloSpec[],
  data: SloDataSet,
  thresholds: GateThresholds = {},
): GateResult {
  const resolved = resolveGateThresholds(thresholds);
  const byId = new Map(data.slos.map((slo) => [slo.sloId, slo]));
  const slos = specs.map((spec) => {
    const slo = byId.get(spec.id);
    if (!slo) {
      invalidArgument(
        'data',
        `it has no numbers for SLO "${spec.id}"`,
        'Collect the data with the same specs that are passed to the gate.',
      );
    }
    return gateSlo(spec, slo, data, resolved);
  });
  return {
    passed: slos.every((slo) => slo.passed),
    slos,
    source: data.source,
    at: data.at,
    thresholds: resolved,
    warnings: data.warnings,
  };
}

function noDataReason(spec: SloSpec, slo: SloData, data: SloDataSet): string {
  switch (slo.status) {
    case 'no-rules':
      return `no data: ${data.source} has no slo:* series labelled with this SLO's id; load the generated rules (srekit generate) into Prometheus, and query with the compat mode they were generated in (${RULE_LABELS.srekit.id} or ${RULE_LABELS.sloth.id} labels)`;
    case 'not-in-results':
      return `no data: ${data.source} has no entry "${spec.id}"; add its good/total counts or fix the id (<service>-<name>)`;
    default:
      return `no data: no traffic in the ${slo.periodText} period (0 events), so the budget is unknown; check the SLI query`;
  }
}

function gateSlo(
  spec: SloSpec,
  slo: SloData,
  data: SloDataSet,
  thresholds: ResolvedGateThresholds,
): SloGateResult {
  const checks: GateCheck[] = [];
  const warnings: string[] = [...slo.warnings];
  const missing = (message: string): void => {
    checks.push({ check: 'data', passed: !thresholds.requireData, message });
    if (!thresholds.requireData) warnings.push(`${message} (passing: missing data is allowed)`);
  };

  const remaining = slo.budgetRemaining;
  const min = thresholds.minBudgetRemaining;
  if (remaining === undefined) {
    missing(noDataReason(spec, slo, data));
  } else {
    const sli = `SLI ${formatSli(slo.sli)} vs objective ${formatSli(slo.objective / 100)}`;
    const left =
      remaining < 0
        ? `error budget overspent: remaining ${formatPercent(remaining)} of ${formatSeconds(slo.budgetSeconds)} over ${slo.periodText} (${sli})`
        : `error budget remaining ${formatPercent(remaining)} (${formatSeconds(
            remaining * slo.budgetSeconds,
          )} of ${formatSeconds(slo.budgetSeconds)} over ${slo.periodText}; ${sli})`;
    if (remaining < min) {
      checks.push({
        check: 'budget',
        passed: false,
        message: `${left}${remaining < 0 ? ',' : ' is'} below the minimum ${formatPercent(min)}`,
      });
    } else {
      checks.push({
        check: 'budget',
        passed: true,
        message: `${left} meets the minimum ${formatPercent(min)}`,
      });
    }
  }

  const window = thresholds.burnRateWindow ?? defaultBurnRateWindow(spec);
  let burn = slo.burnRates[window];
  let burnWindow = window;
  if (burn === undefined && data.kind === 'results' && slo.burnRates[slo.period] !== undefined) {
    // A results file usually covers one test run: its whole run stands in for the window.
    burn = slo.burnRates[slo.period];
    burnWindow = `${slo.periodText} (the whole results; no ${window} counts given)`;
  }
  if (thresholds.maxBurnRate !== undefined) {
    const max = thresholds.maxBurnRate;
    if (burn === undefined) {
      if (remaining !== undefined) {
        missing(
          `no data: no burn rate over ${window} (no traffic in that window, or the rules do not record ${window}); check the SLI query or pick a recorded window`,
        );
      }
    } else {
      const ratio = burn * slo.allowedErrorRatio;
      const base = `burn rate over ${burnWindow} is ${formatBurnRate(burn)} (error ratio ${formatErrorRatio(ratio)}, allowed ${formatErrorRatio(slo.allowedErrorRatio)})`;
      if (burn > max) {
        const lasts = burn > 0 ? slo.periodSeconds / burn : undefined;
        checks.push({
          check: 'burn-rate',
          passed: false,
          message: `${base}, above the maximum ${formatBurnRate(max)}: at this rate a full budget is gone in ${formatSeconds(lasts)}`,
        });
      } else {
        checks.push({
          check: 'burn-rate',
          passed: true,
          message: `${base}, within the maximum ${formatBurnRate(max)}`,
        });
      }
    }
  }

  const firingTiers = slo.tiers.filter((t) => t.firing === true).map((t) => t.id);
  for (const tier of slo.tiers.filter((t) => t.firing === true)) {
    warnings.push(
      `tier ${tier.id} (${tier.severity}) is firing: burn ${formatBurnRate(tier.longBurnRate)} over ${tier.longWindow} and ${formatBurnRate(tier.shortBurnRate)} over ${tier.shortWindow}, above ${formatBurnRate(tier.burnFactor)}`,
    );
  }

  const reasons = checks.filter((c) => !c.passed).map((c) => c.message);
  return {
    sloId: spec.id,
    passed: reasons.length === 0,
    reasons,
    warnings,
    checks,
    status: slo.status,
    objective: slo.objective,
    ...(slo.sli === undefined ? {} : { sli: slo.sli }),
    ...(remaining === undefined ? {} : { budgetRemaining: remaining }),
    burnRates: slo.burnRates,
    burnRateWindow: window,
    ...(burn === undefined ? {} : { burnRate: burn }),
    ...(slo.timeToExhaustionSeconds === undefined
      ? {}
      : { timeToExhaustionSeconds: slo.timeToExhaustionSeconds }),
    firingTiers,
  };
}

/**
 * The verdict as plain text for a terminal or CI log: one line per SLO (`PASS`/`FAIL`), its
 * reasons and warnings indented below, and a closing line.
 *
 * @example
 * FAIL checkout-availability
 *   - error budget remaining 12.5 % (5m 24s of 43m 12s over 30d; …) is below the minimum 25 %
 * gate failed: 1 of 2 SLOs failed (Prometheus at http://localhost:9090)
 */
export function formatGateResult(result: GateResult): string {
  const lines: string[] = [];
  for (const slo of result.slos) {
    lines.push(`${slo.passed ? 'PASS' : 'FAIL'} ${slo.sloId}`);
    for (const reason of slo.reasons) lines.push(`  - ${reason}`);
    if (slo.passed) {
      for (const check of slo.checks.filter((c) => c.passed && c.check !== 'data')) {
        lines.push(`  ok ${check.message}`);
      }
    }
    for (const warning of slo.warnings) lines.push(`  warning: ${warning}`);
  }
  for (const warning of result.warnings) lines.push(`warning: ${warning}`);
  const failed = result.slos.filter((s) => !s.passed).length;
  lines.push(
    result.passed
      ? `gate passed: ${result.slos.length} SLO${result.slos.length === 1 ? '' : 's'} checked (${result.source})`
      : `gate failed: ${failed} of ${result.slos.length} SLO${result.slos.length === 1 ? '' : 's'} failed (${result.source})`,
  );
  return `${lines.join('\n')}\n`;
}
