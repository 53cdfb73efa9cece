import type { BackendSnapshot, PoolStats } from '@srekit/engine';
import type { SloStatus, TierStatus, WindowStatus } from '@srekit/slo';

/** Security counters an instance reports in `/status.json`. */
export interface SecurityCounts {
  readonly auditEvents: number;
  readonly rateLimited: number;
  readonly loginFailures: number;
  readonly lockouts: number;
}

/** An instance's `GET /status.json` (the contract between the service and the fleet). */
export interface InstanceStatus {
  readonly instance: string;
  readonly version: string;
  readonly uptimeSeconds: number;
  readonly slos: readonly SloStatus[];
  readonly faults: readonly unknown[];
  readonly security: SecurityCounts;
}

/** One window of an SLO, summed over the instances. */
export interface FleetWindow {
  readonly window: string;
  readonly good: number;
  readonly bad: number;
  readonly total: number;
  readonly sli?: number;
  readonly burnRate?: number;
}

/** One SLO of the fleet: the instances' tracker statuses summed. */
export interface FleetSlo {
  readonly sloId: string;
  readonly objective: number;
  readonly allowedErrorRatio: number;
  /** SLI over the period (ratio of good events), when there were events. */
  readonly sli?: number;
  readonly budgetRemaining?: number;
  readonly windows: readonly FleetWindow[];
  readonly forecastWindow: string;
  readonly timeToExhaustionSeconds?: number;
  readonly tiers: readonly Pick<
    TierStatus,
    | 'id'
    | 'severity'
    | 'burnFactor'
    | 'longWindow'
    | 'shortWindow'
    | 'longBurn'
    | 'shortBurn'
    | 'firing'
  >[];
  readonly firing: boolean;
  /** Recent burn rates per window, oldest first (one point per sample). */
  readonly history: Readonly<Record<string, readonly number[]>>;
}

/** One backend of the proxy's pool. */
export interface FleetBackend {
  readonly id: string;
  readonly url: string;
  readonly state: BackendSnapshot['state'];
  readonly health: BackendSnapshot['health'];
  readonly circuit: BackendSnapshot['circuit'];
  readonly activeRequests: number;
  readonly requests: number;
  readonly errors: number;
  /** Requests per second over the last sample interval. */
  readonly rps: number;
  /** Errors / requests over the last sample interval (undefined without requests). */
  readonly errorRatio?: number;
  readonly p99Ms?: number;
  /** Whether its `/status.json` answered at the last sample. */
  readonly reachable: boolean;
  readonly uptimeSeconds?: number;
  readonly faults: readonly unknown[];
}

/** The fleet's `/status.json`, also what the status page renders. */
export interface FleetStatus {
  readonly generatedAt: string;
  readonly pool: {
    readonly name: string;
    readonly strategy: string;
    readonly eligible: number;
    readonly total: number;
    readonly panic: boolean;
  };
  readonly slos: readonly FleetSlo[];
  readonly backends: readonly FleetBackend[];
  readonly security: SecurityCounts;
  readonly links: {
    readonly statusPage: string;
    readonly metrics: string;
    readonly instanceMetrics: readonly string[];
  };
}

const ZERO_SECURITY: SecurityCounts = {
  auditEvents: 0,
  rateLimited: 0,
  loginFailures: 0,
  lockouts: 0,
};

/** Sums the security counters of the instances that answered. */
export function sumSecurity(statuses: readonly (InstanceStatus | undefined)[]): SecurityCounts {
  const sum = { ...ZERO_SECURITY };
  for (const status of statuses) {
    if (!status?.security) continue;
    for (const key of Object.keys(sum) as (keyof SecurityCounts)[])
      sum[key] += Number(status.security[key]) || 0;
  }
  return sum;
}

function sumWindows(windows: readonly WindowStatus[], name: string, allowed: number): FleetWindow {
  let good = 0;
  let bad = 0;
  for (const w of windows) {
    good += w.good;
    bad += w.bad;
  }
  const total = good + bad;
  if (total === 0) return { window: name, good, bad, total };
  const errorRatio = bad / total;
  return {
    window: name,
    good,
    bad,
    total,
    sli: 1 - errorRatio,
    burnRate: allowed > 0 ? errorRatio / allowed : 0,
  };
}

