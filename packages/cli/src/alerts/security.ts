import { LABELS, METRICS } from '@srekit/security';
import type { MixinAlertTest, MixinOptions, MixinRuleGroup } from '../mixins/types.js';
import {
  type AlertDefinition,
  buildAlerts,
  resolveAlertOptions,
  vectorSelector as vs,
} from './alert-definition.js';
import { DASHBOARD_UIDS, ALERT_THRESHOLDS as T } from './defaults.js';

/** Name of the security alerts' rule group. */
export const SECURITY_ALERT_GROUP = 'srekit-security-alerts';

/**
 * The @srekit/security alerts: rate-limit spike, authentication-failure spike (brute force),
 * lockouts, refresh-token reuse, JWT rejection spike and shared-store failures; with their
 * promtool tests.
 *
 * @example
 * const { groups, tests } = securityAlerts({ selector: 'job="checkout"' });
 */
export function securityAlerts(options: MixinOptions): {
  groups: MixinRuleGroup[];
  tests: MixinAlertTest[];
} {
  const r = resolveAlertOptions(options);
  const sel = (metric: string, ...matchers: string[]) => vs(r, metric, ...matchers);
  const dashboard = DASHBOARD_UIDS.security;
  const [storeComponent, storeDecision] = METRICS.storeErrors.labels;

  const definitions: AlertDefinition[] = [
    {
      alert: 'SrekitRateLimitSpike',
      expr: `sum by (job, ${LABELS.policy}) (rate(${sel(METRICS.rateLimited.name)}[${T.rateLimitSpike.window}])) > ${T.rateLimitSpike.perSecond}`,
      for: T.rateLimitSpike.for,
      severity: 'warning',
      dashboard,
      summary: 'A rate limit refuses many requests.',
      description: (l, v) =>
        `Rate-limit policy ${l(LABELS.policy)} of ${l('job')} refuses ${v} requests per second (threshold ${T.rateLimitSpike.perSecond}/s over ${T.rateLimitSpike.window}): a client floods the service, or the limit is too low for real traffic.`,
      valueFormat: 'humanize',
      cases: [
        {
          name: 'fires at 2 refusals per second',
          series: [
            {
              metric: METRICS.rateLimited.name,
              labels: { [LABELS.policy]: 'login' },
              values: '0+10x10 100+120x30',
            },
          ],
          quietAt: ['10m'],
          firingAt: '30m',
          alertLabels: ['job', LABELS.policy],
          value: '2',
        },
      ],
    },
    {
      alert: 'SrekitAuthFailureSpike',
      expr: `sum by (job, ${LABELS.method}) (rate(${sel(METRICS.authAttempts.name, `${LABELS.outcome}="failure"`, `${LABELS.method}!="jwt"`)}[${T.authFailureSpike.window}])) > ${T.authFailureSpike.perSecond}`,
      for: T.authFailureSpike.for,
      severity: 'warning',
      dashboard,
      summary:
        'Many authentication attempts fail: a brute-force or credential-stuffing attack may be under way.',
      description: (l, v) =>
        `${v} ${l(LABELS.method)} authentication attempts per second fail at ${l('job')} (threshold ${T.authFailureSpike.perSecond}/s over ${T.authFailureSpike.window}). JWT failures are left out; SrekitJwtRejectionSpike covers them.`,
      valueFormat: 'humanize',
      cases: [
        {
          name: 'fires at 3 failed password logins per second',
          series: [
            {
              metric: METRICS.authAttempts.name,
              labels: { [LABELS.method]: 'password', [LABELS.outcome]: 'failure' },
              values: '0+6x10 60+180x30',
            },
            {
              metric: METRICS.authAttempts.name,
              labels: { [LABELS.method]: 'password', [LABELS.outcome]: 'success' },
              values: '0+600x40',
            },
            {
              metric: METRICS.authAttempts.name,
              labels: { [LABELS.method]: 'jwt', [LABELS.outcome]: 'failure' },
              values: '0+600x40',
            },
          ],
          quietAt: ['10m'],
          firingAt: '30m',
          alertLabels: ['job', LABELS.method],
          value: '3',
        },
      ],
    },
    {
      alert: 'SrekitLockouts',
      expr: `sum by (job) (increase(${sel(METRICS.lockouts.name)}[${T.lockouts.window}])) > ${T.lockouts.count}`,
      severity: 'warning',
      dashboard,
      summary: 'The login throttle locks out many accounts or clients.',
      description: (l, v) =>
        `${l('job')} applied ${v} lockouts in the last ${T.lockouts.window} (threshold ${T.lockouts.count}): someone is guessing passwords across accounts, or a client retries with a stale password.`,
      valueFormat: 'humanize',
      cases: [
        {
          name: 'fires at 15 lockouts in 15 minutes',
          series: [{ metric: METRICS.lockouts.name, values: '0x15 1+1x30' }],
          quietAt: ['15m'],
          firingAt: '30m',
          alertLabels: ['job'],
          value: '15',
        },
      ],
    },
    {
      alert: 'SrekitRefreshTokenReuse',
      expr: `sum by (job) (increase(${sel(METRICS.refreshTokenReuse.name)}[${T.refreshTokenReuse.window}])) > 0`,
      severity: 'critical',
      dashboard,
      summary: 'A refresh token was used twice: it has probably been stolen.',
      description: (l) =>
        `${l('job')} saw a refresh token presented again after it was used, in the last ${T.refreshTokenReuse.window}. srekit revoked the token family; find the subject in the audit log and check how the token leaked.`,
      cases: [
        {
          name: 'fires on one reuse',
          series: [{ metric: METRICS.refreshTokenReuse.name, values: '0x20 1x20' }],
          quietAt: ['15m'],
          firingAt: '25m',
          alertLabels: ['job'],
        },
      ],
    },
    {
      alert: 'SrekitJwtRejectionSpike',
      expr: `sum by (job, ${LABELS.reason}) (rate(${sel(METRICS.jwtRejections.name, `${LABELS.reason}!~"${T.jwtRejectionSpike.ignoredReasons.join('|')}"`)}[${T.jwtRejectionSpike.window}])) > ${T.jwtRejectionSpike.perSecond}`,
      for: T.jwtRejectionSpike.for,
      severity: 'warning',
      dashboard,
      summary: 'Many JSON Web Tokens are rejected.',
      description: (l, v) =>
        `${l('job')} rejects ${v} JWTs per second with reason ${l(LABELS.reason)} (threshold ${T.jwtRejectionSpike.perSecond}/s over ${T.jwtRejectionSpike.window}; ${T.jwtRejectionSpike.ignoredReasons.join(' and ')} are not counted).`,
      valueFormat: 'humanize',
      cases: [
        {
          name: 'fires at 2 bad signatures per second, not on expired tokens',
          series: [
            {
              metric: METRICS.jwtRejections.name,
              labels: { [LABELS.reason]: 'bad_signature' },
              values: '0x10 0+120x30',
            },
            {
              metric: METRICS.jwtRejections.name,
              labels: { [LABELS.reason]: 'expired' },
              values: '0+600x40',
            },
          ],
          quietAt: ['10m'],
          firingAt: '30m',
          alertLabels: ['job', LABELS.reason],
          value: '2',
        },
      ],
    },
    {
      alert: 'SrekitSecurityStoreErrors',
      expr: `sum by (job, ${storeComponent}, ${storeDecision}) (rate(${sel(METRICS.storeErrors.name)}[${T.securityStoreErrors.window}])) > 0`,
      for: T.securityStoreErrors.for,
      severity: 'warning',
      dashboard,
      summary: 'A shared security store (Redis) fails.',
      description: (l) =>
        `The ${l(storeComponent as string)} store of ${l('job')} fails and srekit applies ${l(storeDecision as string)}: with fail_open, limits and lockouts are not enforced; with fail_closed, requests are refused.`,
      cases: [
        {
          name: 'fires while the store fails',
          series: [
            {
              metric: METRICS.storeErrors.name,
              labels: {
                [storeComponent as string]: 'rate_limit',
                [storeDecision as string]: 'fail_open',
              },
              values: '0x10 1+1x30',
            },
          ],
          quietAt: ['10m'],
          firingAt: '30m',
          alertLabels: ['job', storeComponent as string, storeDecision as string],
        },
      ],
    },
  ];
  return buildAlerts(SECURITY_ALERT_GROUP, definitions, r);
}
