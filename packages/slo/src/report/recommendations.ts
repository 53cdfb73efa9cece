import { errorRatioText, formatNumber } from '../decimal.js';
import type { SloData } from '../gate/slo-data.js';
import type { SloSpec } from '../types.js';
import {
  formatBurnRate,
  formatErrorRatio,
  formatPercent,
  formatSeconds,
  formatSli,
} from './format.js';

/** How urgent a recommendation is: `critical` needs action now, `info` is advice. */
export type RecommendationLevel = 'critical' | 'warning' | 'info';

/** One piece of advice, computed from an SLO's numbers, in plain words. */
export interface Recommendation {
  readonly level: RecommendationLevel;
  /** Stable kind, for filtering and tests (e.g. `budget-exhausted`, `tier-unreachable`). */
  readonly kind:
    | 'no-data'
    | 'budget-exhausted'
    | 'budget-low'
    | 'burning'
    | 'tier-unreachable'
    | 'budget-tiny'
    | 'window-no-traffic'
    | 'room-to-spend'
    | 'source-warning';
  readonly text: string;
}

/** Thresholds behind the recommendations. */
export const RECOMMENDATION_THRESHOLDS = {
  /** Below this share of the budget left, advise slowing down. */
  lowBudgetRemaining: 0.25,
  /** At or above this share left, with a burn rate below 1 over the period, say there is room. */
  roomBudgetRemaining: 0.75,
  /**
   * A whole budget shorter than this (seconds of full outage) is spent by one incident before a
   * person can respond: suggest one nine less. 10 minutes.
   */
  tinyBudgetSeconds: 600,
} as const;

/** `30d` → `a month`, for sentences about the period. */
export function periodPhrase(period: string, seconds: number): string {
  const day = 86_400;
  if (seconds === day) return 'a day';
  if (seconds === 7 * day) return 'a week';
  if (seconds === 30 * day || seconds === 31 * day) return 'a month';
  if (seconds === 90 * day || seconds === 91 * day || seconds === 92 * day) return 'a quarter';
  if (seconds === 365 * day) return 'a year';
  return `per ${period}`;
}

/** One nine less than an objective (`99.999` → `99.99`, `99.95` → `99.5`). */
export function oneNineLess(objectiveText: string): string | undefined {
  const allowed = errorRatioText(objectiveText);
  if (allowed === undefined) return undefined;
  const looser = Number(allowed) * 10;
  if (looser >= 1) return undefined;
  return formatNumber(Number((100 - looser * 100).toPrecision(12)));
}

/**
 * Advice for one SLO, computed from its numbers: missing data, an exhausted or low budget, the
 * burn rate in terms of when the budget is gone and which alert it deserves, tiers that can never
 * fire at this objective, a budget too small to act on, windows without traffic, and room to
 * take risks. Most urgent first. Never prints NaN or Infinity.
 */
