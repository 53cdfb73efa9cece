import {
  type AlertTierRow,
  alertTierTable,
  burnRate,
  detectionTime,
  errorBudget,
  formatDuration,
  formatNumber,
  objectiveText,
  parseDuration,
  timeToExhaustion,
} from '@srekit/slo';
import { missing, single } from '../cli/args.js';
import { CLI_ERROR_CODES, CliUsageError, EXIT_CODES } from '../cli/errors.js';
import { burn, errorRatio, percent, seconds, table } from '../cli/format.js';
import type { Command } from './command.js';

function parseRatio(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  const isPercent = trimmed.endsWith('%');
  const value = Number(isPercent ? trimmed.slice(0, -1) : trimmed);
  if (trimmed === '' || trimmed === '%' || !Number.isFinite(value)) return undefined;
  const ratio = isPercent ? value / 100 : value;
  return ratio >= 0 && ratio <= 1 ? ratio : undefined;
}

/** What one alert tier means, in a sentence for someone at an incident. */
export function tierMeaning(row: AlertTierRow, window: string): string {
  const action = row.severity === 'page' ? 'pages the on-call' : 'opens a ticket';
  return `${row.id}: ${action} when ${percent(row.budgetFraction)} of the ${window} budget is spent within ${formatDuration(row.longWindowSeconds)} (burn above ${burn(row.burnFactor)} over ${formatDuration(row.longWindowSeconds)} and ${formatDuration(row.shortWindowSeconds)}); at that rate the whole budget lasts ${seconds(row.exhaustsBudgetInSeconds)}.`;
}

/**
 * `srekit budget <objective> <window>`: the error-budget calculator for people at an incident —
 * the budget, the burn rate and time to exhaustion of an error ratio, the cost of an outage, and
 * what each alert tier means.
 */
