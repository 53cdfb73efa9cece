import { allowedErrorRatio, objectiveRatio, objectiveText } from './decimal.js';
import { invalidArgument } from './errors.js';
import type { SloWindow } from './types.js';
import { windowSeconds } from './window.js';

/** Input of {@link errorBudget}. */
export interface ErrorBudgetInput {
  /** Objective in percent (`99.9`), as a number or as decimal text (`"99.95"`). */
  readonly objective: number | string;
  /** The SLO period: a duration (`30d`), seconds, or a `SloWindow`. */
  readonly window: SloWindow | string | number;
  /** Events in the period so far (optional). With it, the event budget and consumption are computed. */
  readonly total?: number;
  /** Good events among `total`. Give `good` or `bad`, not both (if both, `bad` wins). */
  readonly good?: number;
  /** Bad events among `total`. */
  readonly bad?: number;
}

/**
 * An SLO's error budget. Fields that need traffic are `undefined` when `total` is absent or zero:
 * zero traffic is "no data", never NaN or Infinity.
 */
export interface ErrorBudget {
  /** Objective in percent, e.g. 99.9. */
  readonly objective: number;
  /** Objective as a ratio, e.g. 0.999. */
  readonly objectiveRatio: number;
  /** Allowed error ratio, exact: 99.9 → 0.001 (not 0.0009999999999999432). */
  readonly allowedErrorRatio: number;
  /** Period length in seconds. */
  readonly windowSeconds: number;
  /** Budget as time of full outage: allowed ratio × period (99.9 % over 30 d → 2592 s = 43.2 min). */
  readonly budgetSeconds: number;
  /** Budget in events for the given `total` (0.001 × total). */
  readonly budgetEvents?: number;
  /** Observed good ÷ total. */
  readonly sli?: number;
  /** Observed bad ÷ total. */
  readonly errorRatio?: number;
  /** Share of the budget spent: error ratio ÷ allowed ratio (1 = exactly spent, may exceed 1). */
  readonly consumed?: number;
  /** 1 − consumed (negative once overspent). */
  readonly remaining?: number;
}

function count(name: string, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isFinite(value) || value < 0) {
    invalidArgument(
      name,
      `${value} is not a non-negative finite number`,
      `Pass a count of events ≥ 0.`,
    );
  }
  return value;
}

/**
 * The error budget of an objective over a period and, given observed events, how much of it is
 * spent. The objective is handled as an exact decimal.
 *
 * SRE Workbook, ch. 5: 99.9 % over 30 days allows an error ratio of 0.001, a budget of 43.2 minutes
 * (2592 s) of full outage, or 1 000 bad events in 1 000 000.
 *
 * @example
 * errorBudget({ objective: 99.9, window: '30d' }).budgetSeconds // 2592
 * errorBudget({ objective: 99.9, window: '30d', total: 1_000_000, bad: 250 }).remaining // 0.75
 */
export function errorBudget(input: ErrorBudgetInput): ErrorBudget {
  const allowed = allowedErrorRatio(input.objective);
  const ratio = objectiveRatio(input.objective);
  const text = objectiveText(input.objective);
  if (allowed === undefined || ratio === undefined || text === undefined) {
    invalidArgument(
      'objective',
      `${String(input.objective)} is not a percentage strictly between 0 and 100`,
      'Pass the objective in percent, e.g. 99.9.',
    );
  }
  const seconds = windowSeconds(input.window);
  const total = count('total', input.total);
  const bad = count('bad', input.bad);
  const good = count('good', input.good);
  const base: ErrorBudget = {
    objective: Number(text),
    objectiveRatio: ratio,
    allowedErrorRatio: allowed,
    windowSeconds: seconds,
    budgetSeconds: exactProduct(text, seconds),
  };
  if (total === undefined) return base;
  const budgetEvents = allowed * total;
  if (total === 0) return { ...base, budgetEvents: 0 };
  const badEvents = bad ?? (good === undefined ? undefined : total - good);
  if (badEvents === undefined) return { ...base, budgetEvents };
  if (badEvents > total) {
    invalidArgument(
      'bad',
      `${badEvents} bad events exceed the total of ${total}`,
      'Pass bad ≤ total (or good ≤ total).',
    );
  }
  if (badEvents < 0) {
    invalidArgument(
      'good',
      `${good} good events exceed the total of ${total}`,
      'Pass good ≤ total.',
    );
  }
  const errorRatio = badEvents / total;
  const consumed = errorRatio / allowed;
  return {
    ...base,
    budgetEvents,
    sli: 1 - errorRatio,
    errorRatio,
    consumed,
    remaining: 1 - consumed,
  };
}

/**
 * (100 − objective) ÷ 100 × seconds without binary rounding when the result is representable
 * (99.9 % of 30 d → exactly 2592).
 */
function exactProduct(objective: string, seconds: number): number {
  const [whole = '0', fraction = ''] = objective.split('.');
  const scale = fraction.length + 2;
  const mantissa = 100n * 10n ** BigInt(fraction.length) - BigInt(whole + fraction);
  if (Number.isInteger(seconds)) {
    const product = mantissa * BigInt(seconds);
    const divisor = 10n ** BigInt(scale);
    const quotient = product / divisor;
    const rest = product % divisor;
    return Number(quotient) + Number(rest) / Number(divisor);
  }
  return (Number(mantissa) / 10 ** scale) * seconds;
}