export function recommend(spec: SloSpec, data: SloData): Recommendation[] {
  const out: Recommendation[] = [];
  const add = (level: RecommendationLevel, kind: Recommendation['kind'], text: string): void => {
    out.push({ level, kind, text });
  };

  switch (data.status) {
    case 'no-traffic':
      add(
        'warning',
        'no-data',
        `no traffic in the ${data.periodText} period: no data, check the SLI query${totalQueryHint(spec)}`,
      );
      break;
    case 'no-rules':
      add(
        'warning',
        'no-data',
        'no recorded series for this SLO: no data; load the generated rules into Prometheus and check they are evaluated (Status → Rules)',
      );
      break;
    case 'not-in-results':
      add(
        'warning',
        'no-data',
        `the results have no counts for "${spec.id}": no data; add them or fix the id`,
      );
      break;
    default:
      break;
  }

  const remaining = data.budgetRemaining;
  if (remaining !== undefined && remaining <= 0) {
    add(
      'critical',
      'budget-exhausted',
      `error budget exhausted (${formatPercent(remaining)} left, SLI ${formatSli(data.sli)} vs objective ${spec.objectiveText} %): the SLO is missed for this period; freeze risky releases and put the effort into reliability`,
    );
  } else if (remaining !== undefined && remaining < RECOMMENDATION_THRESHOLDS.lowBudgetRemaining) {
    add(
      'warning',
      'budget-low',
      `only ${formatPercent(remaining)} of the error budget left (${formatSeconds(remaining * data.budgetSeconds)} of full outage): slow down risky releases`,
    );
  }

  burning(data, add);

  for (const tier of data.tiers) {
    if (!tier.enabled || tier.reachable) continue;
    add(
      'warning',
      'tier-unreachable',
      `objective ${spec.objectiveText} %: the ${formatBurnRate(tier.burnFactor)} ${tier.severity} (${tier.id}) can never fire, it needs an error ratio of ${formatErrorRatio(tier.burnFactor * data.allowedErrorRatio)}; lower its budget fraction or rely on the slower tiers`,
    );
  }

  if (data.budgetSeconds < RECOMMENDATION_THRESHOLDS.tinyBudgetSeconds) {
    const looser = oneNineLess(spec.objectiveText);
    add(
      'warning',
      'budget-tiny',
      `objective ${spec.objectiveText} % leaves ${formatSeconds(data.budgetSeconds)} of budget ${periodPhrase(data.periodText, data.periodSeconds)}: one incident spends it before anyone can respond${looser ? `; consider ${looser} %` : ''}`,
    );
  }

  if (data.status === 'ok') {
    const silent = data.windows.filter((w) => !w.period && w.burnRate === undefined);
    const tierWindows = new Set(
      data.tiers.filter((t) => t.enabled).flatMap((t) => [t.longWindow, t.shortWindow]),
    );
    const affected = silent.filter((w) => tierWindows.has(w.window)).map((w) => w.window);
    if (affected.length > 0) {
      add(
        'info',
        'window-no-traffic',
        `no data over ${affected.join(', ')}: alert tiers reading ${affected.length === 1 ? 'that window' : 'those windows'} cannot fire; for low traffic, set a minimum traffic guard or add a synthetic probe`,
      );
    }
  }

  const periodBurn = data.burnRates[data.period];
  if (
    remaining !== undefined &&
    remaining >= RECOMMENDATION_THRESHOLDS.roomBudgetRemaining &&
    !data.tiers.some((t) => t.firing === true) &&
    (periodBurn === undefined || periodBurn < 1)
  ) {
    add(
      'info',
      'room-to-spend',
      `${formatPercent(remaining)} of the error budget left: room for risky changes (experiments, migrations, faster rollouts)`,
    );
  }

  for (const warning of data.warnings) add('warning', 'source-warning', warning);

  const order: Record<RecommendationLevel, number> = { critical: 0, warning: 1, info: 2 };
  return out.sort((a, b) => order[a.level] - order[b.level]);
}

function burning(
  data: SloData,
  add: (level: RecommendationLevel, kind: Recommendation['kind'], text: string) => void,
): void {
  const firing = data.tiers.filter((t) => t.firing === true);
  const page = firing.find((t) => t.severity === 'page');
  const tier = page ?? firing[0];
  if (tier && tier.longBurnRate !== undefined) {
    add(
      page ? 'critical' : 'warning',
      'burning',
      `at ${formatBurnRate(tier.longBurnRate)} burn (over ${tier.longWindow}) the budget is gone in ${formatSeconds(
        data.periodSeconds / tier.longBurnRate,
      )}${leftLasts(data, tier.longBurnRate)}: ${page ? 'page-worthy' : 'ticket-worthy'} (${tier.id} is firing)`,
    );
    return;
  }
  // Not firing: say when a steady burn above 1 would still miss the SLO within the period.
  const window = data.forecastBasis.startsWith('slo:') ? undefined : data.forecastBasis;
  const burn =
    window === undefined
      ? Math.max(...data.tiers.map((t) => t.longBurnRate ?? 0), 0)
      : (data.burnRates[window] ?? 0);
  if (burn > 1) {
    add(
      'info',
      'burning',
      `at ${formatBurnRate(burn)} burn the budget runs out before the ${data.periodText} period ends (a full budget lasts ${formatSeconds(
        data.periodSeconds / burn,
      )}${leftLasts(data, burn)}): no alert tier is firing, but watch it`,
    );
  }
}

function leftLasts(data: SloData, burn: number): string {
  const remaining = data.budgetRemaining;
  if (remaining === undefined || remaining >= 1 || remaining <= 0 || burn <= 0) return '';
  return `; the ${formatPercent(remaining)} left lasts ${formatSeconds((remaining * data.periodSeconds) / burn)}`;
}

function totalQueryHint(spec: SloSpec): string {
  const sli = spec.sli;
  if (sli.kind === 'events' || sli.kind === 'good-events') {
    return ` (total query: ${sli.totalQuery})`;
  }
  if (sli.kind === 'latency') return ` (${sli.metric}_count)`;
  return '';
}