export const budgetCommand: Command = {
  name: 'budget',
  summary:
    'Error-budget calculator: budget, burn rate, time to exhaustion, what each alert tier means.',
  usage: 'budget <objective> <window> [--error-ratio r] [--outage <duration>] [--json]',
  description:
    'objective in percent (99.9), window a Prometheus duration (30d, 4w). With --error-ratio\n' +
    '(0.005 or 0.5%): the burn rate, when a full budget is gone and which tiers fire. With\n' +
    '--outage (30m): how much of the budget a full outage of that length spends.',
  flags: {
    'error-ratio': {
      type: 'string',
      value: '<ratio>',
      description: 'Observed error ratio, bad ÷ total: 0.005 or 0.5%.',
    },
    outage: {
      type: 'string',
      value: '<duration>',
      description: 'Length of a full outage, e.g. 30m or 1h30m.',
    },
  },
  examples: ['srekit budget 99.9 30d', 'srekit budget 99.9 30d --error-ratio 0.5% --outage 30m'],
  async run(context) {
    const { args, io, style } = context;
    const [objectiveArg, windowArg, ...extra] = args.positionals;
    if (objectiveArg === undefined)
      throw missing('budget', '<objective>', 'srekit budget 99.9 30d');
    if (windowArg === undefined)
      throw missing('budget', '<window>', `srekit budget ${objectiveArg} 30d`);
    if (extra.length > 0) {
      throw new CliUsageError(
        CLI_ERROR_CODES.INVALID_ARGUMENT,
        `unexpected argument${extra.length === 1 ? '' : 's'} ${extra.join(' ')}; budget takes <objective> <window>.`,
        'budget',
      );
    }
    const objective = objectiveArg.replace(/\s*%$/, '');
    const text = objectiveText(objective);
    const objectiveNumber = Number(objective);
    if (text === undefined || !(objectiveNumber > 0 && objectiveNumber < 100)) {
      throw new CliUsageError(
        CLI_ERROR_CODES.INVALID_ARGUMENT,
        `objective "${objectiveArg}" is not a percentage strictly between 0 and 100; give e.g. 99.9.`,
        'budget',
      );
    }
    const windowSeconds = parseDuration(windowArg);
    if (windowSeconds === undefined) {
      throw new CliUsageError(
        CLI_ERROR_CODES.INVALID_ARGUMENT,
        `window "${windowArg}" is not a Prometheus duration; give e.g. 30d, 28d or 4w.`,
        'budget',
      );
    }
    const ratioArg = single(args, 'error-ratio', 'budget');
    const ratio = parseRatio(ratioArg);
    if (ratioArg !== undefined && ratio === undefined) {
      throw new CliUsageError(
        CLI_ERROR_CODES.INVALID_ARGUMENT,
        `--error-ratio "${ratioArg}" is not a ratio between 0 and 1; give e.g. 0.005 or 0.5%.`,
        'budget',
      );
    }
    const outageArg = single(args, 'outage', 'budget');
    const outageSeconds = outageArg === undefined ? undefined : parseDuration(outageArg);
    if (outageArg !== undefined && outageSeconds === undefined) {
      throw new CliUsageError(
        CLI_ERROR_CODES.INVALID_ARGUMENT,
        `--outage "${outageArg}" is not a Prometheus duration; give e.g. 30m or 1h30m.`,
        'budget',
      );
    }
    const window = formatDuration(windowSeconds);
    const budget = errorBudget({ objective: text, window: windowSeconds });
    const tiers = alertTierTable(windowSeconds, { objective: text });
    const rate = ratio === undefined ? undefined : burnRate(ratio, budget.allowedErrorRatio);
    const exhaustion =
      rate === undefined ? undefined : timeToExhaustion({ burnRate: rate, window: windowSeconds });
    const firing =
      ratio === undefined || rate === undefined
        ? []
        : tiers
            .filter((row) => rate > row.burnFactor && ratio > 0)
            .map((row) => ({
              tier: row.id,
              severity: row.severity,
              afterSeconds: detectionTime(row, row.burnFactor, budget.allowedErrorRatio, ratio),
            }));
    const outage =
      outageSeconds === undefined
        ? undefined
        : {
            seconds: outageSeconds,
            budgetSpent: outageSeconds / budget.budgetSeconds,
            budgetLeftSeconds: Math.max(0, budget.budgetSeconds - outageSeconds),
          };

    if (context.json) {
      context.printJson({
        command: 'budget',
        ok: true,
        objective: budget.objective,
        window,
        windowSeconds,
        allowedErrorRatio: budget.allowedErrorRatio,
        budgetSeconds: budget.budgetSeconds,
        ...(ratio === undefined
          ? {}
          : {
              errorRatio: ratio,
              burnRate: rate,
              timeToExhaustionSeconds: exhaustion ?? null,
              firingTiers: firing,
            }),
        ...(outage === undefined ? {} : { outage }),
        tiers: tiers.map((row) => ({ ...row, meaning: tierMeaning(row, window) })),
      });
      return EXIT_CODES.ok;
    }

    const lines: string[] = [];
    const oneIn = Math.round(1 / budget.allowedErrorRatio);
    lines.push(style.bold(`SLO ${budget.objective} % over ${window}`));
    lines.push(
      `  allowed error ratio   ${errorRatio(budget.allowedErrorRatio)} (${formatNumber(budget.allowedErrorRatio)}: 1 bad event in ${oneIn})`,
    );
    lines.push(
      `  error budget          ${seconds(budget.budgetSeconds)} of full outage (${formatNumber(budget.budgetSeconds)} s)`,
    );
    if (ratio !== undefined && rate !== undefined) {
      lines.push('', style.bold(`At an error ratio of ${errorRatio(ratio)}`));
      lines.push(`  burn rate             ${burn(rate)}`);
      lines.push(
        `  budget exhausted in   ${exhaustion === undefined ? 'never (nothing is being spent)' : `${seconds(exhaustion)} (a full budget)`}`,
      );
      lines.push(
        `  alert tiers firing    ${
          firing.length === 0
            ? 'none'
            : firing.map((f) => `${f.tier} after ${seconds(f.afterSeconds)}`).join(', ')
        }`,
      );
    }
    if (outage !== undefined) {
      const over = outage.budgetSpent > 1;
      lines.push('', style.bold(`A full outage of ${formatDuration(outage.seconds)}`));
      lines.push(
        `  spends                ${over ? style.red(percent(outage.budgetSpent)) : percent(outage.budgetSpent)} of the budget`,
      );
      lines.push(
        `  leaves                ${over ? style.red('nothing: the budget is overspent') : `${seconds(outage.budgetLeftSeconds)} (${percent(1 - outage.budgetSpent)})`}`,
      );
    }
    lines.push('', style.bold('Alert tiers (SRE Workbook ch. 5: multi-window, multi-burn-rate)'));
    const rows = tiers.map((row) => [
      row.id,
      row.severity,
      burn(row.burnFactor),
      `${formatDuration(row.longWindowSeconds)} / ${formatDuration(row.shortWindowSeconds)}`,
      row.reachable === false
        ? style.red(`${errorRatio(row.errorRatioThreshold)} (never)`)
        : errorRatio(row.errorRatioThreshold),
      percent(row.budgetFraction),
      seconds(row.detectionSeconds),
      seconds(row.exhaustsBudgetInSeconds),
    ]);
    lines.push(
      table(
        [
          'tier',
          'severity',
          'burn',
          'long / short',
          'error ratio',
          'budget spent',
          'outage fires in',
          'budget gone in',
        ],
        rows,
      )
        .trimEnd()
        .split('\n')
        .map((line) => `  ${line}`)
        .join('\n'),
    );
    lines.push('', style.bold('What the tiers mean'));
    for (const row of tiers) lines.push(`  ${tierMeaning(row, window)}`);
    io.stdout.write(`${lines.join('\n')}\n`);
    return EXIT_CODES.ok;
  },
};
