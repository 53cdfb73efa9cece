import type { MixinAlertTest, MixinOptions, MixinRuleGroup } from '../mixins/types.js';

/** The @srekit/slo alerts and their promtool tests (being written). */
export function sloAlerts(_options: MixinOptions): {
  groups: MixinRuleGroup[];
  tests: MixinAlertTest[];
} {
  return { groups: [], tests: [] };
}
