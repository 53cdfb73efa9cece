import { allowedErrorRatio } from './decimal.js';
import { DEFAULT_ALERT_TIERS } from './defaults.js';
import { invalidArgument } from './errors.js';
import type { AlertTier, SloWindow } from './types.js';
import { windowSeconds } from './window.js';

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    invalidArgument(
      name,
      `${value} is not a positive finite number`,
      'Pass a number greater than 0.',
    );
  }
  return value;
}

/**
 * Burn rate: how fast the budget is spent relative to spending it exactly over the period. The
 * observed error ratio ÷ the allowed error ratio; 1 spends the whole budget in exactly one period,
 * 14.4 spends 2 % of a 30-day budget in one hour.
 *
 * Returns `undefined` when `errorRatio` is `undefined` (no traffic: no data).
 *
 * @example burnRate(0.0144, 0.001) // 14.4
 */
export function burnRate(
  errorRatio: number | undefined,
  allowedErrorRatio: number,
): number | undefined {
  positive('allowedErrorRatio', allowedErrorRatio);
  if (errorRatio === undefined) return undefined;
  if (!Number.isFinite(errorRatio) || errorRatio < 0) {
    invalidArgument(
      'errorRatio',
      `${errorRatio} is not a ratio ≥ 0`,
      'Pass bad ÷ total, or undefined when there was no traffic.',
    );
  }
  return errorRatio / allowedErrorRatio;
}

/**
 * Burn rate from event counts; `undefined` when `total` is 0 (no data).
 *
 * @example burnRateFromEvents({ bad: 6, total: 1000 }, 0.001) // 6
 */
export function burnRateFromEvents(
  events: { readonly bad: number; readonly total: number },
  allowedErrorRatio: number,
): number | undefined {
  const { bad, total } = events;
  if (!Number.isFinite(total) || total < 0 || !Number.isFinite(bad) || bad < 0 || bad > total) {
    invalidArgument(
      'events',
      `bad=${bad}, total=${total} are not counts with 0 ≤ bad ≤ total`,
      'Pass event counts.',
    );
  }
  return total === 0 ? undefined : burnRate(bad / total, allowedErrorRatio);
}

/**
 * The burn-rate threshold at which `budgetFraction` of the period's budget is spent within
 * `longWindow`: `budgetFraction × window ÷ longWindow`.
 *
 * SRE Workbook (30 d): 2 % in 1 h → 14.4, 5 % in 6 h → 6, 10 % in 1 d → 3, 10 % in 3 d → 1.
 * For 28 d: 13.44, 5.6, 2.8, 0.9333…
 *
 * @example burnFactor(0.02, '30d', '1h') // 14.4
 */
export function burnFactor(
  budgetFraction: number,
  window: SloWindow | string | number,
  longWindow: string | number,
): number {
  if (!Number.isFinite(budgetFraction) || budgetFraction <= 0 || budgetFraction > 1) {
    invalidArgument(
      'budgetFraction',
      `${budgetFraction} is not in (0, 1]`,
      'Pass the share of the budget, e.g. 0.02 for 2 %.',
    );
  }
  const period = windowSeconds(window);
  const long = windowSeconds(longWindow);
  return snapDecimal(budgetFraction * (period / long));
}

/**
 * The shortest decimal within a few ulps of `value`, so `0.02 × 720` reads 14.4 and not
 * 14.399999999999999; values without a short form are returned unchanged.
 */
function snapDecimal(value: number): number {
  for (let digits = 1; digits <= 15; digits += 1) {
    const candidate = Number(value.toPrecision(digits));
    if (Math.abs(candidate - value) <= 4 * Number.EPSILON * Math.abs(value)) return candidate;
  }
  return value;
}

/** Input of {@link timeToExhaustion}. */
export interface TimeToExhaustionInput {
  /** Current burn rate; `undefined` means no data. */
  readonly burnRate: number | undefined;
  /** Period length (seconds, duration text or `SloWindow`). */
  readonly window: SloWindow | string | number;
  /** Share of the budget left, default 1 (a full budget). */
  readonly budgetRemaining?: number;
}

