import { isSrekitError } from '@srekit/core';
import type { SloSource } from '@srekit/slo';
import { single } from '../cli/args.js';
import { CLI_ERROR_CODES, CliUsageError, EXIT_CODES } from '../cli/errors.js';
import { displayPath, resolvePath } from '../cli/paths.js';
import type { CommandContext } from './command.js';

/** Flags shared by `gate` and `report` that say where the numbers come from. */
export const SOURCE_FLAGS = {
  prometheus: {
    type: 'string',
    value: '<url>',
    description:
      'Prometheus base URL, e.g. http://localhost:9090 (reads the generated slo:* rules).',
  },
  results: {
    type: 'string',
    value: '<file.json>',
    description: 'A results file (srekit-results/v1: good/total per SLO id) instead of Prometheus.',
  },
  compat: {
    type: 'string',
    value: '<srekit|sloth>',
    description:
      'Label scheme of the rules loaded in Prometheus: srekit (slo_id, default) or sloth.',
  },
} as const;

/** The source named by `--prometheus` or `--results` (exactly one), or a usage error. */
export function sourceFrom(context: CommandContext, command: string): SloSource {
  const { args, io } = context;
  const prometheus = single(args, 'prometheus', command);
  const results = single(args, 'results', command);
  const compat = single(args, 'compat', command);
  if (compat !== undefined && compat !== 'srekit' && compat !== 'sloth') {
    throw new CliUsageError(
      CLI_ERROR_CODES.INVALID_ARGUMENT,
      `--compat "${compat}" is not a label scheme; use srekit (the default) or sloth.`,
      command,
    );
  }
  if (prometheus !== undefined && results !== undefined) {
    throw new CliUsageError(
      CLI_ERROR_CODES.INVALID_ARGUMENT,
      '--prometheus and --results are alternatives; give one of them.',
      command,
    );
  }
  if (results !== undefined) {
    // @srekit/slo reads the file itself and names it in messages as given: a path relative to
    // the process' directory reads the same file and keeps messages free of absolute paths.
    return { results: displayPath(process.cwd(), resolvePath(io.cwd, results)) };
  }
  if (prometheus === undefined) {
    throw new CliUsageError(
      CLI_ERROR_CODES.MISSING_ARGUMENT,
      `where to read the numbers is required: --prometheus <url> or --results <file.json>, e.g. \`srekit ${command} --slos slos.yaml --prometheus http://localhost:9090\`.`,
      command,
    );
  }
  let url: URL;
  try {
    url = new URL(prometheus);
  } catch {
    url = new URL('invalid:');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CliUsageError(
      CLI_ERROR_CODES.INVALID_ARGUMENT,
      `--prometheus "${prometheus}" is not an http(s) URL; give e.g. http://localhost:9090.`,
      command,
    );
  }
  return {
    prometheus,
    ...(compat === undefined ? {} : { compat }),
    ...(context.deps.fetch ? { fetch: context.deps.fetch } : {}),
  };
}

/**
 * Reports an error of the source (Prometheus unreachable, a bad results file) or of the slo
 * package, and gives the exit code; anything else is rethrown as a bug.
 */
export function sourceFailure(context: CommandContext, command: string, error: unknown): number {
  if (!isSrekitError(error)) throw error;
  context.progress.done();
  if (context.json) {
    context.printJson({
      command,
      ok: false,
      exitCode: EXIT_CODES.failure,
      error: { code: error.code, message: error.message },
    });
  }
  context.io.stderr.write(`${context.style.red(`srekit ${command}: ${error.message}`)}\n`);
  return EXIT_CODES.failure;
}
