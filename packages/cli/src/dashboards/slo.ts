import type { DashboardJson, MixinOptions } from '../mixins/types.js';

/** The @srekit/slo dashboards (being written). */
export function sloDashboards(_options: MixinOptions): Record<string, DashboardJson> {
  return {};
}
