import { evaluateGate, formatGateResult, type GateResult, parseDuration } from '@srekit/slo';
import { numberFlag, single } from '../cli/args.js';
import { CLI_ERROR_CODES, CliUsageError, EXIT_CODES } from '../cli/errors.js';
import { burn, percent, seconds, table } from '../cli/format.js';
import type { Command, CommandContext } from './command.js';
import { SOURCE_FLAGS, sourceFailure, sourceFrom } from './source.js';
import { failOnSpecErrors, readSpecs, reportSpecProblems, specFileArgs } from './specs.js';

function gateTable(context: CommandContext, result: GateResult): string {
  const { style } = context;
  const rows = result.slos.map((slo) => [
    slo.sloId,
    `${slo.objective} %`,
    percent(slo.sli, 4),
    percent(slo.budgetRemaining),
    slo.burnRate === undefined
      ? `no data (${slo.burnRateWindow})`
      : // A results file without counts for the window: the gate used the whole run instead.
        `${burn(slo.burnRate)} (${slo.burnRates[slo.burnRateWindow] === undefined ? 'period' : slo.burnRateWindow})`,
    slo.timeToExhaustionSeconds === 0 ? 'exhausted' : seconds(slo.timeToExhaustionSeconds),
    slo.passed ? style.green('PASS') : style.red('FAIL'),
  ]);
  return table(
    ['SLO', 'objective', 'SLI', 'budget left', 'burn rate', 'exhausted in', 'result'],
    rows,
  );
}

/** JSON form of a gate result: dates as ISO 8601, everything else as the slo package returns it. */
export function gateJson(result: GateResult): Record<string, unknown> {
  return { ...result, at: result.at.toISOString() };
}

/**
 * `srekit gate`: the release gate. Reads each SLO's budget and burn rate from Prometheus or a
 * results file and fails (exit 1) when any SLO misses a threshold.
 */
export const gateCommand: Command = {
  name: 'gate',
  summary: 'Release gate: fail (exit 1) when an SLO has too little budget left or burns too fast.',
  usage:
    'gate --slos <files…> (--prometheus <url> | --results <file.json>) [--min-budget-remaining X] [--max-burn-rate Y] [--json]',
  description:
    'Checks every SLO of the specs: its error budget remaining over the period must be at least\n' +
    '--min-budget-remaining (a ratio; default 0: the SLO is met), and with --max-burn-rate its burn\n' +
    "rate over --burn-rate-window (default: the SLO's page-fast long window, 1h) must not exceed it.\n" +
    'An SLO without data fails unless --allow-missing-data is given. Prints a table and the reasons.',
  flags: {
    slos: {
      type: 'string',
      multiple: true,
      value: '<files…>',
      description: 'SLO spec files. Required.',
    },
    ...SOURCE_FLAGS,
    'min-budget-remaining': {
      type: 'string',
      value: '<ratio>',
      description: 'Share of the error budget that must remain, 0–1 (0.25 = 25 %). Default 0.',
    },
    'max-burn-rate': {
      type: 'string',
      value: '<rate>',
      description: 'Highest burn rate allowed, e.g. 2. Default: no burn-rate check.',
    },
    'burn-rate-window': {
      type: 'string',
      value: '<duration>',
      description:
        "Window of the burn-rate check, e.g. 6h. Default: each SLO's page-fast long window.",
    },
    'allow-missing-data': {
      type: 'boolean',
      description: 'Pass (with a warning) SLOs that have no data instead of failing them.',
    },
  },
  examples: [
    'srekit gate --slos slos.yaml --prometheus http://localhost:9090 --min-budget-remaining 0.25',
    'srekit gate --slos slos.yaml --results load-test.json --max-burn-rate 2',
  ],
  async run(context) {
    const { args, io } = context;
    const slosArgs = specFileArgs(
      context,
      'gate',
      'srekit gate --slos slos.yaml --results results.json',
    );
    const source = sourceFrom(context, 'gate');
    const minBudgetRemaining = numberFlag(
      single(args, 'min-budget-remaining', 'gate'),
      'min-budget-remaining',
      'gate',
      (n) => n <= 1,
      'a ratio ≤ 1 (0.25 means 25 % of the budget must remain)',
    );
    const maxBurnRate = numberFlag(
      single(args, 'max-burn-rate', 'gate'),
      'max-burn-rate',
      'gate',
      (n) => n > 0,
      'a positive burn rate (e.g. 1 or 14.4)',
    );
    const burnRateWindow = single(args, 'burn-rate-window', 'gate');
    if (burnRateWindow !== undefined && parseDuration(burnRateWindow) === undefined) {
      throw new CliUsageError(
        CLI_ERROR_CODES.INVALID_ARGUMENT,
        `--burn-rate-window "${burnRateWindow}" is not a Prometheus duration; give e.g. 1h or 6h.`,
        'gate',
      );
    }
    const loaded = await readSpecs(context, slosArgs);
    if (loaded.errors > 0) return failOnSpecErrors(context, loaded, 'gate');
    let result: GateResult;
    try {
      context.progress.update(`gating ${loaded.slos.length} SLOs…`);
      result = await evaluateGate(loaded.slos, source, {
        ...(minBudgetRemaining === undefined ? {} : { minBudgetRemaining }),
        ...(maxBurnRate === undefined ? {} : { maxBurnRate }),
        ...(burnRateWindow === undefined ? {} : { burnRateWindow }),
        requireData: args.values['allow-missing-data'] !== true,
      });
    } catch (error) {
      return sourceFailure(context, 'gate', error);
    }
    context.progress.done();
    const code = result.passed ? EXIT_CODES.ok : EXIT_CODES.failure;
    if (context.json) {
      context.printJson({ command: 'gate', ok: result.passed, ...gateJson(result) });
      return code;
    }
    if (loaded.warnings > 0) reportSpecProblems(context, loaded);
    io.stdout.write(`${gateTable(context, result)}\n${formatGateResult(result)}`);
    return code;
  },
};