/**
 * Seconds until the budget is gone at a constant burn rate: `remaining × window ÷ burnRate`.
 * A full 30-day budget at 14.4× lasts 50 h, at 6× 5 days, at 1× 30 days.
 *
 * Returns `undefined` when there is no data or the budget is not being spent (burn rate ≤ 0), and
 * 0 when the budget is already gone.
 *
 * @example timeToExhaustion({ burnRate: 6, window: '30d' }) // 432000 (5 days)
 */
export function timeToExhaustion(input: TimeToExhaustionInput): number | undefined {
  const { burnRate: rate, budgetRemaining = 1 } = input;
  const period = windowSeconds(input.window);
  if (rate === undefined || !Number.isFinite(rate) || rate <= 0) return undefined;
  if (!Number.isFinite(budgetRemaining)) return undefined;
  if (budgetRemaining <= 0) return 0;
  return (budgetRemaining * period) / rate;
}

/**
 * How long a constant error ratio (1 = full outage) takes to make a tier fire, when both of its
 * windows start from zero errors: the later of the two windows reaching `factor × allowed`.
 * `undefined` when the tier can never fire at that error ratio.
 *
 * SRE Workbook: at 99.9 % a full outage fires the 14.4× tier after 0.0144 × 1 h ≈ 52 s.
 */
export function detectionTime(
  tier: Pick<AlertTier, 'longWindowSeconds' | 'shortWindowSeconds'>,
  factor: number,
  allowedErrorRatio: number,
  errorRatio = 1,
): number | undefined {
  positive('factor', factor);
  positive('allowedErrorRatio', allowedErrorRatio);
  positive('errorRatio', errorRatio);
  const threshold = factor * allowedErrorRatio;
  if (threshold > errorRatio) return undefined;
  const share = threshold / errorRatio;
  return Math.max(share * tier.longWindowSeconds, share * tier.shortWindowSeconds);
}

/** One row of {@link alertTierTable}. */
export interface AlertTierRow extends AlertTier {
  /** Burn-rate threshold of the tier for the period. */
  readonly burnFactor: number;
  /** How long a full budget lasts at exactly this burn rate. */
  readonly exhaustsBudgetInSeconds: number;
  /** Error ratio at which the tier fires (factor × allowed), when an objective is given. */
  readonly errorRatioThreshold?: number;
  /** False when the threshold exceeds 1: the tier can never fire (the workbook's 90 % case). */
  readonly reachable?: boolean;
  /** Seconds a full outage takes to fire the tier, when an objective is given and it can fire. */
  readonly detectionSeconds?: number;
}

/**
 * The multi-window, multi-burn-rate table for any period (SRE Workbook table 5-8 for 30 days:
 * 14.4 / 6 / 3 / 1). Give `objective` to also get each tier's error-ratio threshold, whether it
 * can fire at all, and its detection time for a full outage.
 *
 * @example alertTierTable('28d').map((row) => row.burnFactor) // [13.44, 5.6, 2.8, 0.9333…]
 */
export function alertTierTable(
  window: SloWindow | string | number,
  options: { readonly objective?: number | string; readonly tiers?: readonly AlertTier[] } = {},
): AlertTierRow[] {
  const period = windowSeconds(window);
  const tiers = options.tiers ?? DEFAULT_ALERT_TIERS;
  let allowed: number | undefined;
  if (options.objective !== undefined) {
    allowed = allowedErrorRatio(options.objective);
    if (allowed === undefined) {
      invalidArgument(
        'objective',
        `${String(options.objective)} is not a percentage in (0, 100)`,
        'Pass e.g. 99.9.',
      );
    }
  }
  return tiers.map((tier) => {
    const factor = burnFactor(tier.budgetFraction, period, tier.longWindowSeconds);
    const row: AlertTierRow = {
      ...tier,
      burnFactor: factor,
      exhaustsBudgetInSeconds: period / factor,
    };
    if (allowed === undefined) return row;
    const threshold = factor * allowed;
    const detection = detectionTime(tier, factor, allowed);
    return {
      ...row,
      errorRatioThreshold: threshold,
      reachable: threshold <= 1,
      ...(detection === undefined ? {} : { detectionSeconds: detection }),
    };
  });
}
