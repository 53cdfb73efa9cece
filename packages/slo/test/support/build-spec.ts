import { readFileSync } from 'node:fs';
import { DEFAULT_ALERT_TIERS } from '../../src/defaults.js';
import { formatDuration } from '../../src/duration.js';
import { parseSloSpecs } from '../../src/spec/parse-specs.js';
import type { AlertingSpec, SloSpec, SloWindow } from '../../src/types.js';

/** A rolling window from seconds. */
export function rolling(seconds: number): SloWindow {
  return { kind: 'rolling', seconds, text: formatDuration(seconds) };
}

/** A complete `SloSpec` with workbook defaults, overridable field by field. */
export function buildSpec(
  overrides: Partial<SloSpec> & { service?: string; name?: string } = {},
): SloSpec {
  const service = overrides.service ?? 'checkout';
  const name = overrides.name ?? 'availability';
  const objective = overrides.objective ?? 99.9;
  return {
    id: overrides.id ?? `${service}-${name}`,
    service,
    name,
    objective,
    objectiveText: overrides.objectiveText ?? String(objective),
    window: overrides.window ?? rolling(30 * 86_400),
    budgetingMethod: overrides.budgetingMethod ?? { kind: 'occurrences' },
    sli: overrides.sli ?? {
      kind: 'events',
      errorQuery: `sum(rate(http_requests_total{job="${service}",code=~"5.."}[{{.window}}]))`,
      totalQuery: `sum(rate(http_requests_total{job="${service}"}[{{.window}}]))`,
    },
    labels: overrides.labels ?? {},
    alerting: overrides.alerting ?? {
      name: 'CheckoutAvailability',
      labels: {},
      annotations: {},
      page: { enabled: true, labels: {}, annotations: {} },
      ticket: { enabled: true, labels: {}, annotations: {} },
      tiers: DEFAULT_ALERT_TIERS,
      minTrafficPerSecond: 0,
    },
    source: overrides.source ?? {
      format: 'srekit',
      location: { file: 'test.yaml', line: 1, column: 1 },
    },
  };
}

/** Alerting settings with workbook tiers, overridable field by field. */
export function alerting(overrides: Partial<AlertingSpec> = {}): AlertingSpec {
  return { ...buildSpec().alerting, ...overrides };
}

/** The SLOs of a spec fixture under `test/fixtures/specs/`, read by the spec parser. */
export function fixtureSpecs(name: string): SloSpec[] {
  const url = new URL(`../fixtures/specs/${name}`, import.meta.url);
  return parseSloSpecs(readFileSync(url, 'utf8'), { filename: name });
}
