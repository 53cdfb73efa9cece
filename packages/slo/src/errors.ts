import { SrekitError } from '@srekit/core';
import type { SloSpec, SpecProblem } from './types.js';

/**
 * Stable error codes of `@srekit/slo`. Codes ending in a spec problem kind appear on
 * `SpecProblem.code`; each is listed with its cause and fix in `docs/error-codes.md`.
 */
export const SLO_ERROR_CODES = {
  /** One or more SLO specs are invalid; see `SloSpecError.problems`. */
  SPEC_INVALID: 'ERR_SREKIT_SLO_SPEC_INVALID',
  /** The file is not valid YAML (or JSON). */
  SPEC_SYNTAX: 'ERR_SREKIT_SLO_SPEC_SYNTAX',
  /** A spec file could not be read. */
  SPEC_READ: 'ERR_SREKIT_SLO_SPEC_READ',
  /** `version`/`apiVersion`/`kind` is missing or not one srekit reads. */
  SPEC_UNSUPPORTED: 'ERR_SREKIT_SLO_SPEC_UNSUPPORTED',
  /** A field that the format does not define (often a typo; the message suggests the name). */
  SPEC_UNKNOWN_FIELD: 'ERR_SREKIT_SLO_SPEC_UNKNOWN_FIELD',
  /** A required field is missing or a field has the wrong type or value. */
  SPEC_INVALID_FIELD: 'ERR_SREKIT_SLO_SPEC_INVALID_FIELD',
  /** The objective is not a number strictly between 0 and 100. */
  SPEC_OBJECTIVE: 'ERR_SREKIT_SLO_SPEC_OBJECTIVE',
  /** A window is not a valid duration or not a multiple of the evaluation step. */
  SPEC_WINDOW: 'ERR_SREKIT_SLO_SPEC_WINDOW',
  /** A query is not valid PromQL. */
  SPEC_PROMQL: 'ERR_SREKIT_SLO_SPEC_PROMQL',
  /** A windowed query template lacks the `{{.window}}` placeholder. */
  SPEC_WINDOW_PLACEHOLDER: 'ERR_SREKIT_SLO_SPEC_WINDOW_PLACEHOLDER',
  /** Two SLOs have the same id. */
  SPEC_DUPLICATE_ID: 'ERR_SREKIT_SLO_SPEC_DUPLICATE_ID',
  /** An OpenSLO reference (`indicatorRef`, `alertPolicies`, `conditionRef`) names nothing. */
  SPEC_REFERENCE: 'ERR_SREKIT_SLO_SPEC_REFERENCE',
  /** Warning: an objective whose alerting or budget is impractical (the workbook's 90 % / 99.999 % cases). */
  SPEC_EXTREME_OBJECTIVE: 'ERR_SREKIT_SLO_SPEC_EXTREME_OBJECTIVE',
  /** An SLO id passed to the tracker is not one of its specs. */
  UNKNOWN_SLO: 'ERR_SREKIT_SLO_UNKNOWN_SLO',
  /** An argument of a math function is out of range. */
  INVALID_ARGUMENT: 'ERR_SREKIT_SLO_INVALID_ARGUMENT',
  /** The gate's source (Prometheus or a results file) could not be read. */
  GATE_SOURCE: 'ERR_SREKIT_SLO_GATE_SOURCE',
} as const;

/** Union of every error code `@srekit/slo` can produce. */
export type SloErrorCode = (typeof SLO_ERROR_CODES)[keyof typeof SLO_ERROR_CODES];

/** Formats one problem as `file:line:column: error field: message. fix`. */
export function formatProblem(problem: SpecProblem): string {
  const { file, line, column } = problem.location;
  return `${file}:${line}:${column}: ${problem.severity} ${problem.field}: ${problem.message}. ${problem.fix} (${problem.code})`;
}

/**
 * Thrown by `parseSloSpecs()` and `loadSloSpecs()` when a spec has errors. Carries every problem
 * of every file (errors and warnings) and the SLOs that were valid, so a caller can report all
 * problems at once and still use the good SLOs.
 */
export class SloSpecError extends SrekitError {
  /** Every problem found, in file order. */
  readonly problems: readonly SpecProblem[];
  /** The SLOs that parsed without errors. */
  readonly slos: readonly SloSpec[];

  constructor(problems: readonly SpecProblem[], slos: readonly SloSpec[]) {
    const errors = problems.filter((problem) => problem.severity === 'error');
    super(
      SLO_ERROR_CODES.SPEC_INVALID,
      `${errors.length} SLO spec error${errors.length === 1 ? '' : 's'}:\n${errors.map(formatProblem).join('\n')}\n`,
    );
    this.name = 'SloSpecError';
    this.problems = problems;
    this.slos = slos;
  }
}

/** Throws `ERR_SREKIT_SLO_INVALID_ARGUMENT` naming the argument and the fix. */
export function invalidArgument(argument: string, problem: string, fix: string): never {
  throw new SrekitError(
    SLO_ERROR_CODES.INVALID_ARGUMENT,
    `Invalid argument \`${argument}\`: ${problem}. ${fix}`,
  );
}
