import type { Command } from '../commands/command.js';
import type { FlagSpec } from './args.js';
import { COMMON_FLAGS } from './args.js';

const EXIT_LINE =
  'Exit codes: 0 ok; 1 validation errors, gate failed, stale files (--check) or a source that\n' +
  'cannot be read; 2 usage error (unknown command or flag, missing or malformed argument).';

function flagLines(flags: Readonly<Record<string, FlagSpec>>): string[] {
  const entries = Object.entries(flags).map(([name, spec]) => [
    `${spec.short ? `-${spec.short}, ` : '    '}--${name}${spec.value ? ` ${spec.value}` : ''}`,
    spec.description,
  ]);
  const width = Math.max(...entries.map(([left]) => (left as string).length));
  return entries.map(([left, right]) => `  ${(left as string).padEnd(width)}  ${right}`);
}

/** `srekit <command> --help`. */
export function commandHelp(command: Command): string {
  return `${[
    `srekit ${command.name}: ${command.summary}`,
    '',
    `Usage: srekit ${command.usage}`,
    '',
    command.description,
    '',
    'Flags:',
    ...flagLines({ ...command.flags, ...COMMON_FLAGS }),
    '',
    'Examples:',
    ...command.examples.map((example) => `  ${example}`),
    '',
    EXIT_LINE,
  ].join('\n')}\n`;
}

/** `srekit --help`. */
export function topHelp(commands: readonly Command[], version: string): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return `${[
    `srekit ${version}: SLOs as code for Node.js services.`,
    '',
    'Usage: srekit <command> [flags]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Flags:',
    '  -h, --help     Show help (`srekit <command> --help` for a command).',
    '  -v, --version  Print the version.',
    '',
    'Every command takes --json (one JSON document on stdout) and --help. Colour only on a',
    'terminal; NO_COLOR turns it off, FORCE_COLOR on.',
    '',
    EXIT_LINE,
  ].join('\n')}\n`;
}
