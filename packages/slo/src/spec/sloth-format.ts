import * as z from 'zod';
import { formatNumber, objectiveText as toObjectiveText } from '../decimal.js';
import { DEFAULT_ALERT_TIERS, SLO_DEFAULTS } from '../defaults.js';
import { formatDuration, parseDuration } from '../duration.js';
import { SLO_ERROR_CODES } from '../errors.js';
import type {
  AlertSpec,
  AlertTier,
  CalendarUnit,
  Sli,
  SloSpec,
  SloWindow,
  SpecFormat,
} from '../types.js';
import { generatedAlertName, objectiveWarnings, tiersLongerThanWindow } from './common.js';
import { didYouMean } from './did-you-mean.js';
import {
  durationField,
  labelsField,
  nameField,
  objectiveField,
  queryField,
  type SchemaContext,
  strict,
  timeZoneField,
} from './fields.js';
import { addIssue, DocumentProblems } from './problems.js';
import { checkPromql } from './promql.js';
import { CALENDAR_UNITS, calendarWindow, parseDurationOrZero, rollingWindow } from './windows.js';
import { type FieldPath, locate, type SpecDocument, scalarAt } from './yaml-source.js';

/** The `version` of a Sloth spec. */
export const SLOTH_VERSION = 'prometheus/v1';
/** The `version` of a srekit spec. */
export const SREKIT_VERSION = 'srekit/v1';

/** An SLO and where its name is written (for problems found later, such as duplicate ids). */
export interface LocatedSlo {
  readonly slo: SloSpec;
  readonly document: SpecDocument;
  readonly namePath: FieldPath;
}

/** Result of reading one Sloth or srekit document. */
export interface FormatResult {
  readonly slos: LocatedSlo[];
  readonly problems: DocumentProblems[];
}

function alertSchema(extended: boolean) {
  return strict({
    disable: z.boolean().optional(),
    labels: labelsField('label').optional(),
    annotations: labelsField('annotation').optional(),
    ...(extended ? { severity: z.string().min(1).optional() } : {}),
  });
}

function tierSchema(context: SchemaContext) {
  return strict({
    enabled: z.boolean().optional(),
    for: durationField(context, { allowZero: true, onStep: false }).optional(),
    budget_fraction: z
      .number()
      .superRefine((value, ctx) => {
        if (!(value > 0 && value <= 1)) {
          addIssue(ctx, `budget_fraction ${value} is not in (0, 1]`, {
            code: SLO_ERROR_CODES.SPEC_INVALID_FIELD,
            fix: 'Give the fraction of the period’s budget the tier spends before it fires, e.g. 0.02 for 2 %.',
          });
        }
      })
      .optional(),
    long_window: durationField(context).optional(),
    short_window: durationField(context).optional(),
  });
}

function windowSchema(context: SchemaContext) {
  return z.union([
    durationField(context),
    strict({
      calendar: z.enum(CALENDAR_UNITS as [CalendarUnit, ...CalendarUnit[]]),
      time_zone: timeZoneField().optional(),
    }),
  ]);
}

const HISTOGRAM_PATTERN = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

function latencySchema() {
  return strict({
    histogram: z.string().superRefine((value, ctx) => {
      if (!HISTOGRAM_PATTERN.test(value) || /_(bucket|count|sum)$/.test(value)) {
        addIssue(ctx, `\`${value}\` is not a histogram base name`, {
          code: SLO_ERROR_CODES.SPEC_INVALID_FIELD,
          fix: 'Give the metric name without `_bucket`, `_count` or `_sum`, e.g. `http_server_request_duration_seconds`.',
        });
      }
    }),
    selector: z
      .string()
      .superRefine((value, ctx) => {
        const error = checkPromql(`m{${value}}`);
        if (error || /[{}]/.test(value)) {
          addIssue(ctx, `\`${value}\` is not a list of label matchers`, {
            code: SLO_ERROR_CODES.SPEC_PROMQL,
            fix: 'Write matchers without braces, e.g. `http_route="/orders",http_request_method="GET"`.',
          });
        }
      })
      .optional(),
    threshold: z.union([z.number(), z.string()]).superRefine((value, ctx) => {
      if (latencySeconds(value) === undefined) {
        addIssue(ctx, `\`${value}\` is not a latency threshold`, {
          code: SLO_ERROR_CODES.SPEC_INVALID_FIELD,
          fix: 'Give seconds (`0.3`) or a duration (`300ms`) equal to one of the histogram’s bucket bounds.',
        });
      }
    }),
  });
}

