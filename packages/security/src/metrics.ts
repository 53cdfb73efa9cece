import type { MetricDescriptor } from '@srekit/core';
import { Counter, Histogram, type Registry } from 'prom-client';

/** Label names of the security metrics. */
export const LABELS = {
  policy: 'policy',
  method: 'method',
  outcome: 'outcome',
  reason: 'reason',
  permission: 'permission',
} as const;

/** Every metric `@srekit/security` registers (DESIGN.md names). */
export const METRICS = {
  /** Requests a rate limit refused, by limiter policy (`login`, `api`, …). */
  rateLimited: {
    name: 'security_rate_limited_requests_total',
    help: 'Requests refused by a rate limit, by policy.',
    type: 'counter',
    labels: [LABELS.policy],
  },
  /** Authentication attempts by method (`password`, `totp`, `recovery_code`, `jwt`, `session`) and outcome. */
  authAttempts: {
    name: 'security_auth_attempts_total',
    help: 'Authentication attempts, by method and outcome.',
    type: 'counter',
    labels: [LABELS.method, LABELS.outcome],
  },
  /** Accounts or clients locked out by the login throttle. */
  lockouts: {
    name: 'security_lockouts_total',
    help: 'Lockouts applied by the login throttle.',
    type: 'counter',
    labels: [],
  },
  /** JWTs rejected, by reason (`expired`, `bad_signature`, `alg_not_allowed`, …). */
  jwtRejections: {
    name: 'security_jwt_rejections_total',
    help: 'JSON Web Tokens rejected, by reason.',
    type: 'counter',
    labels: [LABELS.reason],
  },
  /** Requests an authorisation check refused, by the permission asked for. */
  authzDenied: {
    name: 'security_authz_denied_total',
    help: 'Requests refused by an authorisation check, by permission.',
    type: 'counter',
    labels: [LABELS.permission],
  },
  /** Refresh tokens presented a second time (their family is revoked). */
  refreshTokenReuse: {
    name: 'security_refresh_token_reuse_total',
    help: 'Refresh tokens presented again after use; each revokes its token family.',
    type: 'counter',
    labels: [],
  },
  /** Time to hash or verify a password. */
  passwordHashDuration: {
    name: 'security_password_hash_duration_seconds',
    help: 'Time spent hashing or verifying a password.',
    type: 'histogram',
    unit: 'seconds',
    labels: [],
  },
  /** Store failures (Redis down) and the choice applied (`fail_open`, `fail_closed`). */
  storeErrors: {
    name: 'security_store_errors_total',
    help: 'Failures of a shared security store, by component and the choice applied.',
    type: 'counter',
    labels: ['component', 'decision'],
  },
} as const satisfies Record<string, MetricDescriptor>;

/** The live metric objects, one set per registry. */
export interface SecurityMetrics {
  readonly rateLimited: Counter<string>;
  readonly authAttempts: Counter<string>;
  readonly lockouts: Counter<string>;
  readonly jwtRejections: Counter<string>;
  readonly authzDenied: Counter<string>;
  readonly refreshTokenReuse: Counter<string>;
  readonly passwordHashDuration: Histogram<string>;
  readonly storeErrors: Counter<string>;
}

const byRegistry = new WeakMap<Registry, SecurityMetrics>();

function counter(registry: Registry, descriptor: MetricDescriptor): Counter<string> {
  const existing = registry.getSingleMetric(descriptor.name);
  if (existing instanceof Counter) return existing as Counter<string>;
  return new Counter({
    name: descriptor.name,
    help: descriptor.help,
    labelNames: [...descriptor.labels],
    registers: [registry],
  });
}

/**
 * The security metrics on `registry` (core's `telemetry.registry`), created on first use and shared
 * by every security part that is given the same registry. Metrics already in the registry under
 * these names are reused.
 */
export function securityMetrics(registry: Registry): SecurityMetrics {
  const known = byRegistry.get(registry);
  if (known) return known;
  const existingHistogram = registry.getSingleMetric(METRICS.passwordHashDuration.name);
  const metrics: SecurityMetrics = {
    rateLimited: counter(registry, METRICS.rateLimited),
    authAttempts: counter(registry, METRICS.authAttempts),
    lockouts: counter(registry, METRICS.lockouts),
    jwtRejections: counter(registry, METRICS.jwtRejections),
    authzDenied: counter(registry, METRICS.authzDenied),
    refreshTokenReuse: counter(registry, METRICS.refreshTokenReuse),
    storeErrors: counter(registry, METRICS.storeErrors),
    passwordHashDuration:
      existingHistogram instanceof Histogram
        ? (existingHistogram as Histogram<string>)
        : new Histogram({
            name: METRICS.passwordHashDuration.name,
            help: METRICS.passwordHashDuration.help,
            buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
            registers: [registry],
          }),
  };
  byRegistry.set(registry, metrics);
  return metrics;
}
