import { securityAlerts } from '../alerts/security.js';
import { securityDashboards } from '../dashboards/security.js';
import type { Mixin, MixinOptions } from './types.js';

/** The @srekit/security mixin: its alerts (with their promtool tests) and dashboards. */
export function securityMixin(options: MixinOptions = {}): Mixin {
  const alerts = securityAlerts(options);
  return {
    name: 'security',
    prometheusAlerts: { groups: alerts.groups },
    prometheusRules: { groups: [] },
    grafanaDashboards: securityDashboards(options),
    alertTests: alerts.tests,
  };
}