function latencySeconds(value: number | string): number | undefined {
  if (typeof value === 'number') return value > 0 && Number.isFinite(value) ? value : undefined;
  return parseDuration(value);
}

function sloSchema(context: SchemaContext, extended: boolean) {
  const events = extended
    ? strict({
        error_query: queryField(true).optional(),
        good_query: queryField(true).optional(),
        total_query: queryField(true),
      })
    : strict({ error_query: queryField(true), total_query: queryField(true) });
  return strict({
    name: nameField('SLO name'),
    objective: objectiveField(),
    description: z.string().optional(),
    labels: labelsField('label').optional(),
    infoLabels: labelsField('label').optional(),
    interval: strict({
      all: durationField(context, { onStep: false }).optional(),
      slierror: durationField(context, { onStep: false }).optional(),
      metadata: durationField(context, { onStep: false }).optional(),
      alert: durationField(context, { onStep: false }).optional(),
    }).optional(),
    sli: strict({
      events: events.optional(),
      raw: strict({ error_ratio_query: queryField(true) }).optional(),
      plugin: z.unknown().optional(),
      ...(extended ? { latency: latencySchema().optional() } : {}),
    }),
    alerting: (extended
      ? strict({
          name: z.string().min(1).optional(),
          labels: labelsField('label').optional(),
          annotations: labelsField('annotation').optional(),
          page_alert: alertSchema(true).optional(),
          ticket_alert: alertSchema(true).optional(),
          tiers: z.record(z.string(), tierSchema(context)).optional(),
          min_traffic: z.number().min(0).optional(),
        })
      : strict({
          name: z.string().min(1).optional(),
          labels: labelsField('label').optional(),
          annotations: labelsField('annotation').optional(),
          page_alert: alertSchema(false).optional(),
          ticket_alert: alertSchema(false).optional(),
        })
    ).optional(),
    ...(extended ? { window: windowSchema(context).optional() } : {}),
  });
}

type Labels = Record<string, string>;
interface AlertInput {
  disable?: boolean | undefined;
  labels?: Labels | undefined;
  annotations?: Labels | undefined;
  severity?: string | undefined;
}
interface TierInput {
  enabled?: boolean | undefined;
  for?: string | undefined;
  budget_fraction?: number | undefined;
  long_window?: string | undefined;
  short_window?: string | undefined;
}
type WindowInput = string | { calendar: CalendarUnit; time_zone?: string | undefined };
interface SloInput {
  name: string;
  objective: number;
  description?: string | undefined;
  labels?: Labels | undefined;
  infoLabels?: Labels | undefined;
  interval?: unknown;
  sli: {
    events?:
      | { error_query?: string | undefined; good_query?: string | undefined; total_query: string }
      | undefined;
    raw?: { error_ratio_query: string } | undefined;
    plugin?: unknown;
    latency?:
      | { histogram: string; selector?: string | undefined; threshold: number | string }
      | undefined;
  };
  alerting?:
    | {
        name?: string | undefined;
        labels?: Labels | undefined;
        annotations?: Labels | undefined;
        page_alert?: AlertInput | undefined;
        ticket_alert?: AlertInput | undefined;
        tiers?: Record<string, TierInput> | undefined;
        min_traffic?: number | undefined;
      }
    | undefined;
  window?: WindowInput | undefined;
}

/**
 * Reads one Sloth (`prometheus/v1`) or srekit (`srekit/v1`) document. Problems of one SLO drop
 * only that SLO; problems of the top level drop the document.
 */
export function readSlothDocument(
  spec: SpecDocument,
  format: Extract<SpecFormat, 'sloth' | 'srekit'>,
  options: SchemaContext,
): FormatResult {
  const extended = format === 'srekit';
  const data = spec.data as Record<string, unknown>;
  const top = new DocumentProblems(spec);
  const result: FormatResult = { slos: [], problems: [top] };

  let context: SchemaContext = options;
  if (extended && typeof data.evaluation_interval === 'string') {
    const seconds = parseDuration(data.evaluation_interval);
    if (seconds !== undefined) context = { evaluationIntervalSeconds: seconds };
  }
  const topSchema = strict({
    version: z.string(),
    service: nameField('service'),
    labels: labelsField('label').optional(),
    slos: z.array(z.unknown()).min(1),
    ...(extended
      ? {
          window: windowSchema(context).optional(),
          evaluation_interval: durationField(context, { onStep: false }).optional(),
        }
      : {}),
  });
  const parsedTop = topSchema.safeParse(data);
  if (!parsedTop.success) top.addZodIssues(parsedTop.error.issues, data);

  const rawSlos = Array.isArray(data.slos) ? data.slos : [];
  const schema = sloSchema(context, extended);
  const topOk = parsedTop.success;
  const service = topOk ? parsedTop.data.service : '';
  const specLabels = topOk ? (parsedTop.data.labels ?? {}) : {};
  const specWindow =
    topOk && extended ? (parsedTop.data as { window?: WindowInput }).window : undefined;

  rawSlos.forEach((raw, index) => {
    const problems = new DocumentProblems(spec, ['slos', index]);
    result.problems.push(problems);
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      problems.addZodIssues(parsed.error.issues, raw);
      return;
    }
    const input = parsed.data as SloInput;
    const before = problems.problems.length;
    const slo = convertSlo(input, {
      spec,
      index,
      format,
      service,
      specLabels,
      specWindow,
      problems,
      context,
    });
    const hasErrors = problems.problems
      .slice(before)
      .some((problem) => problem.severity === 'error');
    if (slo && topOk && !hasErrors) {
      result.slos.push({ slo, document: spec, namePath: ['slos', index, 'name'] });
    }
  });
  return result;
}

