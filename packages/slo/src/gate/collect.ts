import { burnFactor, burnRate, burnRateFromEvents, timeToExhaustion } from '../burn-rate.js';
import { GATE_DEFAULTS } from '../defaults.js';
import { formatDuration, parseDuration } from '../duration.js';
import { errorBudget } from '../error-budget.js';
import { RULE_LABELS, RULES } from '../metrics.js';
import { calendarSuffix } from '../rules/calendar.js';
import type { SloSpec } from '../types.js';
import { windowSeconds } from '../window.js';
import { type InstantSample, queryInstant, sourceError } from './prometheus-api.js';
import {
  type EventCounts,
  type ResultsFile,
  readResultsFile,
  validateResultsFile,
} from './results-file.js';
import type {
  DataStatus,
  PrometheusSource,
  ResultsSource,
  SloData,
  SloDataSet,
  SloSource,
  TierStatus,
  WindowData,
} from './slo-data.js';

const FALLBACK_BURN_WINDOW_SECONDS = 3_600;

/**
 * The window the gate's burn-rate check and the exhaustion forecast read by default: the
 * shortest long window of the SLO's enabled page tiers (`1h` for the workbook's page-fast tier),
 * or `1h` when the SLO pages on nothing. It is the window `slo:time_to_exhaustion:seconds`
 * extrapolates, and it answers "is the budget burning right now", which the period's burn rate
 * (the same number as the budget already spent) cannot.
 */
export function defaultBurnRateWindow(spec: SloSpec): string {
  const longs = spec.alerting.page.enabled
    ? spec.alerting.tiers
        .filter((t) => t.enabled && t.severity === 'page')
        .map((t) => t.longWindowSeconds)
    : [];
  return formatDuration(longs.length > 0 ? Math.min(...longs) : FALLBACK_BURN_WINDOW_SECONDS);
}

/** Options of {@link collectSloData}. */
export interface CollectOptions {
  /**
   * Window whose burn rate drives the exhaustion forecast when the source has no
   * `slo:time_to_exhaustion:seconds` (Sloth rules, results files). Default
   * {@link defaultBurnRateWindow} per SLO.
   */
  readonly forecastWindow?: string;
}

/**
 * Reads every SLO's numbers (budget remaining, SLI, error ratio and burn rate per window, time
 * to exhaustion, firing tiers) from Prometheus or from a results file. The gate and the report
 * both start here.
 *
 * Zero traffic gives `undefined` numbers and `status: 'no-traffic'`, never NaN or Infinity.
 * Source failures (unreachable Prometheus, HTTP or JSON errors, an invalid results file) reject
 * with `ERR_SREKIT_SLO_GATE_SOURCE`.
 *
 * @example
 * const data = await collectSloData(specs, { prometheus: 'http://localhost:9090' });
 * data.slos[0]?.budgetRemaining // 0.83
 */
export async function collectSloData(
  specs: readonly SloSpec[],
  source: SloSource,
  options: CollectOptions = {},
): Promise<SloDataSet> {
  if ('prometheus' in source) return collectFromPrometheus(specs, source, options);
  return collectFromResults(specs, source, options);
}

interface SloBasics {
  readonly allowed: number;
  /** Key of the period among the windows: `30d`, or `month` for a calendar month. */
  readonly period: string;
  readonly periodText: string;
  readonly periodSeconds: number;
  readonly budgetSeconds: number;
  readonly objective: number;
}

function basics(spec: SloSpec): SloBasics {
  const budget = errorBudget({ objective: spec.objectiveText, window: spec.window });
  const periodSeconds = windowSeconds(spec.window);
  return {
    allowed: budget.allowedErrorRatio,
    period: spec.window.kind === 'calendar' ? spec.window.unit : formatDuration(periodSeconds),
    periodText: spec.window.text,
    periodSeconds,
    budgetSeconds: budget.budgetSeconds,
    objective: budget.objective,
  };
}

/** Windows a spec's tiers read, plus its period, as duration text → seconds. */
function expectedWindows(spec: SloSpec, base: SloBasics): Map<string, number> {
  const windows = new Map<string, number>([[base.period, base.periodSeconds]]);
  for (const tier of spec.alerting.tiers) {
    if (!tier.enabled) continue;
    windows.set(formatDuration(tier.longWindowSeconds), tier.longWindowSeconds);
    windows.set(formatDuration(tier.shortWindowSeconds), tier.shortWindowSeconds);
  }
  return windows;
}

