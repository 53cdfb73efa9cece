import { invalidArgument } from '../errors.js';
import type { SloData, SloDataSet, TierStatus, WindowData } from '../gate/slo-data.js';
import type { Sli, SloSpec } from '../types.js';
import {
  formatBurnRate,
  formatDate,
  formatErrorRatio,
  formatPercent,
  formatSeconds,
  formatSli,
  NO_DATA,
} from './format.js';
import { type Recommendation, recommend } from './recommendations.js';

/** Options of {@link buildReport}. */
export interface ReportOptions {
  /** Title of the report. Default `SLO report`. */
  readonly title?: string;
  /** The time forecasts count from. Default: the data's time (`data.at`). */
  readonly now?: Date;
}

/** The SLI of an SLO in words, with the queries behind it. */
export interface SliDescription {
  /** One sentence, e.g. `bad events ÷ all events`. */
  readonly summary: string;
  /** Named queries, e.g. `[['errors', 'sum(rate(...))'], ['total', '...']]`. */
  readonly queries: readonly (readonly [label: string, query: string])[];
}

/** When the budget runs out at the current burn rate. */
export interface Forecast {
  /** Seconds from `now`; 0 = already exhausted; `undefined` = not exhausting or no data. */
  readonly seconds?: number;
  /** The moment, when it is in the future. */
  readonly date?: Date;
  /** Plain words: `1d 1h (2024-05-02 13:00 UTC)`, `exhausted`, `not at the current burn rate`, `no data`. */
  readonly text: string;
  /** What the forecast rests on (a window or the srekit exhaustion rule). */
  readonly basis: string;
}

/** One SLO's section of the report. */
export interface SloReportEntry {
  readonly sloId: string;
  readonly service: string;
  readonly name: string;
  readonly description?: string;
  /** Objective as written, e.g. `99.9`. */
  readonly objectiveText: string;
  readonly sli: SliDescription;
  /** The numbers (from `collectSloData()`). */
  readonly data: SloData;
  /** Remaining budget as seconds of full outage; `undefined` without data, 0 once exhausted. */
  readonly budgetRemainingSeconds?: number;
  readonly forecast: Forecast;
  /** Tiers whose burn-rate condition holds now. */
  readonly firingTiers: readonly TierStatus[];
  readonly recommendations: readonly Recommendation[];
}

/** A whole report: structured, and rendered as Markdown. */
export interface SloReport {
  readonly title: string;
  /** When the numbers hold. */
  readonly at: Date;
  /** Where they came from. */
  readonly source: string;
  readonly description?: string;
  readonly slos: readonly SloReportEntry[];
  /** Source-level warnings. */
  readonly warnings: readonly string[];
  /** The report as GitHub-flavoured Markdown. */
  readonly markdown: string;
}

/** Describes an SLI in words, with its queries. */
export function describeSli(sli: Sli): SliDescription {
  switch (sli.kind) {
    case 'events':
      return {
        summary: 'bad events ÷ all events',
        queries: [
          ['errors', sli.errorQuery],
          ['total', sli.totalQuery],
        ],
      };
    case 'good-events':
      return {
        summary: 'good events ÷ all events',
        queries: [
          ['good', sli.goodQuery],
          ['total', sli.totalQuery],
        ],
      };
    case 'raw':
      return {
        summary: 'error ratio from a query',
        queries: [['error ratio', sli.errorRatioQuery]],
      };
    case 'latency': {
      const selector = sli.selector ? `{${sli.selector}}` : '';
      return {
        summary: `requests slower than ${sli.thresholdSeconds} s ÷ all requests`,
        queries: [
          ['faster', `${sli.metric}_bucket${selectorWith(sli.selector, `le="${sli.le}"`)}`],
          ['total', `${sli.metric}_count${selector}`],
        ],
      };
    }
    case 'threshold': {
      const op = { lt: '<', lte: '≤', gt: '>', gte: '≥' }[sli.op];
      return {
        summary: `time slices where the query is ${op} ${sli.threshold} are good`,
        queries: [['query', sli.query]],
      };
    }
  }
}

function selectorWith(selector: string, extra: string): string {
  return `{${[selector.trim(), extra].filter((part) => part.length > 0).join(',')}}`;
}

