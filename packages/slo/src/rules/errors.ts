import { SrekitError } from '@srekit/core';
import type { RuleProblem } from './types.js';

/** Error codes of rule generation; each is listed with cause and fix in `docs/error-codes.md`. */
export const RULES_ERROR_CODES = {
  /** An SLO uses something the chosen output mode cannot express (SLI kind, window, tiers). */
  UNSUPPORTED: 'ERR_SREKIT_SLO_RULES_UNSUPPORTED',
  /** Warning: a setting of the SLO has no equivalent in the chosen mode and is ignored. */
  IGNORED_SETTING: 'ERR_SREKIT_SLO_RULES_IGNORED_SETTING',
  /** An option of `generatePrometheusRules()` or `generatePromtoolTests()` is invalid. */
  INVALID_OPTION: 'ERR_SREKIT_SLO_RULES_INVALID_OPTION',
} as const;

/** Formats a rule problem as `slo-id: error field: message. fix (CODE)`. */
export function formatRuleProblem(problem: RuleProblem): string {
  return `${problem.sloId}: ${problem.severity} ${problem.field}: ${problem.message}. ${problem.fix} (${problem.code})`;
}

/**
 * Thrown by `generatePrometheusRules()` when an SLO cannot be generated and no `onProblem`
 * callback was given. Carries every problem of every SLO.
 */
export class SloRulesError extends SrekitError {
  readonly problems: readonly RuleProblem[];

  constructor(problems: readonly RuleProblem[]) {
    const errors = problems.filter((problem) => problem.severity === 'error');
    super(
      RULES_ERROR_CODES.UNSUPPORTED,
      `${errors.length} SLO${errors.length === 1 ? '' : 's'} cannot be turned into rules:\n${errors.map(formatRuleProblem).join('\n')}\n`,
    );
    this.name = 'SloRulesError';
    this.problems = problems;
  }
}

/** Throws `ERR_SREKIT_SLO_RULES_INVALID_OPTION`. */
export function invalidRulesOption(option: string, problem: string, fix: string): never {
  throw new SrekitError(
    RULES_ERROR_CODES.INVALID_OPTION,
    `Invalid option \`${option}\`: ${problem}. ${fix}`,
  );
}
