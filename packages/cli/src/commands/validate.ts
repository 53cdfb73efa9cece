import { missing } from '../cli/args.js';
import { EXIT_CODES } from '../cli/errors.js';
import { displayPath } from '../cli/paths.js';
import type { Command } from './command.js';
import { problemJson, readSpecs } from './specs.js';

/**
 * `srekit validate <files…>`: reads every spec file and reports all problems at once, errors and
 * warnings, grouped per file. Exit 1 on any error; warnings alone pass.
 */
export const validateCommand: Command = {
  name: 'validate',
  summary: 'Check SLO spec files (Sloth, OpenSLO, srekit) and list every problem at once.',
  usage: 'validate <files…> [--json]',
  description:
    'Reads the spec files together (SLO ids must be unique across them; OpenSLO references resolve\n' +
    'across them) and prints every error and warning, grouped per file, as\n' +
    '`file:line:col  severity  code  message` with the fix below. Warnings do not fail.',
  flags: {},
  examples: ['srekit validate slos/*.yaml', 'srekit validate slos.yaml --json'],
  async run(context) {
    const { args, io, style } = context;
    if (args.positionals.length === 0) {
      throw missing('validate', 'at least one spec file', 'srekit validate slos.yaml');
    }
    const loaded = await readSpecs(context, args.positionals);
    context.progress.done();
    const { cwd } = io;
    const byFile = loaded.files.map((abs) => {
      const shown = displayPath(cwd, abs);
      const problems = loaded.problems.filter((p) => p.location.file === shown);
      const slos = loaded.slos.filter((slo) => slo.source.location.file === abs).map((s) => s.id);
      return { file: shown, slos, problems };
    });
    // A problem whose file is none of the given ones (cannot happen today) still gets shown.
    const listed = new Set(byFile.flatMap((f) => f.problems));
    const others = loaded.problems.filter((p) => !listed.has(p));
    const ok = loaded.errors === 0;
    if (context.json) {
      context.printJson({
        command: 'validate',
        ok,
        errors: loaded.errors,
        warnings: loaded.warnings,
        files: byFile.map((f) => ({
          file: f.file,
          slos: f.slos,
          problems: f.problems.map(problemJson),
        })),
        ...(others.length > 0 ? { otherProblems: others.map(problemJson) } : {}),
      });
      return ok ? EXIT_CODES.ok : EXIT_CODES.failure;
    }
    const out: string[] = [];
    for (const group of [
      ...byFile,
      ...(others.length > 0 ? [{ file: '(other)', slos: [], problems: others }] : []),
    ]) {
      const errors = group.problems.filter((p) => p.severity === 'error').length;
      const warnings = group.problems.length - errors;
      const counts = [
        `${group.slos.length} SLO${group.slos.length === 1 ? '' : 's'}`,
        ...(errors > 0 ? [style.red(`${errors} error${errors === 1 ? '' : 's'}`)] : []),
        ...(warnings > 0 ? [style.yellow(`${warnings} warning${warnings === 1 ? '' : 's'}`)] : []),
      ];
      out.push(`${style.bold(group.file)}  ${counts.join(', ')}`);
      for (const problem of group.problems) {
        const { file, line, column } = problem.location;
        const severity =
          problem.severity === 'error' ? style.red('error  ') : style.yellow('warning');
        out.push(
          `  ${file}:${line}:${column}  ${severity}  ${problem.code}  ${problem.field}: ${problem.message}.`,
        );
        out.push(`      ${style.dim(`fix: ${problem.fix}`)}`);
      }
    }
    const total = loaded.slos.length;
    const summary = `${loaded.files.length} file${loaded.files.length === 1 ? '' : 's'}, ${total} valid SLO${total === 1 ? '' : 's'}: ${loaded.errors} error${loaded.errors === 1 ? '' : 's'}, ${loaded.warnings} warning${loaded.warnings === 1 ? '' : 's'}`;
    out.push(ok ? style.green(`ok  ${summary}`) : style.red(`failed  ${summary}`));
    io.stdout.write(`${out.join('\n')}\n`);
    return ok ? EXIT_CODES.ok : EXIT_CODES.failure;
  },
};
