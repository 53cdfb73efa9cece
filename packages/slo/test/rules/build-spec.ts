import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { DEFAULT_ALERT_TIERS } from '../../src/defaults.js';
import { formatDuration } from '../../src/duration.js';
import type { AlertTier, SloSpec, SloWindow } from '../../src/types.js';

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
    id: `${service}-${name}`,
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

interface SlothAlert {
  disable?: boolean;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/**
 * Reads a Sloth `prometheus/v1` file into specs the way Sloth maps it to its model (labels
 * merged spec → SLO, alert labels alerting → page/ticket). A stand-in for the spec parser in
 * these tests.
 */
export function slothFileSpecs(
  path: string,
  tiers: readonly AlertTier[] = DEFAULT_ALERT_TIERS,
): SloSpec[] {
  const doc = parse(readFileSync(path, 'utf8')) as {
    service: string;
    labels?: Record<string, string>;
    slos: Array<{
      name: string;
      objective: number;
      labels?: Record<string, string>;
      sli: {
        events?: { error_query: string; total_query: string };
        raw?: { error_ratio_query: string };
      };
      alerting: {
        name: string;
        labels?: Record<string, string>;
        annotations?: Record<string, string>;
        page_alert?: SlothAlert;
        ticket_alert?: SlothAlert;
      };
    }>;
  };
  return doc.slos.map((slo) => {
    const alert = (a: SlothAlert | undefined) => ({
      enabled: !a?.disable,
      labels: a?.labels ?? {},
      annotations: a?.annotations ?? {},
    });
    return buildSpec({
      service: doc.service,
      name: slo.name,
      objective: slo.objective,
      objectiveText: String(slo.objective),
      labels: { ...(doc.labels ?? {}), ...(slo.labels ?? {}) },
      sli: slo.sli.events
        ? {
            kind: 'events',
            errorQuery: slo.sli.events.error_query,
            totalQuery: slo.sli.events.total_query,
          }
        : { kind: 'raw', errorRatioQuery: slo.sli.raw?.error_ratio_query ?? '' },
      alerting: {
        name: slo.alerting.name,
        labels: slo.alerting.labels ?? {},
        annotations: slo.alerting.annotations ?? {},
        page: alert(slo.alerting.page_alert),
        ticket: alert(slo.alerting.ticket_alert),
        tiers,
        minTrafficPerSecond: 0,
      },
      source: { format: 'sloth', location: { file: path, line: 1, column: 1 } },
    });
  });
}
