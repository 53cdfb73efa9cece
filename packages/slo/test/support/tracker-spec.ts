import { objectiveText } from '../../src/decimal.js';
import { DEFAULT_ALERT_TIERS } from '../../src/defaults.js';
import type { AlertTier, Sli, SloSpec, SloWindow } from '../../src/types.js';
import { buildSpec } from './build-spec.js';

/** A normalised spec for tracker tests: workbook tiers over 30 rolling days unless told. */
export function trackerSpec(
  options: {
    readonly id?: string;
    readonly objective?: number;
    readonly window?: SloWindow;
    readonly tiers?: readonly AlertTier[];
    readonly sli?: Sli;
    readonly minTrafficPerSecond?: number;
  } = {},
): SloSpec {
  const id = options.id ?? 'checkout-availability';
  const [service = 'checkout', ...rest] = id.split('-');
  const objective = options.objective ?? 99.9;
  const base = buildSpec({
    id,
    service,
    name: rest.join('-') || 'availability',
    objective,
    objectiveText: objectiveText(objective) ?? String(objective),
    sli: options.sli ?? {
      kind: 'events',
      errorQuery: 'sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))',
      totalQuery: 'sum(rate(http_requests_total[{{.window}}]))',
    },
    ...(options.window ? { window: options.window } : {}),
  });
  return {
    ...base,
    alerting: {
      ...base.alerting,
      tiers: options.tiers ?? DEFAULT_ALERT_TIERS,
      minTrafficPerSecond: options.minTrafficPerSecond ?? 0,
    },
    source: { format: 'srekit', location: { file: 'slos.yaml', line: 1, column: 1 } },
  };
}

/** A clock for the tracker's `now` option that tests move by hand. */
export class ManualClock {
  ms: number;
  constructor(startMs = Date.UTC(2026, 0, 5)) {
    this.ms = startMs;
  }
  readonly now = (): number => this.ms;
  advance(ms: number): number {
    this.ms += ms;
    return this.ms;
  }
}
