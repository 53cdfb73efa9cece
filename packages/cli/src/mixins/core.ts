import { coreAlerts } from '../alerts/core.js';
import { coreDashboards } from '../dashboards/core.js';
import type { Mixin, MixinOptions } from './types.js';

/** The @srekit/core mixin: its alerts (with their promtool tests) and dashboards. */
export function coreMixin(options: MixinOptions = {}): Mixin {
  const alerts = coreAlerts(options);
  return {
    name: 'core',
    prometheusAlerts: { groups: alerts.groups },
    prometheusRules: { groups: [] },
    grafanaDashboards: coreDashboards(options),
    alertTests: alerts.tests,
  };
}