interface ConvertContext {
  readonly spec: SpecDocument;
  readonly index: number;
  readonly format: Extract<SpecFormat, 'sloth' | 'srekit'>;
  readonly service: string;
  readonly specLabels: Labels;
  readonly specWindow: WindowInput | undefined;
  readonly problems: DocumentProblems;
  readonly context: SchemaContext;
}

function convertSlo(input: SloInput, c: ConvertContext): SloSpec | undefined {
  const { problems, format } = c;
  const extended = format === 'srekit';
  const sli = convertSli(input, c);

  for (const ignored of ['infoLabels', 'interval'] as const) {
    if (input[ignored] !== undefined) {
      problems.add({
        path: [ignored],
        target: 'key',
        severity: 'warning',
        code: SLO_ERROR_CODES.SPEC_UNSUPPORTED,
        message: `\`${ignored}\` is read but not used by srekit`,
        fix:
          ignored === 'interval'
            ? 'Rule groups use the generator’s evaluation interval; remove `interval` to silence this.'
            : 'Put the labels under `labels` to have them on srekit’s rules, or remove `infoLabels`.',
      });
    }
  }

  const windowInput = input.window ?? c.specWindow;
  const window =
    windowInput === undefined
      ? rollingWindow(parseDuration(SLO_DEFAULTS.window) as number)
      : toWindow(windowInput);
  const windowPath = input.window !== undefined ? ['window'] : undefined;

  const alerting = input.alerting ?? {};
  const page = toAlertSpec(alerting.page_alert, 'page', extended, problems, [
    'alerting',
    'page_alert',
  ]);
  const ticket = toAlertSpec(alerting.ticket_alert, 'ticket', extended, problems, [
    'alerting',
    'ticket_alert',
  ]);
  const id = `${c.service}-${input.name}`;
  if (!extended && !alerting.name && (page.enabled || ticket.enabled)) {
    problems.add({
      path: input.alerting ? ['alerting', 'name'] : ['alerting'],
      code: SLO_ERROR_CODES.SPEC_INVALID_FIELD,
      message: input.alerting
        ? '`alerting.name` is required'
        : '`alerting` with a `name` is required',
      fix: 'Sloth specs name their alerts: add `alerting: { name: MyServiceHighErrorRate }`, or disable both `page_alert` and `ticket_alert`.',
    });
  }
  const tiers = buildTiers(alerting.tiers, page.enabled, ticket.enabled, c);
  for (const tier of tiersLongerThanWindow(tiers, window)) {
    problems.add({
      path: alerting.tiers?.[tier.id]?.long_window
        ? ['alerting', 'tiers', tier.id, 'long_window']
        : (windowPath ?? []),
      code: SLO_ERROR_CODES.SPEC_WINDOW,
      message: `tier ${tier.id} looks back ${formatDuration(tier.longWindowSeconds)}, longer than the SLO window ${window.text}`,
      fix: `Use a window of at least ${formatDuration(tier.longWindowSeconds)}, or disable the tier with \`alerting.tiers.${tier.id}.enabled: false\`.`,
    });
  }

  const objective = objectiveTextOf(c.spec, ['slos', c.index, 'objective'], input.objective);
  for (const warning of objectiveWarnings(objective, window, tiers, ['objective']))
    problems.add(warning);
  if (!sli) return undefined;

  return {
    id,
    service: c.service,
    name: input.name,
    ...(input.description === undefined ? {} : { description: input.description }),
    objective: Number(objective),
    objectiveText: objective,
    window,
    budgetingMethod: { kind: 'occurrences' },
    sli,
    labels: { ...c.specLabels, ...(input.labels ?? {}) },
    alerting: {
      name: alerting.name ?? generatedAlertName(id),
      labels: alerting.labels ?? {},
      annotations: alerting.annotations ?? {},
      page,
      ticket,
      tiers,
      minTrafficPerSecond: alerting.min_traffic ?? SLO_DEFAULTS.minTrafficPerSecond,
    },
    source: { format, location: locate(c.spec, ['slos', c.index]) },
  };
}

