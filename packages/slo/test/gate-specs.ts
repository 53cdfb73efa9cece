import { objectiveText } from '../src/decimal.js';
import { DEFAULT_ALERT_TIERS } from '../src/defaults.js';
import type { AlertTier, SloSpec } from '../src/types.js';
import { buildSpec, rolling } from './support/build-spec.js';

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
  const objective = options.objective ?? 99.9;
  const base = buildSpec({
    ...(options.service ? { service: options.service } : {}),
    ...(options.name ? { name: options.name } : {}),
    objective,
    objectiveText: objectiveText(objective) ?? String(objective),
    window: rolling(options.windowSeconds ?? 30 * 86_400),
    source: { format: 'sloth', location: { file: 'slos.yaml', line: 1, column: 1 } },
  });
  return { ...base, alerting: { ...base.alerting, tiers: options.tiers ?? DEFAULT_ALERT_TIERS } };
}
