import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { buildReport, collectSloData, renderReportHtml, type SloReport } from '@srekit/slo';
import { single } from '../cli/args.js';
import { CLI_DEFAULTS } from '../cli/defaults.js';
import { CLI_ERROR_CODES, CliUsageError, EXIT_CODES } from '../cli/errors.js';
import { displayPath, resolvePath } from '../cli/paths.js';
import type { Command } from './command.js';
import { SOURCE_FLAGS, sourceFailure, sourceFrom } from './source.js';
import { failOnSpecErrors, readSpecs, reportSpecProblems, specFileArgs } from './specs.js';

/** JSON form of a report: dates as ISO 8601, the rendered Markdown left out (it is the text output). */
export function reportJson(report: SloReport): Record<string, unknown> {
  const { markdown: _markdown, ...rest } = report;
  return JSON.parse(JSON.stringify(rest)) as Record<string, unknown>;
}

/** `srekit report`: the SLO report (budgets, burn rates, forecasts, recommendations) as Markdown or HTML. */
export const reportCommand: Command = {
  name: 'report',
  summary: 'The SLO report with recommendations, as Markdown or HTML.',
  usage:
    'report --slos <files…> (--prometheus <url> | --results <file.json>) [--format md|html] [--out <file>] [--json]',
  description:
    'Reads every SLO from Prometheus (or a results file) and writes the report of @srekit/slo:\n' +
    'objective, SLI, budget remaining, burn rate per window, alert tiers firing, time to exhaustion\n' +
    'and recommendations. To stdout unless --out is given. A report never fails on the numbers;\n' +
    'use `srekit gate` for that.',
  flags: {
    slos: {
      type: 'string',
      multiple: true,
      value: '<files…>',
      description: 'SLO spec files. Required.',
    },
    ...SOURCE_FLAGS,
    format: {
      type: 'string',
      value: '<md|html>',
      description: `Output format. Default ${CLI_DEFAULTS.reportFormat}.`,
    },
    out: { type: 'string', value: '<file>', description: 'Write the report to this file.' },
    title: {
      type: 'string',
      value: '<text>',
      description: 'Title of the report. Default "SLO report".',
    },
  },
  examples: [
    'srekit report --slos slos.yaml --prometheus http://localhost:9090 --format html --out slo-report.html',
  ],
  async run(context) {
    const { args, io } = context;
    const slosArgs = specFileArgs(
      context,
      'report',
      'srekit report --slos slos.yaml --prometheus http://localhost:9090',
    );
    const format = single(args, 'format', 'report') ?? CLI_DEFAULTS.reportFormat;
    if (format !== 'md' && format !== 'html') {
      throw new CliUsageError(
        CLI_ERROR_CODES.INVALID_ARGUMENT,
        `--format "${format}" is not a report format; use --format md or --format html.`,
        'report',
      );
    }
    const source = sourceFrom(context, 'report');
    const out = single(args, 'out', 'report');
    const title = single(args, 'title', 'report');
    const loaded = await readSpecs(context, slosArgs);
    if (loaded.errors > 0) return failOnSpecErrors(context, loaded, 'report');
    let report: SloReport;
    try {
      context.progress.update(`reading ${loaded.slos.length} SLOs…`);
      const data = await collectSloData(loaded.slos, source);
      report = buildReport(loaded.slos, data, {
        ...(title === undefined ? {} : { title }),
        ...(context.deps.now ? { now: context.deps.now() } : {}),
      });
    } catch (error) {
      return sourceFailure(context, 'report', error);
    }
    const text = format === 'html' ? renderReportHtml(report) : report.markdown;
    let outPath: string | undefined;
    if (out !== undefined) {
      outPath = resolvePath(io.cwd, out);
      try {
        await mkdir(dirname(outPath), { recursive: true });
        await writeFile(outPath, text);
      } catch (error) {
        context.progress.done();
        const message = `cannot write ${out}: ${(error as Error).message}. Check the path.`;
        if (context.json) {
          context.printJson({
            command: 'report',
            ok: false,
            exitCode: EXIT_CODES.failure,
            error: { code: CLI_ERROR_CODES.OUTPUT_WRITE, message },
          });
        }
        io.stderr.write(`${context.style.red(message)} (${CLI_ERROR_CODES.OUTPUT_WRITE})\n`);
        return EXIT_CODES.failure;
      }
    }
    context.progress.done();
    if (context.json) {
      context.printJson({
        command: 'report',
        ok: true,
        format,
        ...(outPath ? { out: displayPath(io.cwd, outPath) } : {}),
        report: reportJson(report),
      });
      return EXIT_CODES.ok;
    }
    if (loaded.warnings > 0) reportSpecProblems(context, loaded);
    if (outPath) {
      io.stdout.write(
        `wrote the ${format === 'html' ? 'HTML' : 'Markdown'} report of ${report.slos.length} SLO${report.slos.length === 1 ? '' : 's'} to ${displayPath(io.cwd, outPath)}\n`,
      );
    } else {
      io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    }
    return EXIT_CODES.ok;
  },
};