/** The objective as written in the file (`99.90` stays exact), else its shortest decimal form. */
function objectiveTextOf(spec: SpecDocument, path: (string | number)[], value: number): string {
  const scalar = scalarAt(spec, path);
  const written = scalar?.source === undefined ? undefined : toObjectiveText(scalar.source);
  return written ?? toObjectiveText(value) ?? formatNumber(value);
}

function toWindow(input: WindowInput): SloWindow {
  if (typeof input === 'string') return rollingWindow(parseDuration(input) as number);
  return calendarWindow(input.calendar, 1, input.time_zone ?? 'UTC');
}

function convertSli(input: SloInput, c: ConvertContext): Sli | undefined {
  const { sli } = input;
  const kinds = (['events', 'raw', 'plugin', 'latency'] as const).filter(
    (kind) => sli[kind] !== undefined,
  );
  if (sli.plugin !== undefined) {
    c.problems.add({
      path: ['sli', 'plugin'],
      target: 'key',
      code: SLO_ERROR_CODES.SPEC_UNSUPPORTED,
      message: 'Sloth SLI plugins are not supported by srekit',
      fix: 'Write the query the plugin would produce as `sli.events` (error_query and total_query) or `sli.raw` (error_ratio_query).',
    });
    return undefined;
  }
  if (kinds.length !== 1) {
    const allowed = c.format === 'srekit' ? '`events`, `raw` or `latency`' : '`events` or `raw`';
    c.problems.add({
      path: kinds.length === 0 ? ['sli'] : ['sli', kinds[1] as string],
      target: 'key',
      code: SLO_ERROR_CODES.SPEC_INVALID_FIELD,
      message:
        kinds.length === 0
          ? 'the SLI has no type'
          : `the SLI has ${kinds.length} types (${kinds.join(', ')})`,
      fix: `Give exactly one of ${allowed}.`,
    });
    return undefined;
  }
  if (sli.events) {
    const { error_query: errorQuery, good_query: goodQuery, total_query: totalQuery } = sli.events;
    if ((errorQuery === undefined) === (goodQuery === undefined)) {
      c.problems.add({
        path: ['sli', 'events', ...(errorQuery === undefined ? [] : ['good_query'])],
        target: 'key',
        code: SLO_ERROR_CODES.SPEC_INVALID_FIELD,
        message:
          errorQuery === undefined
            ? '`error_query` is required'
            : 'give `error_query` or `good_query`, not both',
        fix: 'Count bad events with `error_query` or good events with `good_query`, and all events with `total_query`.',
      });
      return undefined;
    }
    const numerator = errorQuery ?? goodQuery;
    if (numerator !== undefined && numerator.trim() === totalQuery.trim()) {
      c.problems.add({
        path: ['sli', 'events', 'total_query'],
        code: SLO_ERROR_CODES.SPEC_INVALID_FIELD,
        message: `\`total_query\` is the same query as \`${errorQuery === undefined ? 'good_query' : 'error_query'}\``,
        fix: 'The total query counts all events; the other one counts only the bad (or good) ones.',
      });
      return undefined;
    }
    return errorQuery !== undefined
      ? { kind: 'events', errorQuery, totalQuery }
      : { kind: 'good-events', goodQuery: goodQuery as string, totalQuery };
  }
  if (sli.raw) return { kind: 'raw', errorRatioQuery: sli.raw.error_ratio_query };
  const latency = sli.latency as NonNullable<SloInput['sli']['latency']>;
  const thresholdSeconds = latencySeconds(latency.threshold) as number;
  return {
    kind: 'latency',
    metric: latency.histogram,
    selector: latency.selector ?? '',
    thresholdSeconds,
    le: formatNumber(thresholdSeconds),
  };
}

