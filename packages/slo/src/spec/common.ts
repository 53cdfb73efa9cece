import { allowedErrorRatio } from '../decimal.js';
import { SLO_DEFAULTS } from '../defaults.js';
import { formatDuration, humanDuration } from '../duration.js';
import { SLO_ERROR_CODES } from '../errors.js';
import type { AlertTier, SloWindow } from '../types.js';
import type { ProblemInput } from './problems.js';
import type { FieldPath } from './yaml-source.js';

/**
 * The alert name srekit gives an SLO without one: its id in PascalCase (`checkout-availability`
 * → `CheckoutAvailability`), so alerts stay CamelCase as the monitoring-mixin conventions ask.
 */
export function generatedAlertName(id: string): string {
  const words = id.split(/[^A-Za-z0-9]+/).filter((word) => word.length > 0);
  const name = words.map((word) => word[0]?.toUpperCase() + word.slice(1)).join('');
  return /^[0-9]/.test(name) ? `Slo${name}` : name || 'Slo';
}

/** A lower-case, dash-separated form of a display name, for ids (`Fast 5xx!` → `fast-5xx`). */
export function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** Burn factor of a tier: budget fraction × window ÷ long window (14.4 for 2 % in 1 h of 30 d). */
export function tierBurnFactor(tier: AlertTier, windowSeconds: number): number {
  return (tier.budgetFraction * windowSeconds) / tier.longWindowSeconds;
}

/**
 * The workbook's two edge cases as warnings: enabled tiers that can never fire because they need
 * an error ratio above 100 % (low objectives), and objectives so high that a full outage spends
 * the whole budget in moments.
 */
export function objectiveWarnings(
  objectiveText: string,
  window: SloWindow,
  tiers: readonly AlertTier[],
  objectivePath: FieldPath,
): ProblemInput[] {
  const allowed = allowedErrorRatio(objectiveText);
  if (allowed === undefined) return [];
  const warnings: ProblemInput[] = [];
  const unreachable = tiers.filter(
    (tier) => tier.enabled && tierBurnFactor(tier, window.seconds) * allowed > 1,
  );
  if (unreachable.length > 0) {
    const detail = unreachable
      .map((tier) => {
        const factor = tierBurnFactor(tier, window.seconds);
        return `${tier.id} needs ${formatPercent(factor * allowed)} errors (burn ${round(factor)}× over ${formatDuration(tier.longWindowSeconds)})`;
      })
      .join('; ');
    warnings.push({
      path: objectivePath,
      severity: 'warning',
      code: SLO_ERROR_CODES.SPEC_EXTREME_OBJECTIVE,
      message: `with objective ${objectiveText} % ${unreachable.length === 1 ? 'a tier' : `${unreachable.length} tiers`} can never fire: ${detail}`,
      fix: 'Raise the objective, or disable or retune those tiers (a lower burn factor or a longer window).',
    });
  }
  if (Number(objectiveText) >= SLO_DEFAULTS.highObjectiveWarning) {
    const budgetSeconds = allowed * window.seconds;
    warnings.push({
      path: objectivePath,
      severity: 'warning',
      code: SLO_ERROR_CODES.SPEC_EXTREME_OBJECTIVE,
      message: `objective ${objectiveText} % leaves ${humanDuration(budgetSeconds)} of full outage per ${window.text}; the fastest alert cannot fire before the budget is gone`,
      fix: 'Check that the objective is meant; 99.99 % or below is achievable and alertable for most services.',
    });
  }
  return warnings;
}

function formatPercent(ratio: number): string {
  return `${round(ratio * 100)} %`;
}

function round(value: number): string {
  return String(Number(value.toPrecision(4)));
}

/** Enabled tiers whose long window is longer than the SLO window (they cannot be evaluated). */
export function tiersLongerThanWindow(tiers: readonly AlertTier[], window: SloWindow): AlertTier[] {
  return tiers.filter((tier) => tier.enabled && tier.longWindowSeconds > window.seconds);
}
