import {
  checkSloSpecFiles,
  formatProblem,
  SLO_ERROR_CODES,
  type SloSpec,
  type SpecProblem,
} from '@srekit/slo';
import { many, missing } from '../cli/args.js';
import { EXIT_CODES } from '../cli/errors.js';
import { displayPath, resolvePath } from '../cli/paths.js';
import type { CommandContext } from './command.js';

/** Spec files read for a command: the valid SLOs and every problem, paths as the user typed them. */
export interface LoadedSpecs {
  /** Absolute paths, in the order given. */
  readonly files: readonly string[];
  readonly slos: readonly SloSpec[];
  /** Problems with `location.file` shown relative to the working directory. */
  readonly problems: readonly SpecProblem[];
  readonly errors: number;
  readonly warnings: number;
}

/** A problem as JSON output carries it: flat, with the location spelled out. */
export interface ProblemJson {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly severity: 'error' | 'warning';
  readonly code: string;
  readonly field: string;
  readonly message: string;
  readonly fix: string;
}

/** Flattens a problem for `--json`. */
export function problemJson(problem: SpecProblem): ProblemJson {
  const { file, line, column } = problem.location;
  return {
    file,
    line,
    column,
    severity: problem.severity,
    code: problem.code,
    field: problem.field,
    message: problem.message,
    fix: problem.fix,
  };
}

/**
 * The spec files a command was given (`--slos` values and positional arguments, in that order).
 * @throws a usage error naming `--slos` and showing `example` when there are none.
 */
export function specFileArgs(context: CommandContext, command: string, example: string): string[] {
  const files = [...many(context.args, 'slos'), ...context.args.positionals];
  if (files.length === 0) throw missing(command, '--slos <files…>', example);
  return files;
}

/**
 * Reads spec files with @srekit/slo's `checkSloSpecFiles` (all files together, so ids are unique
 * and OpenSLO references resolve across them). Never throws for a bad or missing file: those are
 * problems with a location.
 */
export async function readSpecs(
  context: CommandContext,
  paths: readonly string[],
): Promise<LoadedSpecs> {
  const { cwd } = context.io;
  const files = paths.map((path) => resolvePath(cwd, path));
  context.progress.update(`reading ${files.length} spec file${files.length === 1 ? '' : 's'}…`);
  const result = await checkSloSpecFiles(files);
  const problems = result.problems.map((problem) => ({
    ...problem,
    location: { ...problem.location, file: displayPath(cwd, problem.location.file) },
  }));
  return {
    files,
    slos: result.slos,
    problems,
    errors: problems.filter((p) => p.severity === 'error').length,
    warnings: problems.filter((p) => p.severity === 'warning').length,
  };
}

/**
 * For commands that need valid specs (generate, gate, report): prints every problem on stderr as
 * `file:line:column: severity field: message. fix (code)` and tells whether there were errors.
 * Warnings are printed and do not stop the command.
 */
export function reportSpecProblems(context: CommandContext, loaded: LoadedSpecs): boolean {
  const { style } = context;
  for (const problem of loaded.problems) {
    const line = formatProblem(problem);
    context.io.stderr.write(
      `${problem.severity === 'error' ? style.red(line) : style.yellow(line)}\n`,
    );
  }
  if (loaded.errors > 0) {
    context.io.stderr.write(
      `${loaded.errors} error${loaded.errors === 1 ? '' : 's'} in the SLO specs; fix them (\`srekit validate\` lists them too) and run again.\n`,
    );
    return true;
  }
  return false;
}

/**
 * The end of a command (generate, gate, report) whose specs have errors: the problems on stderr,
 * with `--json` also one failure document (plus `extra` fields), and the exit code to return.
 */
export function failOnSpecErrors(
  context: CommandContext,
  loaded: LoadedSpecs,
  command: string,
  extra: Readonly<Record<string, unknown>> = {},
): number {
  context.progress.done();
  if (context.json) {
    context.printJson({
      command,
      ok: false,
      exitCode: EXIT_CODES.failure,
      ...extra,
      error: { code: SLO_ERROR_CODES.SPEC_INVALID, message: 'the SLO specs have errors' },
      problems: loaded.problems.map(problemJson),
    });
  }
  reportSpecProblems(context, loaded);
  return EXIT_CODES.failure;
}
