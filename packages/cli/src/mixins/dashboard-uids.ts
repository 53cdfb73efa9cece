/**
 * Fixed uids of the generated dashboards: the dashboards use them, and alerts' `dashboard_url`
 * links to them.
 */
export const DASHBOARD_UIDS = {
  serviceOverview: 'srekit-service-overview',
  sloOverview: 'srekit-slo-overview',
  /** Prefix of the per-SLO dashboards: `srekit-slo-<slo id>` (see `sloDashboardUid`). */
  sloDetailPrefix: 'srekit-slo-',
  loadBalancer: 'srekit-load-balancer',
  security: 'srekit-security',
} as const;

/** One of {@link DASHBOARD_UIDS}. */
export type DashboardUid = (typeof DASHBOARD_UIDS)[keyof typeof DASHBOARD_UIDS];