/** Burn rate that tolerates what Prometheus may hand back (tiny negatives from float noise). */
function safeBurn(errorRatio: number | undefined, allowed: number): number | undefined {
  if (errorRatio === undefined || !Number.isFinite(errorRatio)) return undefined;
  return burnRate(Math.max(0, errorRatio), allowed);
}

function tierStatuses(
  spec: SloSpec,
  base: SloBasics,
  burns: Readonly<Record<string, number | undefined>>,
): TierStatus[] {
  return spec.alerting.tiers.map((tier) => {
    const factor = burnFactor(tier.budgetFraction, base.periodSeconds, tier.longWindowSeconds);
    const longWindow = formatDuration(tier.longWindowSeconds);
    const shortWindow = formatDuration(tier.shortWindowSeconds);
    const longBurnRate = burns[longWindow];
    const shortBurnRate = burns[shortWindow];
    // A tier of a disabled alert (Sloth's `disable: true`) is never generated, so never fires.
    const enabled = tier.enabled && spec.alerting[tier.severity].enabled;
    const firing = !enabled
      ? false
      : longBurnRate === undefined || shortBurnRate === undefined
        ? undefined
        : longBurnRate > factor && shortBurnRate > factor;
    return {
      id: tier.id,
      severity: tier.severity,
      burnFactor: factor,
      longWindow,
      shortWindow,
      ...(longBurnRate === undefined ? {} : { longBurnRate }),
      ...(shortBurnRate === undefined ? {} : { shortBurnRate }),
      firing,
      reachable: factor * base.allowed <= 1,
      enabled,
    };
  });
}

function forecast(
  base: SloBasics,
  budgetRemaining: number | undefined,
  burns: Readonly<Record<string, number | undefined>>,
  window: string,
): number | undefined {
  if (budgetRemaining !== undefined && budgetRemaining <= 0) return 0;
  return timeToExhaustion({
    burnRate: burns[window],
    window: base.periodSeconds,
    budgetRemaining: budgetRemaining ?? 1,
  });
}

function assemble(
  spec: SloSpec,
  base: SloBasics,
  status: DataStatus,
  windows: WindowData[],
  extra: {
    readonly errorRatio?: number;
    readonly budgetRemaining?: number;
    readonly timeToExhaustionSeconds?: number;
    readonly forecastBasis: string;
    readonly events?: { readonly good: number; readonly total: number };
    readonly warnings: readonly string[];
  },
): SloData {
  windows.sort((a, b) => a.seconds - b.seconds);
  const burnRates: Record<string, number | undefined> = {};
  for (const w of windows) burnRates[w.window] = w.burnRate;
  const { errorRatio, budgetRemaining, timeToExhaustionSeconds } = extra;
  return {
    sloId: spec.id,
    status,
    objective: base.objective,
    allowedErrorRatio: base.allowed,
    period: base.period,
    periodText: base.periodText,
    periodSeconds: base.periodSeconds,
    budgetSeconds: base.budgetSeconds,
    ...(errorRatio === undefined ? {} : { errorRatio, sli: 1 - errorRatio }),
    ...(budgetRemaining === undefined ? {} : { budgetRemaining }),
    windows,
    burnRates,
    ...(timeToExhaustionSeconds === undefined ? {} : { timeToExhaustionSeconds }),
    forecastBasis: extra.forecastBasis,
    tiers: tierStatuses(spec, base, burnRates),
    ...(extra.events ? { events: extra.events } : {}),
    warnings: extra.warnings,
  };
}

// ---------------------------------------------------------------------------------------------
// Prometheus

