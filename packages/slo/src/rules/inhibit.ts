import { RULE_LABELS } from '../metrics.js';
import type { SloSpec } from '../types.js';
import { RULES_DEFAULTS } from './defaults.js';
import type { InhibitRule, RulesCompat } from './types.js';

/**
 * Alertmanager inhibit rules for generated SLO alerts: while an SLO's page alert fires, its
 * ticket alerts (slower tiers, and in srekit mode the exhaustion forecast) are silenced. The rule
 * matches on the SLO id (`equal: [slo_id]`, `sloth_id` in sloth mode), so a page for one SLO
 * never hides another SLO's ticket. Returns `[]` when no SLO has both alerts enabled.
 *
 * @example
 * writeFileSync('inhibit.yaml', serializeInhibitRules(generateInhibitRules(specs)));
 */
export function generateInhibitRules(
  specs: readonly SloSpec[],
  options: { readonly compat?: RulesCompat } = {},
): InhibitRule[] {
  const compat = options.compat ?? RULES_DEFAULTS.compat;
  const labels = compat === 'sloth' ? RULE_LABELS.sloth : RULE_LABELS.srekit;
  const needed = specs.some((spec) => spec.alerting.page.enabled && spec.alerting.ticket.enabled);
  if (!needed) return [];
  return [
    {
      source_matchers: [`${labels.severity}="page"`],
      target_matchers: [`${labels.severity}="ticket"`],
      equal: [labels.id],
    },
  ];
}
