import type { DashboardJson, MixinOptions } from '../mixins/types.js';

/** The @srekit/core dashboards (being written). */
export function coreDashboards(_options: MixinOptions): Record<string, DashboardJson> {
  return {};
}
