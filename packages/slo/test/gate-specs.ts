import { objectiveText } from '../src/decimal.js';
import { DEFAULT_ALERT_TIERS } from '../src/defaults.js';
import type { AlertTier, SloSpec } from '../src/types.js';

/**
 * A normalised SLO spec for gate and report tests, as the parser would produce it for a Sloth
 * `events` SLO with the workbook's tiers over 30 days.
 */
export function testSpec(
  options: {
    readonly service?: string;
    readonly name?: string;
    readonly objective?: number;
    readonly windowSeconds?: number;
    readonly tiers?: readonly AlertTier[];
  } = {},
): SloSpec {
  const service = options.service ?? 'checkout';
  const name = options.name ?? 'availability';
  const objective = options.objective ?? 99.9;
  const seconds = options.windowSeconds ?? 30 * 86_400;
  const days = seconds / 86_400;
  return {
    id: `${service}-${name}`,
    service,
    name,
    objective,
    objectiveText: objectiveText(objective) ?? String(objective),
    window: { kind: 'rolling', seconds, text: `${days}d` },
    budgetingMethod: { kind: 'occurrences' },
    sli: {
      kind: 'events',
      errorQuery: `sum(rate(http_requests_total{job="${service}",code=~"5.."}[{{.window}}]))`,
      totalQuery: `sum(rate(http_requests_total{job="${service}"}[{{.window}}]))`,
    },
    labels: {},
    alerting: {
      name: 'CheckoutAvailability',
      labels: {},
      annotations: {},
      page: { enabled: true, labels: {}, annotations: {} },
      ticket: { enabled: true, labels: {}, annotations: {} },
      tiers: options.tiers ?? DEFAULT_ALERT_TIERS,
      minTrafficPerSecond: 0,
    },
    source: { format: 'sloth', location: { file: 'slos.yaml', line: 1, column: 1 } },
  };
}
