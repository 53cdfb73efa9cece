import { GENERATED_HEADER } from '@srekit/slo';
import { stringify } from 'yaml';
import type { MixinAlertTest } from '../mixins/types.js';
import { TEST_INTERVAL } from './alert-definition.js';

/** Options of {@link serializeAlertTests}. */
export interface SerializeAlertTestsOptions {
  /** Rule files the tests load, relative to the test file (promtool resolves them so). */
  readonly ruleFiles: readonly string[];
  /** First lines of the file. Default @srekit/slo's `GENERATED_HEADER`. */
  readonly header?: string;
}

/**
 * Writes mixin alert tests as a promtool unit-test file (`promtool test rules <file>`), with
 * `evaluation_interval` equal to the step the tests' series are written in (1m). The same input
 * always gives the same bytes.
 *
 * @example
 * const { groups, tests } = coreAlerts({});
 * writeFileSync('alerts/tests/core.test.yaml', serializeAlertTests(tests, { ruleFiles: ['../core.yaml'] }));
 */
export function serializeAlertTests(
  tests: readonly MixinAlertTest[],
  options: SerializeAlertTestsOptions,
): string {
  const body = stringify(
    { rule_files: [...options.ruleFiles], evaluation_interval: TEST_INTERVAL, tests },
    { lineWidth: 0 },
  );
  return `${options.header ?? GENERATED_HEADER}${body}`;
}
