import type { MixinAlertTest, MixinOptions, MixinRuleGroup } from '../mixins/types.js';

/** The @srekit/engine alerts and their promtool tests (being written). */
export function engineAlerts(_options: MixinOptions): {
  groups: MixinRuleGroup[];
  tests: MixinAlertTest[];
} {
  return { groups: [], tests: [] };
}
