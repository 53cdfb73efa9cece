import { SrekitError } from '@srekit/core';

/**
 * Stable error codes of the `srekit` command. Usage errors (exit code 2) and failures of the
 * command's own work (exit code 1); each is listed with its cause and fix in `docs/error-codes.md`.
 */
export const CLI_ERROR_CODES = {
  /** The first argument is not a command `srekit` knows (exit 2). */
  UNKNOWN_COMMAND: 'ERR_SREKIT_CLI_UNKNOWN_COMMAND',
  /** A flag the command does not take (exit 2); the message suggests the closest one. */
  UNKNOWN_OPTION: 'ERR_SREKIT_CLI_UNKNOWN_OPTION',
  /** A required argument or flag, or a flag's value, is missing (exit 2). */
  MISSING_ARGUMENT: 'ERR_SREKIT_CLI_MISSING_ARGUMENT',
  /** An argument or flag value is malformed, e.g. `--format pdf` or `--max-burn-rate abc` (exit 2). */
  INVALID_ARGUMENT: 'ERR_SREKIT_CLI_INVALID_ARGUMENT',
  /** `generate --check`: generated files differ from what the specs and mixins give (exit 1). */
  STALE_OUTPUT: 'ERR_SREKIT_CLI_STALE_OUTPUT',
  /** Two generated files would have the same path, e.g. a spec file named like a mixin (exit 1). */
  OUTPUT_CONFLICT: 'ERR_SREKIT_CLI_OUTPUT_CONFLICT',
  /** An output file or directory could not be written (exit 1). */
  OUTPUT_WRITE: 'ERR_SREKIT_CLI_OUTPUT_WRITE',
  /** The mixins' `selector` option is not a list of PromQL label matchers any series can meet. */
  INVALID_SELECTOR: 'ERR_SREKIT_CLI_INVALID_SELECTOR',
} as const;

/** Union of the codes in {@link CLI_ERROR_CODES}. */
export type CliErrorCode = (typeof CLI_ERROR_CODES)[keyof typeof CLI_ERROR_CODES];

/** Exit codes of `srekit`: the contract scripts and CI rely on. */
export const EXIT_CODES = {
  /** Everything passed. */
  ok: 0,
  /** The work ran and found a failure: validation errors, a failed gate, stale files, a source that could not be read. */
  failure: 1,
  /** The command line is wrong: unknown command or flag, missing or malformed argument. */
  usage: 2,
} as const;

/**
 * A usage error: the command line itself is wrong. `srekit` prints the message (with a
 * did-you-mean when one is close) and the command's usage line, and exits with code 2.
 */
export class CliUsageError extends SrekitError {
  /** The command whose usage to show, when known. */
  readonly command: string | undefined;
  /** The message without the code and help link, as the terminal shows it. */
  readonly plainMessage: string;

  constructor(code: CliErrorCode, message: string, command?: string) {
    super(code, message);
    this.name = 'CliUsageError';
    this.command = command;
    this.plainMessage = message;
  }
}

/** True for a {@link CliUsageError} from any copy of the package (no `instanceof`). */
export function isCliUsageError(value: unknown): value is CliUsageError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { name?: unknown }).name === 'CliUsageError' &&
    typeof (value as { plainMessage?: unknown }).plainMessage === 'string'
  );
}