/** Escapes text for a RE2 regex inside a double-quoted PromQL string. */
function promRegexLiteral(values: readonly string[]): string {
  const regex = values.map((v) => v.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&')).join('|');
  return JSON.stringify(regex);
}

/**
 * The one instant query the collection runs: every `slo:*` series of the given SLOs.
 * Exported for docs and tests.
 */
export function sloSeriesQuery(sloIds: readonly string[], compat: 'srekit' | 'sloth'): string {
  return `{__name__=~"slo:.+",${RULE_LABELS[compat].id}=~${promRegexLiteral(sloIds)}}`;
}

type Choose = 'max' | 'min';

async function collectFromPrometheus(
  specs: readonly SloSpec[],
  source: PrometheusSource,
  options: CollectOptions,
): Promise<SloDataSet> {
  const compat = source.compat ?? GATE_DEFAULTS.compat;
  const idLabel = RULE_LABELS[compat].id;
  const at = source.time ?? new Date();
  const samples =
    specs.length === 0
      ? []
      : await queryInstant(source.prometheus, sloSeriesQuery(unique(specs), compat), {
          ...(source.timeoutMs === undefined ? {} : { timeoutMs: source.timeoutMs }),
          ...(source.fetch ? { fetch: source.fetch } : {}),
          ...(source.headers ? { headers: source.headers } : {}),
          time: at,
        });

  const byId = new Map<string, Map<string, InstantSample[]>>();
  for (const sample of samples) {
    const id = sample.metric[idLabel];
    const name = sample.metric.__name__;
    if (id === undefined || name === undefined) continue;
    const names = byId.get(id) ?? new Map<string, InstantSample[]>();
    byId.set(id, names);
    const list = names.get(name) ?? [];
    list.push(sample);
    names.set(name, list);
  }

  const slos = specs.map((spec): SloData => {
    const base = basics(spec);
    const names = byId.get(spec.id) ?? new Map<string, InstantSample[]>();
    const warnings: string[] = [];
    const value = (name: string, pick: Choose): number | undefined => {
      const list = names.get(name);
      if (!list || list.length === 0) return undefined;
      const values = list.map((s) => s.value).filter((v): v is number => v !== undefined);
      if (list.length > 1) {
        warnings.push(
          `${list.length} series of ${name} carry ${idLabel}="${spec.id}"; the ${pick === 'max' ? 'highest' : 'lowest'} value is used (rules loaded twice, or extra labels such as a cluster)`,
        );
      }
      if (values.length === 0) return undefined;
      return pick === 'max' ? Math.max(...values) : Math.min(...values);
    };

    const ruleBudget = value(RULES.errorBudget, 'max');
    if (ruleBudget !== undefined && Math.abs(ruleBudget - base.allowed) > 1e-12) {
      warnings.push(
        `Prometheus records ${RULES.errorBudget} ${ruleBudget} but objective ${spec.objectiveText} % allows ${base.allowed}: the loaded rules are older than the spec; regenerate and reload them`,
      );
    }

    const windowSet = expectedWindows(spec, base);
    for (const name of names.keys()) {
      if (!name.startsWith(RULES.sliErrorPrefix)) continue;
      const text = name.slice(RULES.sliErrorPrefix.length);
      const seconds = parseDuration(text);
      if (seconds !== undefined && !windowSet.has(text)) windowSet.set(text, seconds);
    }
    const ruleName = (window: string): string => {
      if (window !== base.period || spec.window.kind !== 'calendar') return RULES.sliError(window);
      // srekit names a calendar period's rule by its unit; Sloth only knows rolling windows.
      return RULES.sliError(
        compat === 'srekit' ? calendarSuffix(spec.window) : formatDuration(base.periodSeconds),
      );
    };
    const windows: WindowData[] = [...windowSet].map(([window, seconds]) => {
      const errorRatio = value(ruleName(window), 'max');
      const burn = safeBurn(errorRatio, base.allowed);
      return {
        window,
        seconds,
        period: window === base.period,
        ...(errorRatio === undefined ? {} : { errorRatio: Math.max(0, errorRatio) }),
        ...(burn === undefined ? {} : { burnRate: burn }),
      };
    });

    const periodErrorRatio = windows.find((w) => w.period)?.errorRatio;
    let budgetRemaining = value(RULES.periodBudgetRemaining, 'min');
    if (budgetRemaining === undefined && periodErrorRatio !== undefined) {
      budgetRemaining = 1 - periodErrorRatio / base.allowed;
    }
    const errorRatio =
      periodErrorRatio ??
      (budgetRemaining === undefined ? undefined : (1 - budgetRemaining) * base.allowed);

    const status: DataStatus =
      names.size === 0 ? 'no-rules' : budgetRemaining === undefined ? 'no-traffic' : 'ok';

    const burns = Object.fromEntries(windows.map((w) => [w.window, w.burnRate]));
    const forecastWindow = options.forecastWindow ?? defaultBurnRateWindow(spec);
    let timeToExhaustionSeconds: number | undefined;
    let forecastBasis = forecastWindow;
    if (names.has(RULES.timeToExhaustion)) {
      forecastBasis = RULES.timeToExhaustion;
      const ruleValue = value(RULES.timeToExhaustion, 'min');
      timeToExhaustionSeconds =
        budgetRemaining !== undefined && budgetRemaining <= 0
          ? 0
          : ruleValue === undefined
            ? undefined
            : Math.max(0, ruleValue);
    } else {
      timeToExhaustionSeconds = forecast(base, budgetRemaining, burns, forecastWindow);
    }

    return assemble(spec, base, status, windows, {
      ...(errorRatio === undefined ? {} : { errorRatio }),
      ...(budgetRemaining === undefined ? {} : { budgetRemaining }),
      ...(timeToExhaustionSeconds === undefined ? {} : { timeToExhaustionSeconds }),
      forecastBasis,
      warnings,
    });
  });

  return {
    source: `Prometheus at ${source.prometheus}`,
    kind: 'prometheus',
    at,
    slos,
    warnings: [],
  };
}

function unique(specs: readonly SloSpec[]): string[] {
  return [...new Set(specs.map((s) => s.id))];
}

// ---------------------------------------------------------------------------------------------
// Results file

function badOf(counts: EventCounts): number {
  return counts.bad ?? counts.total - (counts.good ?? counts.total);
}

async function collectFromResults(
  specs: readonly SloSpec[],
  source: ResultsSource,
  options: CollectOptions,
): Promise<SloDataSet> {
  const path = typeof source.results === 'string' ? source.results : undefined;
  const file: ResultsFile =
    typeof source.results === 'string' ? await readResultsFile(source.results) : source.results;
  if (path === undefined) {
    // A parsed object may not have gone through the file reader's validation.
    const { problems } = validateResultsFile(file);
    if (problems.length > 0) {
      throw sourceError(
        `The results object is not valid (${problems.map((p) => `${p.path}: ${p.message}`).join('; ')})`,
        problems.map((p) => p.fix).join(' '),
      );
    }
  }
  const known = new Set(specs.map((s) => s.id));
  const warnings = Object.keys(file.slos)
    .filter((id) => !known.has(id))
    .map(
      (id) =>
        `the results have counts for "${id}", which no spec defines; check the id (it is <service>-<name>)`,
    );

  const slos = specs.map((spec): SloData => {
    const base = basics(spec);
    const entry = file.slos[spec.id];
    const forecastWindow = options.forecastWindow ?? defaultBurnRateWindow(spec);
    if (!entry) {
      const windows: WindowData[] = [
        { window: base.period, seconds: base.periodSeconds, period: true },
      ];
      return assemble(spec, base, 'not-in-results', windows, {
        forecastBasis: forecastWindow,
        warnings: [],
      });
    }
    const bad = badOf(entry);
    const budget = errorBudget({
      objective: spec.objectiveText,
      window: spec.window,
      total: entry.total,
      bad,
    });
    // Only the windows the file counts: a window it leaves out is unknown, not idle.
    const windowSet = new Map<string, number>([[base.period, base.periodSeconds]]);
    const counted = new Map<string, EventCounts>();
    for (const [text, counts] of Object.entries(entry.windows ?? {})) {
      const seconds = parseDuration(text) as number;
      const normal = formatDuration(seconds);
      windowSet.set(normal, seconds);
      counted.set(normal, counts);
    }
    counted.set(base.period, counted.get(base.period) ?? entry);
    const windows: WindowData[] = [...windowSet].map(([window, seconds]) => {
      const counts = counted.get(window);
      if (!counts) return { window, seconds, period: window === base.period };
      const windowBad = badOf(counts);
      const burn = burnRateFromEvents({ bad: windowBad, total: counts.total }, base.allowed);
      return {
        window,
        seconds,
        period: window === base.period,
        events: { good: counts.total - windowBad, total: counts.total },
        ...(counts.total > 0 ? { errorRatio: windowBad / counts.total } : {}),
        ...(burn === undefined ? {} : { burnRate: burn }),
      };
    });
    const burns = Object.fromEntries(windows.map((w) => [w.window, w.burnRate]));
    // Without counts for the forecast window, extrapolate the whole run's burn rate.
    const basis = burns[forecastWindow] === undefined ? base.period : forecastWindow;
    const timeToExhaustionSeconds = forecast(base, budget.remaining, burns, basis);
    return assemble(spec, base, budget.remaining === undefined ? 'no-traffic' : 'ok', windows, {
      ...(budget.errorRatio === undefined ? {} : { errorRatio: budget.errorRatio }),
      ...(budget.remaining === undefined ? {} : { budgetRemaining: budget.remaining }),
      ...(timeToExhaustionSeconds === undefined ? {} : { timeToExhaustionSeconds }),
      forecastBasis: basis,
      events: { good: entry.total - bad, total: entry.total },
      warnings: [],
    });
  });

  const generatedAt = file.generatedAt ? new Date(file.generatedAt) : undefined;
  return {
    source: path ? `results file ${path}` : 'results',
    kind: 'results',
    at: generatedAt && !Number.isNaN(generatedAt.getTime()) ? generatedAt : new Date(),
    slos,
    warnings,
    ...(file.description ? { description: file.description } : {}),
  };
}