/**
 * Aggregates the instances' tracker statuses per SLO: events summed per window, SLI, burn rates,
 * budget remaining and tiers recomputed from the sums (the same arithmetic as the tracker).
 */
export function aggregateSlos(
  statuses: readonly (InstanceStatus | undefined)[],
): Omit<FleetSlo, 'history'>[] {
  const byId = new Map<string, SloStatus[]>();
  for (const status of statuses) {
    for (const slo of status?.slos ?? []) {
      const list = byId.get(slo.sloId) ?? [];
      list.push(slo);
      byId.set(slo.sloId, list);
    }
  }
  const result: Omit<FleetSlo, 'history'>[] = [];
  for (const [sloId, list] of byId) {
    const first = list[0] as SloStatus;
    const allowed = first.allowedErrorRatio;
    const windowNames = first.windows.map((w) => w.window);
    const windows = windowNames.map((name) =>
      sumWindows(
        list.flatMap((s) => s.windows.filter((w) => w.window === name)),
        name,
        allowed,
      ),
    );
    const period = sumWindows(
      list.map((s) => s.period),
      first.period.window,
      allowed,
    );
    const budgetRemaining =
      period.total > 0 ? 1 - (period.burnRate ?? 0) : list.length > 0 ? 1 : undefined;
    const burnOf = (name: string) => windows.find((w) => w.window === name)?.burnRate;
    const forecastBurn = burnOf(first.forecastWindow);
    let timeToExhaustionSeconds: number | undefined;
    if (forecastBurn !== undefined && forecastBurn > 0 && budgetRemaining !== undefined) {
      timeToExhaustionSeconds = Math.max(
        0,
        (budgetRemaining * first.period.periodSeconds) / forecastBurn,
      );
    }
    const tiers = first.tiers.map((tier) => {
      const longBurn = burnOf(tier.longWindow);
      const shortBurn = burnOf(tier.shortWindow);
      const guard = list.some((s) => s.tiers.find((t) => t.id === tier.id)?.trafficGuardMet);
      const firing =
        guard &&
        longBurn !== undefined &&
        shortBurn !== undefined &&
        longBurn >= tier.burnFactor &&
        shortBurn >= tier.burnFactor;
      return {
        id: tier.id,
        severity: tier.severity,
        burnFactor: tier.burnFactor,
        longWindow: tier.longWindow,
        shortWindow: tier.shortWindow,
        ...(longBurn !== undefined ? { longBurn } : {}),
        ...(shortBurn !== undefined ? { shortBurn } : {}),
        firing,
      };
    });
    result.push({
      sloId,
      objective: first.objective,
      allowedErrorRatio: allowed,
      ...(period.sli !== undefined ? { sli: period.sli } : {}),
      ...(budgetRemaining !== undefined ? { budgetRemaining } : {}),
      windows,
      forecastWindow: first.forecastWindow,
      ...(timeToExhaustionSeconds !== undefined ? { timeToExhaustionSeconds } : {}),
      tiers,
      firing: tiers.some((t) => t.firing),
    });
  }
  return result.sort((a, b) => a.sloId.localeCompare(b.sloId));
}

/** Per-backend rows from two `pool.stats()` samples `elapsedMs` apart. */
export function backendRows(
  stats: PoolStats,
  previous: PoolStats | undefined,
  elapsedMs: number,
  instances: ReadonlyMap<string, InstanceStatus | undefined>,
): FleetBackend[] {
  return stats.backends.map((b) => {
    const before = previous?.backends.find((p) => p.id === b.id);
    const requests = before ? b.requests - before.requests : 0;
    const errors = before ? b.errors - before.errors : 0;
    const status = instances.get(b.id);
    return {
      id: b.id,
      url: b.url,
      state: b.state,
      health: b.health,
      circuit: b.circuit,
      activeRequests: b.activeRequests,
      requests: b.requests,
      errors: b.errors,
      rps: elapsedMs > 0 ? (requests * 1000) / elapsedMs : 0,
      ...(requests > 0 ? { errorRatio: errors / requests } : {}),
      ...(b.latency.p99Ms !== undefined ? { p99Ms: b.latency.p99Ms } : {}),
      reachable: status !== undefined,
      ...(status ? { uptimeSeconds: status.uptimeSeconds } : {}),
      faults: status?.faults ?? [],
    };
  });
}
