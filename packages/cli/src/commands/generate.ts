import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { formatRuleProblem, RULES_ERROR_CODES, type RulesCompat } from '@srekit/slo';
import { missing, single } from '../cli/args.js';
import { CLI_DEFAULTS } from '../cli/defaults.js';
import { CLI_ERROR_CODES, CliUsageError, EXIT_CODES } from '../cli/errors.js';
import { displayPath, resolvePath } from '../cli/paths.js';
import { allMixins } from '../mixins/index.js';
import type { Command } from './command.js';
import { isGeneratedDashboard, isGeneratedYaml, planGeneratedFiles } from './generated-files.js';
import { failOnSpecErrors, readSpecs, reportSpecProblems, specFileArgs } from './specs.js';

/** What happened (or, with `--check`, would happen) to one generated file. */
export type FileStatus = 'added' | 'changed' | 'unchanged' | 'removed';

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function listFiles(dir: string, extensions: readonly string[]): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries
      .filter((e) => e.isFile() && extensions.some((ext) => e.name.endsWith(ext)))
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}

/**
 * `srekit generate`: SLO rules, promtool tests, Alertmanager inhibit rules, the mixins' alerts and
 * Grafana dashboards, written deterministically. `--check` writes nothing and fails when any
 * file would change.
 */
