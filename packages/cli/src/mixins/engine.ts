import { engineAlerts } from '../alerts/engine.js';
import { engineDashboards } from '../dashboards/engine.js';
import type { Mixin, MixinOptions } from './types.js';

/** The @srekit/engine mixin: its alerts (with their promtool tests) and dashboards. */
export function engineMixin(options: MixinOptions = {}): Mixin {
  const alerts = engineAlerts(options);
  return {
    name: 'engine',
    prometheusAlerts: { groups: alerts.groups },
    prometheusRules: { groups: [] },
    grafanaDashboards: engineDashboards(options),
    alertTests: alerts.tests,
  };
}
