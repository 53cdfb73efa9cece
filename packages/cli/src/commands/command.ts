import type { FlagSpec, ParsedArgs } from '../cli/args.js';
import type { CliDependencies, CliIo } from '../cli/io.js';
import type { Progress, Style } from '../cli/style.js';

/** What a command gets to do its work. */
export interface CommandContext {
  readonly io: CliIo;
  readonly deps: CliDependencies;
  readonly args: ParsedArgs;
  /** `--json` was given: print one JSON document on stdout and nothing else there. */
  readonly json: boolean;
  readonly style: Style;
  /** Progress line on stderr (a no-op off a TTY and with `--json`). */
  readonly progress: Progress;
  /** Writes one JSON document (2-space indented, trailing newline) on stdout. */
  printJson(value: unknown): void;
}

/** One `srekit` command: its help and its work. */
export interface Command {
  readonly name: string;
  /** One line for the top-level help. */
  readonly summary: string;
  /** The usage line without `srekit `, e.g. `validate <files…> [--json]`. */
  readonly usage: string;
  /** Paragraphs of `--help` below the usage line. */
  readonly description: string;
  readonly flags: Readonly<Record<string, FlagSpec>>;
  readonly examples: readonly string[];
  /** Does the work; resolves with the exit code. Usage errors are thrown as `CliUsageError`. */
  run(context: CommandContext): Promise<number>;
}
