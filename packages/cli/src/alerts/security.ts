import type { MixinAlertTest, MixinOptions, MixinRuleGroup } from '../mixins/types.js';

/** The @srekit/security alerts and their promtool tests (being written). */
export function securityAlerts(_options: MixinOptions): {
  groups: MixinRuleGroup[];
  tests: MixinAlertTest[];
} {
  return { groups: [], tests: [] };
}
