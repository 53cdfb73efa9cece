import { readFileSync } from 'node:fs';
import { isSrekitError } from '@srekit/core';
import { didYouMean } from '@srekit/slo';
import { parseCommandArgs } from './cli/args.js';
import { CLI_ERROR_CODES, CliUsageError, EXIT_CODES, isCliUsageError } from './cli/errors.js';
import { commandHelp, topHelp } from './cli/help.js';
import type { CliDependencies, CliIo } from './cli/io.js';
import { createProgress, createStyle } from './cli/style.js';
import type { Command, CommandContext } from './commands/command.js';
import { COMMANDS } from './commands/index.js';

/** The package version, read from package.json (next to both `src/` and `dist/`). */
export function cliVersion(): string {
  try {
    const text = readFileSync(new URL('../package.json', import.meta.url), 'utf8');
    return (JSON.parse(text) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

function usageFailure(
  io: CliIo,
  error: CliUsageError,
  json: boolean,
  command: Command | undefined,
): number {
  const style = createStyle(io);
  if (json) {
    io.stdout.write(
      `${JSON.stringify(
        {
          command: command?.name ?? null,
          ok: false,
          exitCode: EXIT_CODES.usage,
          error: { code: error.code, message: error.plainMessage },
        },
        null,
        2,
      )}\n`,
    );
  }
  const usage = command ? `Usage: srekit ${command.usage}` : 'Usage: srekit <command> [flags]';
  const more = command ? `srekit ${command.name} --help` : 'srekit --help';
  io.stderr.write(
    `${style.red(`srekit: ${error.plainMessage}`)} (${error.code})\n${usage}\nSee \`${more}\`.\n`,
  );
  return EXIT_CODES.usage;
}

/**
 * Runs `srekit` with the given arguments (without `node` and the script) and resolves with the
 * exit code: 0 ok, 1 failure (validation errors, gate failed, stale files, unreadable source),
 * 2 usage error. Never throws for bad input and never calls `process.exit`, so tests call it
 * directly with buffers for the streams.
 *
 * @example
 * const code = await run(['budget', '99.9', '30d'], {
 *   stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), env: process.env,
 *   isTTY: process.stdout.isTTY === true,
 * });
 */
export async function run(
  argv: readonly string[],
  io: CliIo,
  deps: CliDependencies = {},
): Promise<number> {
  const [first, ...rest] = argv;
  const wantsJson = argv.includes('--json');
  if (first === undefined) {
    io.stderr.write(topHelp(COMMANDS, cliVersion()));
    return EXIT_CODES.usage;
  }
  if (first === '--help' || first === '-h' || first === 'help') {
    const topic = first === 'help' ? rest[0] : undefined;
    const command = COMMANDS.find((c) => c.name === topic);
    if (topic !== undefined && !command) return unknownCommand(io, topic, wantsJson);
    io.stdout.write(command ? commandHelp(command) : topHelp(COMMANDS, cliVersion()));
    return EXIT_CODES.ok;
  }
  if (first === '--version' || first === '-v') {
    if (wantsJson) {
      io.stdout.write(`${JSON.stringify({ name: '@srekit/cli', version: cliVersion() })}\n`);
    } else {
      io.stdout.write(`${cliVersion()}\n`);
    }
    return EXIT_CODES.ok;
  }
  const command = COMMANDS.find((c) => c.name === first);
  if (!command) return unknownCommand(io, first, wantsJson);

  let context: CommandContext | undefined;
  try {
    const args = parseCommandArgs(command.name, rest, command.flags);
    if (args.values.help === true) {
      io.stdout.write(commandHelp(command));
      return EXIT_CODES.ok;
    }
    const json = args.values.json === true;
    const style = createStyle(io);
    context = {
      io,
      deps,
      args,
      json,
      style,
      progress: createProgress(io, !json),
      printJson: (value) => io.stdout.write(`${JSON.stringify(value, null, 2)}\n`),
    };
    return await command.run(context);
  } catch (error) {
    context?.progress.done();
    if (isCliUsageError(error)) return usageFailure(io, error, wantsJson, command);
    // Anything else that srekit raised is a failure with a code; a plain Error is a bug, shown
    // with its stack so it can be reported.
    const message = isSrekitError(error)
      ? error.message
      : `unexpected error: ${(error as Error)?.stack ?? String(error)}`;
    if (wantsJson) {
      io.stdout.write(
        `${JSON.stringify(
          {
            command: command.name,
            ok: false,
            exitCode: EXIT_CODES.failure,
            error: { code: isSrekitError(error) ? error.code : 'ERR_UNEXPECTED', message },
          },
          null,
          2,
        )}\n`,
      );
    }
    io.stderr.write(`${createStyle(io).red(`srekit ${command.name}: ${message}`)}\n`);
    return EXIT_CODES.failure;
  }
}

function unknownCommand(io: CliIo, name: string, json: boolean): number {
  const near = didYouMean(
    name,
    COMMANDS.map((c) => c.name),
  );
  const error = new CliUsageError(
    CLI_ERROR_CODES.UNKNOWN_COMMAND,
    `unknown command "${name}".${near ? ` Did you mean \`srekit ${near}\`?` : ''} Commands: ${COMMANDS.map((c) => c.name).join(', ')}.`,
  );
  return usageFailure(io, error, json, undefined);
}
