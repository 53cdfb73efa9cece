import type { MixinAlertTest, MixinOptions, MixinRuleGroup } from '../mixins/types.js';

/** The @srekit/core alerts and their promtool tests (being written). */
export function coreAlerts(_options: MixinOptions): {
  groups: MixinRuleGroup[];
  tests: MixinAlertTest[];
} {
  return { groups: [], tests: [] };
}
