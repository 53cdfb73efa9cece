import { LABELS, METRICS } from '@srekit/security';
import type { DashboardJson, MixinOptions } from '../mixins/types.js';
import { buildDashboard, histogramQuantile, increase, rate } from './builder.js';
import { DASHBOARD_UIDS, resolveDashboardOptions } from './defaults.js';
import { traceExploreLink } from './exemplars.js';

/** `outcome` of a successful authentication attempt (@srekit/security counts it so). */
const SUCCESS_OUTCOME = 'success';

/**
 * The @srekit/security dashboard (`srekit-security`): rate limits by policy, authentication
 * attempts and failures by outcome, lockouts, JWT rejections by reason, authorisation denials,
 * refresh-token reuse, and the shared stores.
 *
 * @param options - `traceDatasourceUid` (default `jaeger`) for the password-hash latency panel;
 *   `selector` narrows the jobs offered.
 * @returns `{ 'srekit-security.json': dashboard }`.
 */
export function securityDashboards(options: MixinOptions): Record<string, DashboardJson> {
  const resolved = resolveDashboardOptions(options);
  const attempts = METRICS.authAttempts.name;
  const failed = `${LABELS.outcome}!="${SUCCESS_OUTCOME}"`;
  const json = buildDashboard(
    {
      uid: DASHBOARD_UIDS.security,
      title: 'srekit / Security',
      description:
        'What the @srekit/security middleware refused and why: rate limits, failed logins, lockouts, rejected tokens, denied permissions and refresh-token reuse.',
      tags: ['security'],
      rows: [
        {
          title: 'Rate limiting',
          panels: [
            {
              kind: 'timeseries',
              title: 'Rate-limited requests by policy',
              description: 'Requests refused by a rate limit, per second, by limiter policy.',
              unit: 'reqps',
              min: 0,
              width: 16,
              queries: [
                {
                  expr: `sum by (${LABELS.policy}) (${rate(METRICS.rateLimited.name)})`,
                  legend: `{{${LABELS.policy}}}`,
                },
              ],
            },
            {
              kind: 'stat',
              title: 'Rate-limited requests',
              description: 'Requests refused by any rate limit, per second.',
              unit: 'reqps',
              width: 8,
              height: 8,
              queries: [{ expr: `sum(${rate(METRICS.rateLimited.name)})` }],
            },
          ],
        },
        {
          title: 'Authentication',
          panels: [
            {
              kind: 'timeseries',
              title: 'Authentication failures by outcome',
              description:
                'Authentication attempts that did not succeed, per second, by method and outcome; a spike is often a brute-force attempt.',
              unit: 'ops',
              min: 0,
              queries: [
                {
                  expr: `sum by (${LABELS.method}, ${LABELS.outcome}) (${rate(attempts, failed)})`,
                  legend: `{{${LABELS.method}}} {{${LABELS.outcome}}}`,
                },
              ],
            },
            {
              kind: 'timeseries',
              title: 'Authentication failure ratio',
              description: 'Share of authentication attempts that did not succeed, by method.',
              unit: 'percentunit',
              min: 0,
              max: 1,
              queries: [
                {
                  expr: `sum by (${LABELS.method}) (${rate(attempts, failed)}) / sum by (${LABELS.method}) (${rate(attempts)})`,
                  legend: `{{${LABELS.method}}}`,
                },
              ],
            },
            {
              kind: 'timeseries',
              title: 'Lockouts',
              description: 'Accounts or clients locked out by the login throttle in each interval.',
              unit: 'short',
              min: 0,
              width: 8,
              queries: [{ expr: `sum(${increase(METRICS.lockouts.name)})`, legend: 'lockouts' }],
            },
            {
              kind: 'timeseries',
              title: 'JWT rejections by reason',
              description:
                'JSON Web Tokens rejected, per second, by reason (expired, bad signature, …).',
              unit: 'ops',
              min: 0,
              width: 8,
              queries: [
                {
                  expr: `sum by (${LABELS.reason}) (${rate(METRICS.jwtRejections.name)})`,
                  legend: `{{${LABELS.reason}}}`,
                },
              ],
            },
            {
              kind: 'timeseries',
              title: 'Refresh-token reuse',
              description:
                'Refresh tokens presented again after use in each interval; each one revokes its token family and may mean a stolen token.',
              unit: 'short',
              min: 0,
              width: 8,
              thresholds: [{ value: 1, color: 'red' }],
              queries: [
                { expr: `sum(${increase(METRICS.refreshTokenReuse.name)})`, legend: 'reuse' },
              ],
            },
            {
              kind: 'timeseries',
              title: 'Password hash duration p50 / p99',
              description:
                'Time to hash or verify a password; too fast weakens the hash, too slow invites denial of service.',
              unit: 's',
              min: 0,
              width: 24,
              links: [traceExploreLink(resolved.traceDatasourceUid)],
              queries: [0.5, 0.99].map((q) => ({
                expr: histogramQuantile(q, METRICS.passwordHashDuration.name),
                legend: `p${Math.round(q * 100)}`,
                exemplar: true,
              })),
            },
          ],
        },
        {
          title: 'Authorisation',
          panels: [
            {
              kind: 'timeseries',
              title: 'Authorisation denials by permission',
              description:
                'Requests refused by an authorisation check, per second, by the permission asked for.',
              unit: 'reqps',
              min: 0,
              width: 24,
              queries: [
                {
                  expr: `sum by (${LABELS.permission}) (${rate(METRICS.authzDenied.name)})`,
                  legend: `{{${LABELS.permission}}}`,
                },
              ],
            },
          ],
        },
        {
          title: 'Shared stores',
          panels: [
            {
              kind: 'timeseries',
              title: 'Store failures by component and decision',
              description:
                'Failures of a shared security store (Redis) per second, by component and whether the request was let through (fail_open) or refused (fail_closed).',
              unit: 'ops',
              min: 0,
              width: 24,
              queries: [
                {
                  expr: `sum by (${METRICS.storeErrors.labels.join(', ')}) (${rate(METRICS.storeErrors.name)})`,
                  legend: METRICS.storeErrors.labels.map((l) => `{{${l}}}`).join(' '),
                },
              ],
            },
          ],
        },
      ],
    },
    resolved,
  );
  return { [`${DASHBOARD_UIDS.security}.json`]: json };
}
