import type { DashboardJson, MixinOptions } from '../mixins/types.js';

/** The @srekit/engine dashboards (being written). */
export function engineDashboards(_options: MixinOptions): Record<string, DashboardJson> {
  return {};
}