export const generateCommand: Command = {
  name: 'generate',
  summary: 'Write Prometheus rules, promtool tests and Grafana dashboards (or --check them).',
  usage:
    'generate --slos <files…> --dashboards <dir> --alerts <dir> [--compat sloth] [--check] [--json]',
  description:
    'From the SLO specs: <alerts>/<spec-file-stem>.yaml (recording and burn-rate alert rules),\n' +
    `<alerts>/${CLI_DEFAULTS.alertTestsDir}/<slo-id>.test.yaml (promtool unit tests), <alerts>/${CLI_DEFAULTS.inhibitFile}.\n` +
    'From every mixin (core, slo, security, engine): <alerts>/<mixin>.yaml, its promtool tests in\n' +
    `<alerts>/${CLI_DEFAULTS.alertTestsDir}/<mixin>.test.yaml, and <dashboards>/<name>.json.\n` +
    'The same inputs always give the same bytes. Generated files that are no longer produced\n' +
    '(they carry the generated header, or the `srekit` tag for dashboards) are removed.\n' +
    'With --check nothing is written: the files that would be added, changed or removed are\n' +
    'listed and the exit code is 1 if there are any (for CI).',
  flags: {
    slos: {
      type: 'string',
      multiple: true,
      value: '<files…>',
      description: 'SLO spec files (Sloth prometheus/v1, OpenSLO v1, srekit/v1). Required.',
    },
    dashboards: {
      type: 'string',
      value: '<dir>',
      description: 'Directory for the Grafana dashboards. Required.',
    },
    alerts: {
      type: 'string',
      value: '<dir>',
      description: 'Directory for the Prometheus rule files and their tests. Required.',
    },
    compat: {
      type: 'string',
      value: '<srekit|sloth>',
      description: `Rule flavour: srekit (default) or sloth (what Sloth v0.16 writes, sloth_* labels).`,
    },
    check: {
      type: 'boolean',
      description: 'Write nothing; list the files that would change and exit 1 if any.',
    },
  },
  examples: [
    'srekit generate --slos slos/*.yaml --dashboards dashboards --alerts alerts',
    'srekit generate --slos slos/*.yaml --dashboards dashboards --alerts alerts --check',
  ],
  async run(context) {
    const { args, io, style } = context;
    const example = 'srekit generate --slos slos.yaml --dashboards dashboards --alerts alerts';
    const slosArgs = specFileArgs(context, 'generate', example);
    const dashboardsArg = single(args, 'dashboards', 'generate');
    if (dashboardsArg === undefined) throw missing('generate', '--dashboards <dir>', example);
    const alertsArg = single(args, 'alerts', 'generate');
    if (alertsArg === undefined) throw missing('generate', '--alerts <dir>', example);
    const compatArg = single(args, 'compat', 'generate') ?? CLI_DEFAULTS.compat;
    if (compatArg !== 'srekit' && compatArg !== 'sloth') {
      throw new CliUsageError(
        CLI_ERROR_CODES.INVALID_ARGUMENT,
        `--compat "${compatArg}" is not a rule flavour; use --compat srekit (the default) or --compat sloth.`,
        'generate',
      );
    }
    const compat: RulesCompat = compatArg;
    const check = args.values.check === true;

    const loaded = await readSpecs(context, slosArgs);
    if (loaded.errors > 0) return failOnSpecErrors(context, loaded, 'generate', { check });

    context.progress.update('generating rules, tests and dashboards…');
    const mixinsOf = context.deps.mixins ?? allMixins;
    const plan = planGeneratedFiles({
      specFiles: loaded.files,
      slos: loaded.slos,
      compat,
      mixins: mixinsOf({ specs: loaded.slos, compat }),
    });
    const ruleErrors = plan.ruleProblems.filter((p) => p.severity === 'error');
    if (ruleErrors.length > 0 || plan.conflicts.length > 0) {
      context.progress.done();
      const messages = [...plan.conflicts, ...ruleErrors.map(formatRuleProblem)];
      if (context.json) {
        context.printJson({
          command: 'generate',
          ok: false,
          exitCode: EXIT_CODES.failure,
          check,
          error: {
            code:
              plan.conflicts.length > 0
                ? CLI_ERROR_CODES.OUTPUT_CONFLICT
                : RULES_ERROR_CODES.UNSUPPORTED,
            message: messages.join('\n'),
          },
        });
      }
      for (const message of messages) io.stderr.write(`${style.red(message)}\n`);
      if (plan.conflicts.length > 0) {
        io.stderr.write('Rename the spec files so that every output file name is unique.\n');
      }
      return EXIT_CODES.failure;
    }
    if (!context.json) reportSpecProblems(context, loaded);
    for (const problem of plan.ruleProblems)
      io.stderr.write(`${style.yellow(formatRuleProblem(problem))}\n`);

    const alertsDir = resolvePath(io.cwd, alertsArg);
    const dashboardsDir = resolvePath(io.cwd, dashboardsArg);
    const wanted = new Map<string, string>();
    for (const [path, text] of plan.alerts) wanted.set(join(alertsDir, path), text);
    for (const [path, text] of plan.dashboards) wanted.set(join(dashboardsDir, path), text);

    const files: { path: string; status: FileStatus }[] = [];
    const writes: [string, string][] = [];
    for (const [path, text] of wanted) {
      const existing = await readText(path);
      const status: FileStatus =
        existing === undefined ? 'added' : existing === text ? 'unchanged' : 'changed';
      files.push({ path, status });
      if (status !== 'unchanged') writes.push([path, text]);
    }
    const stale: string[] = [];
    const testsDir = join(alertsDir, CLI_DEFAULTS.alertTestsDir);
    for (const dir of [alertsDir, testsDir]) {
      for (const name of await listFiles(dir, ['.yaml', '.yml'])) {
        const path = join(dir, name);
        if (wanted.has(path)) continue;
        if (isGeneratedYaml((await readText(path)) ?? '')) stale.push(path);
      }
    }
    for (const name of await listFiles(dashboardsDir, ['.json'])) {
      const path = join(dashboardsDir, name);
      if (wanted.has(path)) continue;
      if (isGeneratedDashboard((await readText(path)) ?? '')) stale.push(path);
    }
    for (const path of stale) files.push({ path, status: 'removed' });
    files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

    if (!check) {
      let done = 0;
      try {
        for (const [path, text] of writes) {
          context.progress.update(
            `writing ${++done}/${writes.length} ${displayPath(io.cwd, path)}`,
          );
          await mkdir(dirname(path), { recursive: true });
          await writeFile(path, text);
        }
        for (const path of stale) await rm(path, { force: true });
      } catch (error) {
        context.progress.done();
        const message = `cannot write ${displayPath(io.cwd, writes[done - 1]?.[0] ?? alertsDir)}: ${(error as Error).message}. Check that the output directories are writable.`;
        if (context.json) {
          context.printJson({
            command: 'generate',
            ok: false,
            exitCode: EXIT_CODES.failure,
            check,
            error: { code: CLI_ERROR_CODES.OUTPUT_WRITE, message },
          });
        }
        io.stderr.write(`${style.red(message)} (${CLI_ERROR_CODES.OUTPUT_WRITE})\n`);
        return EXIT_CODES.failure;
      }
    }
    context.progress.done();

    const count = (status: FileStatus): number => files.filter((f) => f.status === status).length;
    const changes = files.filter((f) => f.status !== 'unchanged');
    const ok = !check || changes.length === 0;
    if (context.json) {
      context.printJson({
        command: 'generate',
        ok,
        check,
        compat,
        slos: loaded.slos.map((s) => s.id),
        summary: {
          added: count('added'),
          changed: count('changed'),
          unchanged: count('unchanged'),
          removed: count('removed'),
        },
        files: files.map((f) => ({ path: displayPath(io.cwd, f.path), status: f.status })),
      });
      return ok ? EXIT_CODES.ok : EXIT_CODES.failure;
    }
    const lines: string[] = [];
    const colour = (status: FileStatus): string => {
      const padded = status.padEnd(7);
      if (status === 'added') return style.green(padded);
      return status === 'removed' ? style.red(padded) : style.yellow(padded);
    };
    for (const f of changes) lines.push(`  ${colour(f.status)}  ${displayPath(io.cwd, f.path)}`);
    const tally = `${files.length} file${files.length === 1 ? '' : 's'} (${count('added')} added, ${count('changed')} changed, ${count('unchanged')} unchanged, ${count('removed')} removed)`;
    if (check) {
      if (changes.length === 0) {
        lines.unshift(style.green(`ok  all generated files are current: ${files.length} files`));
      } else {
        lines.unshift(
          style.red(
            `stale  ${changes.length} generated file${changes.length === 1 ? '' : 's'} would change; run \`srekit generate\` without --check and commit the result:`,
          ),
        );
        lines.push(`(${CLI_ERROR_CODES.STALE_OUTPUT})`);
      }
    } else {
      lines.unshift(
        `generated ${loaded.slos.length} SLO${loaded.slos.length === 1 ? '' : 's'} (${compat}) and ${plan.dashboards.size} dashboard${plan.dashboards.size === 1 ? '' : 's'}: ${tally}`,
      );
    }
    io.stdout.write(`${lines.join('\n')}\n`);
    return ok ? EXIT_CODES.ok : EXIT_CODES.failure;
  },
};