function forecastOf(data: SloData, now: Date): Forecast {
  const basis = data.forecastBasis;
  const seconds = data.timeToExhaustionSeconds;
  if (seconds === 0) return { seconds: 0, text: 'exhausted', basis };
  if (seconds === undefined) {
    return {
      text: data.budgetRemaining === undefined ? NO_DATA : 'not at the current burn rate',
      basis,
    };
  }
  const date = new Date(now.getTime() + seconds * 1000);
  if (Number.isNaN(date.getTime())) {
    return { seconds, text: `${formatSeconds(seconds)}`, basis };
  }
  return { seconds, date, text: `${formatSeconds(seconds)} (${formatDate(date)})`, basis };
}

/**
 * Builds the SLO report from numbers collected with `collectSloData()` (the same collection the
 * gate uses): per SLO its objective, SLI, budget remaining (ratio and time), burn rate per
 * window, exhaustion forecast (duration and date), firing tiers and recommendations computed from
 * the numbers. Zero traffic reads "no data"; no NaN or Infinity appears anywhere. Render it as
 * HTML with `renderReportHtml()`.
 *
 * @example
 * const data = await collectSloData(specs, { prometheus: 'http://localhost:9090' });
 * const report = buildReport(specs, data);
 * await writeFile('slo-report.md', report.markdown);
 */
export function buildReport(
  specs: readonly SloSpec[],
  data: SloDataSet,
  options: ReportOptions = {},
): SloReport {
  const now = options.now ?? data.at;
  const byId = new Map(data.slos.map((slo) => [slo.sloId, slo]));
  const slos = specs.map((spec): SloReportEntry => {
    const slo = byId.get(spec.id);
    if (!slo) {
      invalidArgument(
        'data',
        `it has no numbers for SLO "${spec.id}"`,
        'Collect the data with the same specs that are passed to the report.',
      );
    }
    const remaining = slo.budgetRemaining;
    return {
      sloId: spec.id,
      service: spec.service,
      name: spec.name,
      ...(spec.description ? { description: spec.description } : {}),
      objectiveText: spec.objectiveText,
      sli: describeSli(spec.sli),
      data: slo,
      ...(remaining === undefined
        ? {}
        : { budgetRemainingSeconds: Math.max(0, remaining) * slo.budgetSeconds }),
      forecast: forecastOf(slo, now),
      firingTiers: slo.tiers.filter((t) => t.firing === true),
      recommendations: recommend(spec, slo),
    };
  });
  const base = {
    title: options.title ?? 'SLO report',
    at: data.at,
    source: data.source,
    ...(data.description ? { description: data.description } : {}),
    slos,
    warnings: data.warnings,
  };
  return { ...base, markdown: renderMarkdown(base) };
}

// ---------------------------------------------------------------------------------------------
// Wording shared by the Markdown and HTML renderers

/** `99.9 % over 30d`. */
export function objectiveLine(entry: SloReportEntry): string {
  return `${entry.objectiveText} % over ${entry.data.periodText}`;
}

/** `50 % (21m 36s of 43m 12s)`, or `no data`. */
export function budgetLine(entry: SloReportEntry): string {
  const { data } = entry;
  if (data.budgetRemaining === undefined) return NO_DATA;
  return `${formatPercent(data.budgetRemaining)} (${formatSeconds(entry.budgetRemainingSeconds)} of ${formatSeconds(data.budgetSeconds)})`;
}

/** `page-fast (page), ticket-fast (ticket)`, `none`, or `no data`. */
export function firingLine(entry: SloReportEntry): string {
  if (entry.firingTiers.length > 0) {
    return entry.firingTiers.map((t) => `${t.id} (${t.severity})`).join(', ');
  }
  const live = entry.data.tiers.filter((t) => t.enabled && t.reachable);
  return live.length > 0 && live.every((t) => t.firing === undefined) ? NO_DATA : 'none';
}

/** State of a tier in words. */
export function tierState(tier: TierStatus): string {
  if (!tier.enabled) return 'disabled';
  if (!tier.reachable) return 'can never fire';
  if (tier.firing === undefined) return NO_DATA;
  return tier.firing ? 'firing' : 'ok';
}

/** `1h / 5m`. */
export function tierWindows(tier: TierStatus): string {
  return `${tier.longWindow} / ${tier.shortWindow}`;
}