function toAlertSpec(
  input: AlertInput | undefined,
  severity: 'page' | 'ticket',
  extended: boolean,
  problems: DocumentProblems,
  path: (string | number)[],
): AlertSpec {
  const labels = input?.labels ?? {};
  let severityLabel: string | undefined;
  if (extended) {
    const fromLabels = labels.severity;
    if (
      input?.severity !== undefined &&
      fromLabels !== undefined &&
      fromLabels !== input.severity
    ) {
      problems.add({
        path: [...path, 'labels', 'severity'],
        code: SLO_ERROR_CODES.SPEC_INVALID_FIELD,
        message: `\`severity: ${input.severity}\` and the label \`severity: ${fromLabels}\` disagree`,
        fix: 'Give the severity once, as `severity:`.',
      });
    }
    severityLabel =
      input?.severity ??
      fromLabels ??
      (severity === 'page' ? SLO_DEFAULTS.pageSeverity : SLO_DEFAULTS.ticketSeverity);
  }
  return {
    enabled: input?.disable !== true,
    labels,
    annotations: input?.annotations ?? {},
    ...(severityLabel === undefined ? {} : { severityLabel }),
  };
}

function buildTiers(
  tuning: Record<string, TierInput> | undefined,
  pageEnabled: boolean,
  ticketEnabled: boolean,
  c: ConvertContext,
): AlertTier[] {
  const enabledFor = (severity: 'page' | 'ticket'): boolean =>
    severity === 'page' ? pageEnabled : ticketEnabled;
  const defaults = DEFAULT_ALERT_TIERS.map((tier) => ({
    ...tier,
    enabled: enabledFor(tier.severity),
  }));
  if (!tuning) return defaults;
  const known = new Set(DEFAULT_ALERT_TIERS.map((tier) => tier.id));
  const tiers: AlertTier[] = [];
  for (const base of defaults) {
    const tune = tuning[base.id];
    tiers.push(tune ? applyTuning(base, tune, base.id, c) : base);
  }
  for (const [id, tune] of Object.entries(tuning)) {
    if (known.has(id)) continue;
    const path = ['alerting', 'tiers', id];
    const severity = id.startsWith('page-')
      ? 'page'
      : id.startsWith('ticket-')
        ? 'ticket'
        : undefined;
    if (!severity || tune.budget_fraction === undefined || tune.long_window === undefined) {
      const suggestion = didYouMean(id, known);
      c.problems.add({
        path,
        target: 'key',
        code: SLO_ERROR_CODES.SPEC_UNKNOWN_FIELD,
        message: `unknown alert tier \`${id}\``,
        fix: suggestion
          ? `Did you mean \`${suggestion}\`? Tiers: ${[...known].join(', ')}.`
          : `Tune one of ${[...known].join(', ')}, or add a tier whose id starts with \`page-\` or \`ticket-\` and give it \`budget_fraction\` and \`long_window\`.`,
      });
      continue;
    }
    const base: AlertTier = {
      id,
      severity,
      budgetFraction: tune.budget_fraction,
      longWindowSeconds: 0,
      shortWindowSeconds: 0,
      enabled: enabledFor(severity),
      forSeconds: 0,
    };
    tiers.push(applyTuning(base, tune, id, c));
  }
  return tiers;
}

function applyTuning(base: AlertTier, tune: TierInput, id: string, c: ConvertContext): AlertTier {
  const path = ['alerting', 'tiers', id];
  const long =
    tune.long_window === undefined
      ? base.longWindowSeconds
      : (parseDuration(tune.long_window) as number);
  let short: number;
  if (tune.short_window !== undefined) {
    short = parseDuration(tune.short_window) as number;
  } else if (tune.long_window !== undefined) {
    short = long / 12;
    const step = c.context.evaluationIntervalSeconds;
    if (Math.round(short * 1000) % Math.round(step * 1000) !== 0) {
      c.problems.add({
        path: [...path, 'long_window'],
        code: SLO_ERROR_CODES.SPEC_WINDOW,
        message: `the short window (long ÷ 12 = ${formatDuration(short)}) is not a multiple of the evaluation interval ${formatDuration(step)}`,
        fix: 'Set `short_window` explicitly.',
      });
    }
  } else {
    short = base.shortWindowSeconds;
  }
  if (short >= long) {
    c.problems.add({
      path: [...path, tune.short_window === undefined ? 'long_window' : 'short_window'],
      code: SLO_ERROR_CODES.SPEC_WINDOW,
      message: `the short window ${formatDuration(short)} is not shorter than the long window ${formatDuration(long)}`,
      fix: 'The short window confirms the burn is still going on: make it about 1/12 of the long window.',
    });
  }
  return {
    ...base,
    budgetFraction: tune.budget_fraction ?? base.budgetFraction,
    longWindowSeconds: long,
    shortWindowSeconds: short,
    enabled: base.enabled && (tune.enabled ?? true),
    forSeconds:
      tune.for === undefined ? base.forSeconds : (parseDurationOrZero(tune.for) as number),
  };
}
