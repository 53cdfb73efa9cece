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
      }).superRefine(checkEvents)
    : strict({ error_query: queryField(true), total_query: queryField(true) }).superRefine(
        checkEvents,
      );
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
    }).superRefine(checkSliKinds(extended)),
    alerting: (extended
      ? strict({
          name: z.string().min(1).optional(),
          labels: labelsField('label').optional(),
          annotations: labelsField('annotation').optional(),
          page_alert: alertSchema(true).optional(),
          ticket_alert: alertSchema(true).optional(),
          tiers: z
            .record(z.string(), tierSchema(context).superRefine(checkTierWindows))
            .superRefine(checkTierIds)
            .optional(),
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
    // Checked on the raw data so it is reported together with any schema problem.
    if (!extended) checkSlothAlertName(raw, problems);
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      problems.addZodIssues(parsed.error.issues, raw);
      return;
    }
    const input = parsed.data as SloInput;
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
    const hasErrors = problems.problems.some((problem) => problem.severity === 'error');
    if (slo && topOk && !hasErrors) {
      result.slos.push({ slo, document: spec, namePath: ['slos', index, 'name'] });
    }
  });
  return result;
}

/** Sloth requires `alerting.name` unless both alerts are disabled. */
function checkSlothAlertName(raw: unknown, problems: DocumentProblems): void {
  if (raw === null || typeof raw !== 'object') return;
  const alerting = (raw as { alerting?: unknown }).alerting;
  const record =
    alerting !== null && typeof alerting === 'object'
      ? (alerting as Record<string, unknown>)
      : undefined;
  if (record?.name !== undefined) return;
  const disabled = (key: string): boolean =>
    (record?.[key] as { disable?: unknown } | undefined)?.disable === true;
  if (disabled('page_alert') && disabled('ticket_alert')) return;
  problems.add({
    path: record ? ['alerting', 'name'] : ['alerting'],
    code: SLO_ERROR_CODES.SPEC_INVALID_FIELD,
    message: record ? '`alerting.name` is required' : '`alerting` with a `name` is required',
    fix: 'Sloth specs name their alerts: add `alerting: { name: MyServiceHighErrorRate }`, or disable both `page_alert` and `ticket_alert`.',
  });
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
  const sli = convertSli(input);

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

function convertSli(input: SloInput): Sli | undefined {
  const { sli } = input;
  if (sli.events) {
    const { error_query: errorQuery, good_query: goodQuery, total_query: totalQuery } = sli.events;
    if (errorQuery !== undefined) return { kind: 'events', errorQuery, totalQuery };
    return goodQuery === undefined ? undefined : { kind: 'good-events', goodQuery, totalQuery };
  }
  if (sli.raw) return { kind: 'raw', errorRatioQuery: sli.raw.error_ratio_query };
  if (!sli.latency) return undefined;
  const thresholdSeconds = latencySeconds(sli.latency.threshold) as number;
  return {
    kind: 'latency',
    metric: sli.latency.histogram,
    selector: sli.latency.selector ?? '',
    thresholdSeconds,
    le: formatNumber(thresholdSeconds),
  };
}

/** Exactly one SLI type, and no Sloth plugin. */
function checkSliKinds(extended: boolean) {
  return (sli: Record<string, unknown>, ctx: z.RefinementCtx): void => {
    if (sli.plugin !== undefined) {
      addIssue(
        ctx,
        'Sloth SLI plugins are not supported by srekit',
        {
          code: SLO_ERROR_CODES.SPEC_UNSUPPORTED,
          target: 'key',
          fix: 'Write the query the plugin would produce as `sli.events` (error_query and total_query) or `sli.raw` (error_ratio_query).',
        },
        ['plugin'],
      );
      return;
    }
    const kinds = ['events', 'raw', 'latency'].filter((kind) => sli[kind] !== undefined);
    if (kinds.length === 1) return;
    const allowed = extended ? '`events`, `raw` or `latency`' : '`events` or `raw`';
    addIssue(
      ctx,
      kinds.length === 0
        ? 'the SLI has no type'
        : `the SLI has ${kinds.length} types (${kinds.join(', ')})`,
      {
        code: SLO_ERROR_CODES.SPEC_INVALID_FIELD,
        target: 'key',
        fix: `Give exactly one of ${allowed}.`,
      },
      kinds.length === 0 ? [] : [kinds[1] as string],
    );
  };
}

/** `error_query` xor `good_query`, and neither the same as `total_query`. */
function checkEvents(
  events: {
    error_query?: string | undefined;
    good_query?: string | undefined;
    total_query: string;
  },
  ctx: z.RefinementCtx,
): void {
  const { error_query: errorQuery, good_query: goodQuery, total_query: totalQuery } = events;
  if ((errorQuery === undefined) === (goodQuery === undefined)) {
    addIssue(
      ctx,
      errorQuery === undefined
        ? '`error_query` is required'
        : 'give `error_query` or `good_query`, not both',
      {
        code: SLO_ERROR_CODES.SPEC_INVALID_FIELD,
        target: 'key',
        fix: 'Count bad events with `error_query` or good events with `good_query`, and all events with `total_query`.',
      },
      errorQuery === undefined ? [] : ['good_query'],
    );
    return;
  }
  const numerator = errorQuery ?? goodQuery;
  if (numerator !== undefined && numerator.trim() === totalQuery.trim()) {
    addIssue(
      ctx,
      `\`total_query\` is the same query as \`${errorQuery === undefined ? 'good_query' : 'error_query'}\``,
      {
        code: SLO_ERROR_CODES.SPEC_INVALID_FIELD,
        fix: 'The total query counts all events; the other one counts only the bad (or good) ones.',
      },
      ['total_query'],
    );
  }
}

const DEFAULT_TIER_IDS = DEFAULT_ALERT_TIERS.map((tier) => tier.id);

/** Tier ids are the default ones, or new `page-…`/`ticket-…` tiers with their own numbers. */
function checkTierIds(tiers: Record<string, TierInput>, ctx: z.RefinementCtx): void {
  for (const [id, tune] of Object.entries(tiers)) {
    if (DEFAULT_TIER_IDS.includes(id)) continue;
    const prefixed = id.startsWith('page-') || id.startsWith('ticket-');
    if (prefixed && tune.budget_fraction !== undefined && tune.long_window !== undefined) continue;
    const suggestion = didYouMean(id, DEFAULT_TIER_IDS);
    addIssue(
      ctx,
      `unknown alert tier \`${id}\``,
      {
        code: SLO_ERROR_CODES.SPEC_UNKNOWN_FIELD,
        target: 'key',
        fix: suggestion
          ? `Did you mean \`${suggestion}\`? Tiers: ${DEFAULT_TIER_IDS.join(', ')}.`
          : `Tune one of ${DEFAULT_TIER_IDS.join(', ')}, or add a tier whose id starts with \`page-\` or \`ticket-\` and give it \`budget_fraction\` and \`long_window\`.`,
      },
      [id],
    );
  }
}

/** Both windows given: the short one must be shorter. */
function checkTierWindows(tier: TierInput, ctx: z.RefinementCtx): void {
  if (tier.long_window === undefined || tier.short_window === undefined) return;
  const long = parseDuration(tier.long_window);
  const short = parseDuration(tier.short_window);
  if (long !== undefined && short !== undefined && short >= long) {
    addIssue(
      ctx,
      shortNotShorter(short, long),
      { code: SLO_ERROR_CODES.SPEC_WINDOW, fix: SHORT_WINDOW_FIX },
      ['short_window'],
    );
  }
}

const SHORT_WINDOW_FIX =
  'The short window confirms the burn is still going on: make it about 1/12 of the long window.';

function shortNotShorter(short: number, long: number): string {
  return `the short window ${formatDuration(short)} is not shorter than the long window ${formatDuration(long)}`;
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
    if (known.has(id) || tune.budget_fraction === undefined) continue;
    const severity = id.startsWith('page-') ? 'page' : 'ticket';
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
  // Both windows given is checked by the schema; here one of them is the tier's default.
  if (short >= long && (tune.long_window === undefined || tune.short_window === undefined)) {
    c.problems.add({
      path: [...path, tune.short_window === undefined ? 'long_window' : 'short_window'],
      code: SLO_ERROR_CODES.SPEC_WINDOW,
      message: shortNotShorter(short, long),
      fix: SHORT_WINDOW_FIX,
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