/** Label of a window row (`30d (period)`). */
export function windowLabel(window: WindowData): string {
  return window.period ? `${window.window} (period)` : window.window;
}

/** Events column of a window row, or an empty string when counts are unknown. */
export function windowEvents(window: WindowData): string {
  return window.events
    ? `${window.events.total - window.events.good} of ${window.events.total}`
    : '';
}

/** `the 1h burn rate` / `slo:time_to_exhaustion:seconds`. */
export function forecastBasisLine(forecast: Forecast): string {
  return forecast.basis.startsWith('slo:')
    ? `the recorded ${forecast.basis}`
    : `the burn rate over ${forecast.basis}`;
}

// ---------------------------------------------------------------------------------------------
// Markdown

function escapeText(text: string): string {
  return text.replace(/[\\`*[\]<>]/g, (c) => `\\${c}`);
}

function cell(text: string): string {
  return escapeText(text).replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function code(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const flat = text.replace(/\s*\r?\n\s*/g, ' ').trim();
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

function table(headers: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [
    `| ${headers.map(cell).join(' | ')} |`,
    `|${headers.map(() => '---').join('|')}|`,
    ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
  ];
}

function renderMarkdown(report: Omit<SloReport, 'markdown'>): string {
  const lines: string[] = [`# ${escapeText(report.title)}`, ''];
  lines.push(`As of ${formatDate(report.at)}, from ${escapeText(report.source)}.`, '');
  if (report.description) lines.push(escapeText(report.description), '');
  for (const warning of report.warnings) lines.push(`> **Warning:** ${escapeText(warning)}`, '');

  lines.push(
    ...table(
      ['SLO', 'objective', 'SLI', 'budget remaining', 'exhausted in', 'firing'],
      report.slos.map((e) => [
        e.sloId,
        objectiveLine(e),
        formatSli(e.data.sli),
        budgetLine(e),
        e.forecast.text,
        firingLine(e),
      ]),
    ),
    '',
  );

  for (const entry of report.slos) {
    const { data } = entry;
    lines.push(`## ${escapeText(entry.sloId)}`, '');
    if (entry.description) lines.push(escapeText(entry.description), '');
    lines.push(
      `- **Objective:** ${objectiveLine(entry)} (an error budget of ${formatErrorRatio(data.allowedErrorRatio)} of events, ${formatSeconds(data.budgetSeconds)} of full outage)`,
      `- **SLI:** ${escapeText(entry.sli.summary)}; ${entry.sli.queries
        .map(([label, query]) => `${escapeText(label)} ${code(query)}`)
        .join(', ')}`,
      `- **SLI over the period:** ${formatSli(data.sli)}${data.events ? ` (${data.events.good} good of ${data.events.total})` : ''}`,
      `- **Error budget remaining:** ${budgetLine(entry)}`,
      `- **Budget exhausted in:** ${entry.forecast.text}${entry.forecast.seconds === undefined && data.budgetRemaining === undefined ? '' : `, from ${escapeText(forecastBasisLine(entry.forecast))}`}`,
      `- **Firing tiers:** ${escapeText(firingLine(entry))}`,
      '',
      '### Burn rates',
      '',
      ...table(
        data.events
          ? ['window', 'error ratio', 'burn rate', 'bad events']
          : ['window', 'error ratio', 'burn rate'],
        data.windows.map((w) => {
          const row = [windowLabel(w), formatErrorRatio(w.errorRatio), formatBurnRate(w.burnRate)];
          return data.events ? [...row, windowEvents(w) || NO_DATA] : row;
        }),
      ),
      '',
      '### Alert tiers',
      '',
      ...table(
        ['tier', 'severity', 'windows', 'fires above', 'long window', 'short window', 'state'],
        data.tiers.map((t) => [
          t.id,
          t.severity,
          tierWindows(t),
          formatBurnRate(t.burnFactor),
          formatBurnRate(t.longBurnRate),
          formatBurnRate(t.shortBurnRate),
          tierState(t),
        ]),
      ),
      '',
      '### Recommendations',
      '',
    );
    if (entry.recommendations.length === 0) lines.push('- none: nothing stands out', '');
    else {
      for (const r of entry.recommendations) lines.push(`- **${r.level}:** ${escapeText(r.text)}`);
      lines.push('');
    }
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
