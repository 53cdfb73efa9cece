import type { AlertTier, SloSpec } from '../types.js';
import { RULES_ERROR_CODES } from './errors.js';
import type { RuleProblem, RulesCompat } from './types.js';

/** Sloth's four alert slots, in the order its alert expressions use them. */
export const SLOTH_TIER_SLOTS = ['page-fast', 'page-slow', 'ticket-fast', 'ticket-slow'] as const;

/** The SLO's tier for each of Sloth's slots, or `undefined` when the tiers do not map. */
export function slothTiers(
  spec: SloSpec,
): Record<(typeof SLOTH_TIER_SLOTS)[number], AlertTier> | undefined {
  const byId = new Map(spec.alerting.tiers.map((tier) => [tier.id, tier]));
  if (byId.size !== spec.alerting.tiers.length || byId.size !== SLOTH_TIER_SLOTS.length) {
    return undefined;
  }
  const out: Partial<Record<(typeof SLOTH_TIER_SLOTS)[number], AlertTier>> = {};
  for (const slot of SLOTH_TIER_SLOTS) {
    const tier = byId.get(slot);
    if (!tier || tier.severity !== slot.split('-')[0]) return undefined;
    out[slot] = tier;
  }
  return out as Record<(typeof SLOTH_TIER_SLOTS)[number], AlertTier>;
}

/**
 * Everything rule generation cannot do, or does differently, for one SLO in the given mode.
 * Errors mean the SLO gets no rules; warnings mean a setting is ignored.
 */
export function checkRuleSupport(spec: SloSpec, compat: RulesCompat): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const problem = (
    severity: RuleProblem['severity'],
    field: string,
    message: string,
    fix: string,
  ): void => {
    problems.push({
      severity,
      code:
        severity === 'error' ? RULES_ERROR_CODES.UNSUPPORTED : RULES_ERROR_CODES.IGNORED_SETTING,
      sloId: spec.id,
      field,
      message,
      fix,
    });
  };

  if (spec.sli.kind === 'threshold') {
    problem(
      'error',
      'sli.kind',
      'threshold SLIs (OpenSLO thresholdMetric) have no Prometheus rule mapping in srekit',
      'Express the SLI as good/bad events (e.g. a latency SLI on the histogram buckets) or as a raw error-ratio query.',
    );
  }
  if (spec.budgetingMethod.kind !== 'occurrences') {
    problem(
      'error',
      'budgetingMethod',
      `${spec.budgetingMethod.kind} budgeting is not generated as Prometheus rules`,
      'Use Occurrences budgeting (events over events) for SLOs that get rules.',
    );
  }

  if (compat === 'sloth') {
    if (spec.window.kind === 'calendar') {
      problem(
        'error',
        'window',
        'Sloth has no calendar-aligned SLO periods',
        "Use compat 'srekit' for calendar windows, or a rolling window such as 30d.",
      );
    }
    const tiers = slothTiers(spec);
    if (!tiers) {
      problem(
        'error',
        'alerting.tiers',
        'Sloth alerts need exactly the four tiers page-fast, page-slow, ticket-fast and ticket-slow',
        "Use compat 'srekit' for custom tier sets, or keep the four tier ids.",
      );
    } else {
      for (const tier of Object.values(tiers)) {
        if (!tier.enabled || tier.forSeconds > 0) {
          problem(
            'warning',
            `alerting.tiers.${tier.id}`,
            'Sloth cannot disable single tiers or give them a `for:`; the tier is generated as Sloth would',
            "Use compat 'srekit' to tune tiers one by one.",
          );
        }
      }
    }
    if (spec.alerting.minTrafficPerSecond > 0) {
      problem(
        'warning',
        'alerting.minTrafficPerSecond',
        'Sloth has no minimum-traffic guard; alerts fire at any traffic',
        "Use compat 'srekit' for the low-traffic guard.",
      );
    }
  } else {
    if (spec.window.kind === 'calendar' && spec.window.count !== 1) {
      problem(
        'error',
        'window',
        `calendar periods of ${spec.window.count} ${spec.window.unit}s are not generated; only single units are`,
        'Use one calendar unit (this week, this month) or a rolling window.',
      );
    }
    if (spec.sli.kind === 'raw' && spec.alerting.minTrafficPerSecond > 0) {
      problem(
        'warning',
        'alerting.minTrafficPerSecond',
        'a raw error-ratio SLI has no event count, so the minimum-traffic guard cannot apply',
        'Use an events SLI to guard alerts by traffic.',
      );
    }
  }
  return problems;
}
