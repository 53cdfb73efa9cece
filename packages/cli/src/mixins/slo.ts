import { sloAlerts } from '../alerts/slo.js';
import { sloDashboards } from '../dashboards/slo.js';
import type { Mixin, MixinOptions } from './types.js';

/** The @srekit/slo mixin: its alerts (with their promtool tests) and dashboards. */
export function sloMixin(options: MixinOptions = {}): Mixin {
  const alerts = sloAlerts(options);
  return {
    name: 'slo',
    prometheusAlerts: { groups: alerts.groups },
    prometheusRules: { groups: [] },
    grafanaDashboards: sloDashboards(options),
    alertTests: alerts.tests,
  };
}
