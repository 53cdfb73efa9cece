import { parseArgs } from 'node:util';
import { didYouMean } from '@srekit/slo';
import { CLI_ERROR_CODES, CliUsageError } from './errors.js';

/** One flag of a command. */
export interface FlagSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  /** May be given more than once (`--slos a.yaml --slos b.yaml`). */
  readonly multiple?: boolean;
  /** Placeholder of the value in help, e.g. `<dir>`. */
  readonly value?: string;
  /** One line for `--help`. */
  readonly description: string;
}

/** What `parseCommandArgs` returns: flag values by name and the positional arguments. */
export interface ParsedArgs {
  readonly values: Readonly<Record<string, string | boolean | string[] | undefined>>;
  readonly positionals: readonly string[];
}

/** Flags every command takes. */
export const COMMON_FLAGS: Readonly<Record<string, FlagSpec>> = {
  help: { type: 'boolean', short: 'h', description: 'Show this help and exit.' },
  json: {
    type: 'boolean',
    description: 'Print one JSON document on stdout instead of text (for scripts and CI).',
  },
};

function flagNames(flags: Readonly<Record<string, FlagSpec>>): string[] {
  return Object.keys(flags).map((name) => `--${name}`);
}

/**
 * Parses a command's arguments with `node:util` `parseArgs` in strict mode. Its errors are
 * turned into {@link CliUsageError}s that name the flag and, for an unknown flag, the closest
 * known one (`--slo` → `--slos`).
 */
export function parseCommandArgs(
  command: string,
  argv: readonly string[],
  flags: Readonly<Record<string, FlagSpec>>,
): ParsedArgs {
  const all = { ...COMMON_FLAGS, ...flags };
  const options = Object.fromEntries(
    Object.entries(all).map(([name, spec]) => [
      name,
      {
        type: spec.type,
        ...(spec.short ? { short: spec.short } : {}),
        ...(spec.multiple ? { multiple: true } : {}),
      },
    ]),
  );
  try {
    const parsed = parseArgs({
      args: [...argv],
      options,
      strict: true,
      allowPositionals: true,
      allowNegative: false,
    } as Parameters<typeof parseArgs>[0]);
    return {
      values: parsed.values as ParsedArgs['values'],
      positionals: parsed.positionals,
    };
  } catch (error) {
    throw explain(command, argv, all, error);
  }
}

function explain(
  command: string,
  argv: readonly string[],
  flags: Readonly<Record<string, FlagSpec>>,
  error: unknown,
): unknown {
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string' || !code.startsWith('ERR_PARSE_ARGS')) return error;
  // Node's messages are good but generic; a second, lenient pass finds the offending token so
  // the message can name it and suggest the fix.
  const { tokens = [] } = parseArgs({
    args: [...argv],
    options: Object.fromEntries(
      Object.entries(flags).map(([name, spec]) => [
        name,
        { type: spec.type, ...(spec.short ? { short: spec.short } : {}) },
      ]),
    ),
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const spec = flags[token.name];
    if (!spec) {
      const typed = token.rawName;
      const names = flagNames(flags);
      const bare = typed.replace(/^-+/, '');
      // A typo finds its flag by edit distance; an abbreviation (`--min-budget`) by prefix.
      const prefixed = Object.keys(flags).filter((name) => name.startsWith(bare));
      const near =
        didYouMean(bare, Object.keys(flags)) ??
        (bare.length >= 3 && prefixed.length === 1 ? prefixed[0] : undefined);
      return new CliUsageError(
        CLI_ERROR_CODES.UNKNOWN_OPTION,
        `unknown flag ${typed} for \`srekit ${command}\`.${near ? ` Did you mean --${near}?` : ''} Flags: ${names.join(', ')}.`,
        command,
      );
    }
    if (spec.type === 'string' && token.value === undefined) {
      return new CliUsageError(
        CLI_ERROR_CODES.MISSING_ARGUMENT,
        `${token.rawName} needs a value: ${token.rawName} ${spec.value ?? '<value>'}.`,
        command,
      );
    }
    if (spec.type === 'boolean' && token.value !== undefined) {
      return new CliUsageError(
        CLI_ERROR_CODES.INVALID_ARGUMENT,
        `${token.rawName} takes no value (got "${token.value}").`,
        command,
      );
    }
  }
  return new CliUsageError(CLI_ERROR_CODES.INVALID_ARGUMENT, (error as Error).message, command);
}

/** The value of a string flag given at most once; a usage error when given twice. */
export function single(args: ParsedArgs, name: string, command: string): string | undefined {
  const value = args.values[name];
  if (Array.isArray(value)) {
    if (value.length > 1) {
      throw new CliUsageError(
        CLI_ERROR_CODES.INVALID_ARGUMENT,
        `--${name} is given ${value.length} times; give it once.`,
        command,
      );
    }
    return value[0];
  }
  return typeof value === 'string' ? value : undefined;
}

/** All values of a repeatable string flag (empty when absent). */
export function many(args: ParsedArgs, name: string): string[] {
  const value = args.values[name];
  if (Array.isArray(value)) return value;
  return typeof value === 'string' ? [value] : [];
}

/** A usage error for a required flag or argument that is missing. */
export function missing(command: string, what: string, example: string): CliUsageError {
  return new CliUsageError(
    CLI_ERROR_CODES.MISSING_ARGUMENT,
    `${what} is required, e.g. \`${example}\`.`,
    command,
  );
}

/** Parses a finite number flag, or throws a usage error naming it. */
export function numberFlag(
  value: string | undefined,
  name: string,
  command: string,
  check: (n: number) => boolean,
  expected: string,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || !check(n)) {
    throw new CliUsageError(
      CLI_ERROR_CODES.INVALID_ARGUMENT,
      `--${name} "${value}" is not ${expected}.`,
      command,
    );
  }
  return n;
}
