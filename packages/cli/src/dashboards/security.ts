import type { DashboardJson, MixinOptions } from '../mixins/types.js';

/** The @srekit/security dashboards (being written). */
export function securityDashboards(_options: MixinOptions): Record<string, DashboardJson> {
  return {};
}
