import { objectiveText as toObjectiveText } from '../decimal.js';
import { DEFAULT_ALERT_TIERS, SLO_DEFAULTS } from '../defaults.js';
import { formatDuration, parseDuration } from '../duration.js';
import { SLO_ERROR_CODES, type SloErrorCode } from '../errors.js';
import type {
  AlertTier,
  BudgetingMethod,
  CalendarUnit,
  Sli,
  SloSpec,
  SloWindow,
} from '../types.js';
import { generatedAlertName, objectiveWarnings, slug, tiersLongerThanWindow } from './common.js';
import { didYouMean } from './did-you-mean.js';
import { type SchemaContext, suggestLabelName } from './fields.js';
import { alertSeverity, OPENSLO_KINDS, type OpenSloKind, objectSchema } from './openslo-schema.js';
import { DocumentProblems } from './problems.js';
import { checkPromql, hasWindowPlaceholder, isPlainVectorSelector } from './promql.js';
import type { LocatedSlo } from './sloth-format.js';
import {
  calendarWindow,
  isMultipleOf,
  isValidTimeZone,
  parseDurationOrZero,
  rollingWindow,
} from './windows.js';
import { type FieldPath, locate, type SpecDocument, scalarAt } from './yaml-source.js';

type Path = (string | number)[];
type Labels = Record<string, string>;

interface Metadata {
  name: string;
  displayName?: string;
  labels?: Record<string, string | number | boolean | (string | number | boolean)[]>;
}
interface MetricSource {
  metricSourceRef?: string;
  type?: string;
  spec: Record<string, unknown>;
}
interface MetricSpec {
  metricSource: MetricSource;
}
interface SliSpecInput {
  thresholdMetric?: MetricSpec;
  ratioMetric?: {
    counter?: boolean;
    good?: MetricSpec;
    bad?: MetricSpec;
    total?: MetricSpec;
    rawType?: 'success' | 'failure';
    raw?: MetricSpec;
  };
}
interface ObjectiveInput {
  displayName?: string;
  op?: 'lt' | 'lte' | 'gt' | 'gte';
  value?: number;
  target?: number;
  targetPercent?: number;
  timeSliceTarget?: number;
  timeSliceWindow?: number | string;
  indicator?: { metadata: Metadata; spec: SliSpecInput };
  indicatorRef?: string;
}
interface ConditionSpecInput {
  severity: string;
  condition: {
    kind?: string;
    op?: string;
    threshold: number;
    lookbackWindow: string;
    alertAfter?: string;
  };
}
interface RefOrInline<Spec> {
  kind?: string;
  metadata?: Metadata;
  spec?: Spec;
  [ref: string]: unknown;
}
interface PolicySpecInput {
  alertWhenBreaching?: boolean;
  conditions: RefOrInline<ConditionSpecInput>[];
  notificationTargets?: RefOrInline<unknown>[];
}
interface SloSpecInput {
  description?: string;
  service: string;
  indicator?: { metadata: Metadata; spec: SliSpecInput };
  indicatorRef?: string;
  timeWindow?: {
    duration: string;
    isRolling?: boolean;
    calendar?: { startTime?: string; timeZone?: string };
  }[];
  budgetingMethod: 'Occurrences' | 'Timeslices' | 'RatioTimeslices';
  objectives: ObjectiveInput[];
  alertPolicies?: (string | RefOrInline<PolicySpecInput>)[];
}

/** One OpenSLO object read from a document. */
export interface OpenSloObject {
  readonly kind: OpenSloKind;
  readonly name: string;
  readonly source: SpecDocument;
  readonly problems: DocumentProblems;
  /** The validated object, or `undefined` when it has errors (already reported). */
  readonly value: { metadata: Metadata; spec: unknown } | undefined;
}

/** Validates one `openslo/v1` document. */
export function readOpenSloDocument(
  source: SpecDocument,
  context: SchemaContext,
): OpenSloObject | undefined {
  const problems = new DocumentProblems(source);
  const data = source.data as Record<string, unknown>;
  const kind = data.kind;
  if (typeof kind !== 'string' || !(OPENSLO_KINDS as readonly string[]).includes(kind)) {
    const suggestion = typeof kind === 'string' ? didYouMean(kind, OPENSLO_KINDS) : undefined;
    problems.add({
      path: ['kind'],
      code: SLO_ERROR_CODES.SPEC_UNSUPPORTED,
      message:
        kind === undefined
          ? '`kind` is required'
          : `\`kind: ${String(kind)}\` is not an OpenSLO v1 kind`,
      fix: suggestion
        ? `Did you mean \`${suggestion}\`?`
        : `Use one of ${OPENSLO_KINDS.join(', ')}.`,
    });
    return { kind: 'SLO', name: '', source, problems, value: undefined };
  }
  const parsed = objectSchema(kind as OpenSloKind, context).safeParse(data);
  const metadata = data.metadata as { name?: unknown } | undefined;
  const name = typeof metadata?.name === 'string' ? metadata.name : '';
  if (!parsed.success) {
    problems.addZodIssues(parsed.error.issues, data);
    return { kind: kind as OpenSloKind, name, source, problems, value: undefined };
  }
  return {
    kind: kind as OpenSloKind,
    name,
    source,
    problems,
    value: parsed.data as unknown as OpenSloObject['value'],
  };
}

/** Objects by kind and name; names of objects that failed validation are remembered too. */
class Registry {
  private readonly objects = new Map<string, OpenSloObject>();

  constructor(objects: readonly OpenSloObject[], problems: DocumentProblems[]) {
    for (const object of objects) {
      if (!object.name) continue;
      const key = `${object.kind}/${object.name}`;
      const first = this.objects.get(key);
      if (first) {
        const at = locate(first.source, ['metadata', 'name']);
        const duplicate = new DocumentProblems(object.source);
        duplicate.add({
          path: ['metadata', 'name'],
          code: SLO_ERROR_CODES.SPEC_DUPLICATE_ID,
          message: `another ${object.kind} is named \`${object.name}\` (${at.file}:${at.line}:${at.column})`,
          fix: `Give each ${object.kind} its own name.`,
        });
        problems.push(duplicate);
        continue;
      }
      this.objects.set(key, object);
    }
  }

  get(kind: OpenSloKind, name: string): OpenSloObject | undefined {
    return this.objects.get(`${kind}/${name}`);
  }

  names(kind: OpenSloKind): string[] {
    return [...this.objects.values()]
      .filter((object) => object.kind === kind)
      .map((object) => object.name);
  }
}

/** Result of resolving and converting every OpenSLO SLO. */
export interface OpenSloResult {
  readonly slos: LocatedSlo[];
  readonly problems: DocumentProblems[];
}

/** An error stops the SLO it belongs to; this marks that one was reported. */
class Tracker {
  errors = 0;
  constructor(readonly problems: DocumentProblems[]) {}

  for(source: SpecDocument, prefix: FieldPath = []): Reporter {
    const target = new DocumentProblems(source, prefix);
    this.problems.push(target);
    return {
      error: (path, code, message, fix, extra = {}) => {
        this.errors += 1;
        target.add({ path, code, message, fix, ...extra });
      },
      warning: (input) => {
        target.add({ ...input, severity: 'warning' });
      },
      source,
      prefix,
    };
  }
}

interface Reporter {
  error(
    path: Path,
    code: SloErrorCode,
    message: string,
    fix: string,
    extra?: { target?: 'key' | 'value'; offset?: number },
  ): void;
  warning(input: Parameters<DocumentProblems['add']>[0]): void;
  readonly source: SpecDocument;
  readonly prefix: FieldPath;
}

/**
 * Resolves references between OpenSLO objects (indicatorRef, alertPolicyRef, conditionRef,
 * targetRef, metricSourceRef) and turns each objective of each SLO into a `SloSpec`.
 */
export function resolveOpenSlo(
  objects: readonly OpenSloObject[],
  context: SchemaContext,
): OpenSloResult {
  const problems: DocumentProblems[] = objects.map((object) => object.problems);
  const registry = new Registry(objects, problems);
  const slos: LocatedSlo[] = [];
  for (const object of objects) {
    // Every SLI is checked on its own too, so an unused one with errors is still reported.
    if (object.kind === 'SLI' && object.value) {
      convertSli(
        object.value.spec as SliSpecInput,
        new Tracker(problems).for(object.source, ['spec']),
        registry,
      );
    }
    if (object.kind === 'SLO' && !object.value)
      checkRawReferences(object, registry, new Tracker(problems));
  }
  for (const object of objects) {
    if (object.kind !== 'SLO' || !object.value) continue;
    if (registry.get('SLO', object.name) !== object) continue;
    for (const slo of convertSlo(object, registry, new Tracker(problems), context)) {
      slos.push({ slo, document: object.source, namePath: ['metadata', 'name'] });
    }
  }
  return { slos, problems };
}

/**
 * The references of an SLO whose schema check failed, so a misspelt name is reported in the same
 * run as the other problems.
 */
function checkRawReferences(object: OpenSloObject, registry: Registry, tracker: Tracker): void {
  const spec = (object.source.data as { spec?: unknown }).spec;
  if (spec === null || typeof spec !== 'object') return;
  const at = tracker.for(object.source);
  const record = spec as Record<string, unknown>;
  const check = (value: unknown, path: Path, kind: OpenSloKind): void => {
    if (typeof value === 'string' && value.length > 0 && !registry.get(kind, value)) {
      reportMissing(at, path, kind, value, registry);
    }
  };
  check(record.indicatorRef, ['spec', 'indicatorRef'], 'SLI');
  if (Array.isArray(record.objectives)) {
    record.objectives.forEach((objective: unknown, index) => {
      if (objective !== null && typeof objective === 'object') {
        check(
          (objective as Record<string, unknown>).indicatorRef,
          ['spec', 'objectives', index, 'indicatorRef'],
          'SLI',
        );
      }
    });
  }
  if (Array.isArray(record.alertPolicies)) {
    record.alertPolicies.forEach((policy: unknown, index) => {
      if (typeof policy === 'string')
        check(policy, ['spec', 'alertPolicies', index], 'AlertPolicy');
      else if (policy !== null && typeof policy === 'object') {
        check(
          (policy as Record<string, unknown>).alertPolicyRef,
          ['spec', 'alertPolicies', index, 'alertPolicyRef'],
          'AlertPolicy',
        );
      }
    });
  }
}

function convertSlo(
  object: OpenSloObject,
  registry: Registry,
  tracker: Tracker,
  context: SchemaContext,
): SloSpec[] {
  const value = object.value as { metadata: Metadata; spec: SloSpecInput };
  const { spec, metadata } = value;
  const at = tracker.for(object.source);
  const errorsBefore = tracker.errors;

  const window = convertWindow(spec, at, context);
  const tiers = convertAlerting(spec, window, at, registry, tracker, context);
  const labels = convertLabels(metadata.labels);
  const sloErrors = tracker.errors;
  if (sloErrors > errorsBefore || !window || !tiers) return [];

  const several = spec.objectives.length > 1;
  const suffixes = objectiveSuffixes(spec.objectives);
  const out: SloSpec[] = [];
  spec.objectives.forEach((objective, index) => {
    const before = tracker.errors;
    const path: Path = ['spec', 'objectives', index];
    const objectiveText = convertObjective(objective, at, path);
    const budgetingMethod = convertBudgeting(spec.budgetingMethod, objective, at, path, context);
    const sli = resolveIndicator(spec, objective, at, path, registry, tracker);
    if (tracker.errors > before || !objectiveText || !budgetingMethod || !sli) return;
    if (sli.kind === 'threshold' && spec.budgetingMethod === 'Occurrences') {
      at.error(
        ['spec', 'budgetingMethod'],
        SLO_ERROR_CODES.SPEC_INVALID_FIELD,
        'a thresholdMetric SLI is measured in time slices, not occurrences',
        'Use `budgetingMethod: Timeslices` with `timeSliceTarget` and `timeSliceWindow`.',
      );
      return;
    }
    const name = several ? `${object.name}-${suffixes[index]}` : object.name;
    const id = `${spec.service}-${name}`;
    const page = tiers.some((tier) => tier.severity === 'page' && tier.enabled);
    const ticket = tiers.some((tier) => tier.severity === 'ticket' && tier.enabled);
    const targetKey = objective.target !== undefined ? 'target' : 'targetPercent';
    for (const warning of objectiveWarnings(objectiveText, window, tiers, [...path, targetKey]))
      at.warning(warning);
    out.push({
      id,
      service: spec.service,
      name,
      ...(spec.description === undefined ? {} : { description: spec.description }),
      objective: Number(objectiveText),
      objectiveText,
      window,
      budgetingMethod,
      sli,
      labels,
      alerting: {
        name: generatedAlertName(id),
        labels: {},
        annotations: {},
        page: {
          enabled: page,
          labels: {},
          annotations: {},
          severityLabel: SLO_DEFAULTS.pageSeverity,
        },
        ticket: {
          enabled: ticket,
          labels: {},
          annotations: {},
          severityLabel: SLO_DEFAULTS.ticketSeverity,
        },
        tiers,
        minTrafficPerSecond: SLO_DEFAULTS.minTrafficPerSecond,
      },
      source: { format: 'openslo', location: locate(object.source, ['metadata', 'name']) },
    });
  });
  return out;
}

function objectiveSuffixes(objectives: readonly ObjectiveInput[]): string[] {
  const slugs = objectives.map(
    (objective, index) => slug(objective.displayName ?? '') || String(index),
  );
  return slugs.map((value, index) =>
    slugs.indexOf(value) === index && slugs.lastIndexOf(value) === index ? value : String(index),
  );
}

function convertObjective(objective: ObjectiveInput, at: Reporter, path: Path): string | undefined {
  const { target, targetPercent } = objective;
  if ((target === undefined) === (targetPercent === undefined)) {
    at.error(
      target === undefined ? path : [...path, 'targetPercent'],
      SLO_ERROR_CODES.SPEC_OBJECTIVE,
      target === undefined
        ? 'the objective has no `target` or `targetPercent`'
        : 'give `target` or `targetPercent`, not both',
      'Write `target: 0.999` (a ratio) or `targetPercent: 99.9`.',
      { target: 'key' },
    );
    return undefined;
  }
  if (target !== undefined) {
    const written = scalarAt(at.source, [...path, 'target'])?.source;
    const text = toObjectiveText(written ?? target);
    if (!(target > 0 && target < 1) || text === undefined) {
      at.error(
        [...path, 'target'],
        SLO_ERROR_CODES.SPEC_OBJECTIVE,
        `target ${target} is not a ratio between 0 and 1 (exclusive)`,
        target >= 1 && target < 100
          ? `\`target\` is a ratio; write \`targetPercent: ${target}\` or \`target: ${target / 100}\`.`
          : 'Write the target as a ratio, e.g. 0.999.',
      );
      return undefined;
    }
    return ratioToPercentText(text);
  }
  const percent = targetPercent as number;
  const written = scalarAt(at.source, [...path, 'targetPercent'])?.source;
  const text = toObjectiveText(written ?? percent);
  if (!(percent > 0 && percent < 100) || text === undefined) {
    at.error(
      [...path, 'targetPercent'],
      SLO_ERROR_CODES.SPEC_OBJECTIVE,
      `targetPercent ${percent} is not between 0 and 100 (exclusive)`,
      percent > 0 && percent < 1
        ? `\`targetPercent\` is a percentage; did you mean \`target: ${percent}\`?`
        : 'Write the objective as a percentage, e.g. 99.9.',
    );
    return undefined;
  }
  return text;
}

/** `"0.999"` → `"99.9"`, exactly (decimal point moved two places). */
function ratioToPercentText(ratio: string): string {
  const [whole = '0', fraction = ''] = ratio.split('.');
  const digits = `${whole}${fraction.padEnd(2, '0')}`;
  const point = whole.length + 2;
  const integer = digits.slice(0, point).replace(/^0+(?=\d)/, '');
  const rest = digits.slice(point).replace(/0+$/, '');
  return rest.length > 0 ? `${integer}.${rest}` : integer;
}

function convertWindow(
  spec: SloSpecInput,
  at: Reporter,
  context: SchemaContext,
): SloWindow | undefined {
  const item = spec.timeWindow?.[0];
  if (!item) return rollingWindow(parseDuration(SLO_DEFAULTS.window) as number);
  const path: Path = ['spec', 'timeWindow', 0];
  const calendar = item.calendar !== undefined || item.isRolling === false;
  if (item.isRolling === true && item.calendar !== undefined) {
    at.error(
      [...path, 'calendar'],
      SLO_ERROR_CODES.SPEC_WINDOW,
      'a rolling window has no calendar',
      'Remove `calendar`, or set `isRolling: false`.',
      { target: 'key' },
    );
    return undefined;
  }
  if (!calendar) {
    const seconds = parseDuration(item.duration);
    if (seconds === undefined) {
      const months = /^\d+[MQY]$/.test(item.duration);
      at.error(
        [...path, 'duration'],
        SLO_ERROR_CODES.SPEC_WINDOW,
        months
          ? `a rolling window of \`${item.duration}\` has no fixed length`
          : `\`${item.duration}\` is not a duration`,
        months
          ? 'Use days or weeks for a rolling window (`30d`, `4w`), or make it a calendar window (`isRolling: false`).'
          : 'Write e.g. `30d` or `4w`.',
      );
      return undefined;
    }
    if (!isMultipleOf(seconds, context.evaluationIntervalSeconds)) {
      at.error(
        [...path, 'duration'],
        SLO_ERROR_CODES.SPEC_WINDOW,
        `\`${item.duration}\` is not a multiple of the evaluation interval ${formatDuration(context.evaluationIntervalSeconds)}`,
        `Use a multiple of ${formatDuration(context.evaluationIntervalSeconds)}.`,
      );
      return undefined;
    }
    return rollingWindow(seconds);
  }
  const match = /^([1-9]\d*)([dwMQY])$/.exec(item.duration);
  if (!match) {
    at.error(
      [...path, 'duration'],
      SLO_ERROR_CODES.SPEC_WINDOW,
      `\`${item.duration}\` is not a calendar period`,
      'Write a count and one of d, w, M, Q, Y: `1M` (month), `1Q` (quarter), `1Y` (year), `1w`, `1d`.',
    );
    return undefined;
  }
  const units: Record<string, CalendarUnit> = {
    d: 'day',
    w: 'week',
    M: 'month',
    Q: 'quarter',
    Y: 'year',
  };
  const timeZone = item.calendar?.timeZone ?? 'UTC';
  let ok = true;
  if (!isValidTimeZone(timeZone)) {
    at.error(
      [...path, 'calendar', 'timeZone'],
      SLO_ERROR_CODES.SPEC_WINDOW,
      `\`${timeZone}\` is not a time zone this runtime knows`,
      'Use an IANA time zone name such as `UTC`, `Europe/Berlin` or `America/New_York`.',
    );
    ok = false;
  }
  const start = item.calendar?.startTime;
  if (start !== undefined && !/^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?)?$/.test(start)) {
    at.error(
      [...path, 'calendar', 'startTime'],
      SLO_ERROR_CODES.SPEC_WINDOW,
      `\`${start}\` is not a date and time`,
      'Write `2024-01-01 00:00:00` (no time zone; it is given by `timeZone`).',
    );
    ok = false;
  }
  return ok
    ? calendarWindow(units[match[2] as string] as CalendarUnit, Number(match[1]), timeZone)
    : undefined;
}

function convertBudgeting(
  method: SloSpecInput['budgetingMethod'],
  objective: ObjectiveInput,
  at: Reporter,
  path: Path,
  context: SchemaContext,
): BudgetingMethod | undefined {
  if (method === 'Occurrences') return { kind: 'occurrences' };
  const slice = objective.timeSliceWindow;
  let sliceSeconds: number | undefined;
  if (slice === undefined) {
    at.error(
      path,
      SLO_ERROR_CODES.SPEC_WINDOW,
      `\`${method}\` needs \`timeSliceWindow\``,
      'Add `timeSliceWindow: 5m` (or a number of minutes).',
      { target: 'key' },
    );
  } else {
    sliceSeconds =
      typeof slice === 'number'
        ? slice > 0 && Number.isInteger(slice)
          ? slice * 60
          : undefined
        : parseDuration(slice);
    if (sliceSeconds === undefined) {
      at.error(
        [...path, 'timeSliceWindow'],
        SLO_ERROR_CODES.SPEC_WINDOW,
        `\`${slice}\` is not a time slice`,
        'Write a duration (`5m`) or a whole number of minutes.',
      );
    } else if (!isMultipleOf(sliceSeconds, context.evaluationIntervalSeconds)) {
      at.error(
        [...path, 'timeSliceWindow'],
        SLO_ERROR_CODES.SPEC_WINDOW,
        `time slice ${formatDuration(sliceSeconds)} is not a multiple of the evaluation interval ${formatDuration(context.evaluationIntervalSeconds)}`,
        `Use a multiple of ${formatDuration(context.evaluationIntervalSeconds)}.`,
      );
      sliceSeconds = undefined;
    }
  }
  if (method === 'RatioTimeslices')
    return sliceSeconds === undefined ? undefined : { kind: 'ratio-timeslices', sliceSeconds };
  const target = objective.timeSliceTarget;
  if (target === undefined || !(target > 0 && target <= 1)) {
    at.error(
      target === undefined ? path : [...path, 'timeSliceTarget'],
      SLO_ERROR_CODES.SPEC_INVALID_FIELD,
      target === undefined
        ? '`Timeslices` needs `timeSliceTarget`'
        : `timeSliceTarget ${target} is not in (0, 1]`,
      'Give the share of good events that makes a slice good, e.g. `timeSliceTarget: 0.95`.',
      { target: 'key' },
    );
    return undefined;
  }
  return sliceSeconds === undefined
    ? undefined
    : { kind: 'timeslices', sliceSeconds, sliceTarget: target };
}

function convertLabels(labels: Metadata['labels']): Labels {
  const out: Labels = {};
  for (const [key, value] of Object.entries(labels ?? {})) {
    const name = suggestLabelName(key);
    out[name] = Array.isArray(value) ? value.map(String).join(',') : String(value);
  }
  return out;
}

function resolveIndicator(
  spec: SloSpecInput,
  objective: ObjectiveInput,
  at: Reporter,
  path: Path,
  registry: Registry,
  tracker: Tracker,
): Sli | undefined {
  let sliSpec: SliSpecInput | undefined;
  let where: Reporter | undefined;
  if (objective.indicator) {
    sliSpec = objective.indicator.spec;
    where = tracker.for(at.source, [...path, 'indicator', 'spec']);
  } else if (
    objective.indicatorRef !== undefined ||
    (spec.indicator === undefined && spec.indicatorRef !== undefined)
  ) {
    const refPath: Path =
      objective.indicatorRef !== undefined ? [...path, 'indicatorRef'] : ['spec', 'indicatorRef'];
    const name = (objective.indicatorRef ?? spec.indicatorRef) as string;
    const found = registry.get('SLI', name);
    if (!found) {
      reportMissing(at, refPath, 'SLI', name, registry);
      return undefined;
    }
    if (!found.value) {
      tracker.errors += 1; // its own problems are already reported
      return undefined;
    }
    sliSpec = found.value.spec as SliSpecInput;
    where = tracker.for(found.source, ['spec']);
  } else if (spec.indicator) {
    sliSpec = spec.indicator.spec;
    where = tracker.for(at.source, ['spec', 'indicator', 'spec']);
  }
  if (spec.indicator && spec.indicatorRef !== undefined) {
    at.error(
      ['spec', 'indicatorRef'],
      SLO_ERROR_CODES.SPEC_INVALID_FIELD,
      'give `indicator` or `indicatorRef`, not both',
      'Remove one of them.',
      { target: 'key' },
    );
    return undefined;
  }
  if (!sliSpec || !where) {
    at.error(
      ['spec'],
      SLO_ERROR_CODES.SPEC_INVALID_FIELD,
      'the SLO has no indicator',
      'Add `indicator` (an inline SLI) or `indicatorRef` (the name of an SLI object).',
      { target: 'key' },
    );
    return undefined;
  }
  const draft = convertSli(sliSpec, where, registry);
  if (draft?.kind !== 'threshold-query') return draft;
  if (objective.op === undefined || objective.value === undefined) {
    at.error(
      path,
      SLO_ERROR_CODES.SPEC_INVALID_FIELD,
      'a thresholdMetric objective needs `op` and `value`',
      'Add e.g. `op: lt` and `value: 0.3` (good while the query is below 0.3).',
      { target: 'key' },
    );
    return undefined;
  }
  return { kind: 'threshold', query: draft.query, op: objective.op, threshold: objective.value };
}

function reportMissing(
  at: Reporter,
  path: Path,
  kind: OpenSloKind,
  name: string,
  registry: Registry,
): void {
  const suggestion = didYouMean(name, registry.names(kind));
  at.error(
    path,
    SLO_ERROR_CODES.SPEC_REFERENCE,
    `no ${kind} named \`${name}\``,
    suggestion
      ? `Did you mean \`${suggestion}\`?`
      : `Define ${/^[AEIOU]/.test(kind) ? 'an' : 'a'} ${kind} with \`metadata.name: ${name}\` in one of the spec files, or fix the name.`,
  );
}

/** An SLI as read from its object; a threshold SLI still needs the objective's `op`/`value`. */
type SliDraft = Sli | { readonly kind: 'threshold-query'; readonly query: string };

function convertSli(sli: SliSpecInput, at: Reporter, registry: Registry): SliDraft | undefined {
  if ((sli.ratioMetric === undefined) === (sli.thresholdMetric === undefined)) {
    at.error(
      sli.ratioMetric ? ['thresholdMetric'] : [],
      SLO_ERROR_CODES.SPEC_INVALID_FIELD,
      sli.ratioMetric
        ? 'give `ratioMetric` or `thresholdMetric`, not both'
        : 'the SLI has neither `ratioMetric` nor `thresholdMetric`',
      'Give exactly one of them.',
      { target: 'key' },
    );
    return undefined;
  }
  if (sli.thresholdMetric) {
    const query = metricQuery(sli.thresholdMetric, ['thresholdMetric'], at, registry);
    if (
      query === undefined ||
      !checkQuerySyntax(query, ['thresholdMetric', 'metricSource', 'spec', 'query'], at)
    )
      return undefined;
    return { kind: 'threshold-query', query };
  }
  const ratio = sli.ratioMetric as NonNullable<SliSpecInput['ratioMetric']>;
  const counter = ratio.counter ?? false;
  if (ratio.raw) {
    if (ratio.good || ratio.bad || ratio.total) {
      at.error(
        ['ratioMetric', 'raw'],
        SLO_ERROR_CODES.SPEC_INVALID_FIELD,
        '`raw` cannot be combined with `good`, `bad` or `total`',
        'Use `raw` with `rawType`, or `good`/`bad` with `total`.',
        { target: 'key' },
      );
      return undefined;
    }
    if (ratio.rawType === undefined) {
      at.error(
        ['ratioMetric', 'raw'],
        SLO_ERROR_CODES.SPEC_INVALID_FIELD,
        '`raw` needs `rawType`',
        'Add `rawType: failure` (the query is an error ratio) or `rawType: success`.',
        { target: 'key' },
      );
      return undefined;
    }
    const query = windowedQuery(ratio.raw, ['ratioMetric', 'raw'], 'raw', at, registry);
    if (query === undefined) return undefined;
    return { kind: 'raw', errorRatioQuery: ratio.rawType === 'failure' ? query : `1 - (${query})` };
  }
  if (!ratio.total || (ratio.good === undefined) === (ratio.bad === undefined)) {
    at.error(
      ['ratioMetric'],
      SLO_ERROR_CODES.SPEC_INVALID_FIELD,
      !ratio.total
        ? '`ratioMetric` needs `total` (or `raw`)'
        : ratio.good
          ? 'give `good` or `bad`, not both'
          : 'give `good` or `bad`',
      'Count good (or bad) events and all events: `good` (or `bad`) with `total`.',
      { target: 'key' },
    );
    return undefined;
  }
  const numeratorKey = ratio.good ? 'good' : 'bad';
  const numerator = windowedQuery(
    ratio[numeratorKey] as MetricSpec,
    ['ratioMetric', numeratorKey],
    counter ? 'counter' : 'gauge',
    at,
    registry,
  );
  const total = windowedQuery(
    ratio.total,
    ['ratioMetric', 'total'],
    counter ? 'counter' : 'gauge',
    at,
    registry,
  );
  if (numerator === undefined || total === undefined) return undefined;
  return numeratorKey === 'good'
    ? { kind: 'good-events', goodQuery: numerator, totalQuery: total }
    : { kind: 'events', errorQuery: numerator, totalQuery: total };
}

function metricQuery(
  metric: MetricSpec,
  path: Path,
  at: Reporter,
  registry: Registry,
): string | undefined {
  const source = metric.metricSource;
  const sourcePath: Path = [...path, 'metricSource'];
  let type = source.type;
  if (source.metricSourceRef !== undefined) {
    const found = registry.get('DataSource', source.metricSourceRef);
    if (!found) {
      if (type === undefined) {
        reportMissing(
          at,
          [...sourcePath, 'metricSourceRef'],
          'DataSource',
          source.metricSourceRef,
          registry,
        );
        return undefined;
      }
    } else if (found.value) {
      type ??= (found.value.spec as { type: string }).type;
    }
  }
  if (type === undefined) {
    at.error(
      sourcePath,
      SLO_ERROR_CODES.SPEC_INVALID_FIELD,
      'the metric source has no `type`',
      'Add `type: Prometheus`, or `metricSourceRef` naming a DataSource of type Prometheus.',
      { target: 'key' },
    );
    return undefined;
  }
  if (type.toLowerCase() !== 'prometheus') {
    at.error(
      source.type !== undefined ? [...sourcePath, 'type'] : [...sourcePath, 'metricSourceRef'],
      SLO_ERROR_CODES.SPEC_UNSUPPORTED,
      `metric source type \`${type}\` is not supported`,
      'srekit generates Prometheus rules: use a Prometheus metric source with a PromQL `query`.',
    );
    return undefined;
  }
  let ok = true;
  for (const key of Object.keys(source.spec)) {
    if (key === 'query') continue;
    ok = false;
    const suggestion = didYouMean(key, ['query']);
    at.error(
      [...sourcePath, 'spec', key],
      SLO_ERROR_CODES.SPEC_UNKNOWN_FIELD,
      `unknown field \`${key}\``,
      suggestion
        ? `Did you mean \`query\`? A Prometheus metric source has only \`query\`.`
        : 'A Prometheus metric source has only `query`; remove it.',
      { target: 'key' },
    );
  }
  const query = source.spec.query;
  if (typeof query !== 'string') {
    at.error(
      [...sourcePath, 'spec', ...(query === undefined ? [] : ['query'])],
      SLO_ERROR_CODES.SPEC_INVALID_FIELD,
      query === undefined ? '`query` is required' : '`query` must be a string',
      'Give the PromQL query as `query:`.',
      { target: 'key' },
    );
    return undefined;
  }
  return ok ? query : undefined;
}

function checkQuerySyntax(query: string, path: Path, at: Reporter): boolean {
  const error = checkPromql(query);
  if (!error) return true;
  at.error(
    path,
    SLO_ERROR_CODES.SPEC_PROMQL,
    `invalid PromQL: ${error.message}`,
    'Correct the query; it must parse as PromQL once `{{.window}}` is replaced by a duration such as `5m`.',
    { offset: error.offset },
  );
  return false;
}

function windowedQuery(
  metric: MetricSpec,
  path: Path,
  kind: 'counter' | 'gauge' | 'raw',
  at: Reporter,
  registry: Registry,
): string | undefined {
  const query = metricQuery(metric, path, at, registry);
  if (query === undefined) return undefined;
  const queryPath: Path = [...path, 'metricSource', 'spec', 'query'];
  if (!checkQuerySyntax(query, queryPath, at)) return undefined;
  if (hasWindowPlaceholder(query)) return query;
  const plain = isPlainVectorSelector(query);
  if (plain && kind === 'counter') return `sum(rate(${query.trim()}[{{.window}}]))`;
  if (plain && kind === 'raw') return `avg_over_time(${query.trim()}[{{.window}}])`;
  at.error(
    queryPath,
    SLO_ERROR_CODES.SPEC_WINDOW_PLACEHOLDER,
    'the query has no `{{.window}}` placeholder',
    kind === 'gauge'
      ? 'Write the query as a template with `{{.window}}` as its range (`sum(increase(x[{{.window}}]))`), or, when the metric is a counter, set `counter: true` and give just its selector.'
      : 'Write the query as a template with `{{.window}}` as its range (`sum(rate(x[{{.window}}]))`), or give just a metric selector (`x{job="api"}`) and srekit wraps it.',
  );
  return undefined;
}

function convertAlerting(
  spec: SloSpecInput,
  window: SloWindow | undefined,
  at: Reporter,
  registry: Registry,
  tracker: Tracker,
  context: SchemaContext,
): AlertTier[] | undefined {
  if (!window) return undefined;
  if (spec.alertPolicies === undefined) {
    const tiers = DEFAULT_ALERT_TIERS.map((tier) => ({ ...tier }));
    const tooLong = tiersLongerThanWindow(tiers, window);
    if (tooLong.length > 0) {
      at.error(
        ['spec', 'timeWindow', 0, 'duration'],
        SLO_ERROR_CODES.SPEC_WINDOW,
        `the default alert tiers look back up to ${formatDuration(Math.max(...tooLong.map((tier) => tier.longWindowSeconds)))}, longer than the SLO window ${window.text}`,
        'Use a longer window, or give `alertPolicies` whose `lookbackWindow`s fit in it.',
      );
      return undefined;
    }
    return tiers;
  }
  const tiers: AlertTier[] = [];
  const ids = new Set<string>();
  spec.alertPolicies.forEach((item, index) => {
    const path: Path = ['spec', 'alertPolicies', index];
    const policy = resolveRef<PolicySpecInput>(
      item,
      'alertPolicyRef',
      'AlertPolicy',
      path,
      at,
      registry,
      tracker,
    );
    if (!policy) return;
    const enabled = policy.spec.alertWhenBreaching !== false;
    (policy.spec.notificationTargets ?? []).forEach((target, targetIndex) => {
      resolveRef(
        target,
        'targetRef',
        'AlertNotificationTarget',
        [...policy.path, 'notificationTargets', targetIndex],
        policy.at,
        registry,
        tracker,
      );
    });
    policy.spec.conditions.forEach((item, conditionIndex) => {
      const conditionPath: Path = [...policy.path, 'conditions', conditionIndex];
      const condition = resolveRef<ConditionSpecInput>(
        item,
        'conditionRef',
        'AlertCondition',
        conditionPath,
        policy.at,
        registry,
        tracker,
      );
      if (!condition) return;
      const { threshold, lookbackWindow, alertAfter } = condition.spec.condition;
      const lookback = parseDuration(lookbackWindow) as number;
      const step = context.evaluationIntervalSeconds;
      const short = Math.max(step, Math.round(lookback / 12 / step) * step);
      if (lookback > window.seconds) {
        condition.at.error(
          [...condition.path, 'condition', 'lookbackWindow'],
          SLO_ERROR_CODES.SPEC_WINDOW,
          `lookback ${lookbackWindow} is longer than the SLO window ${window.text}`,
          'Use a lookback window shorter than the SLO window.',
        );
        return;
      }
      const budgetFraction = (threshold * lookback) / window.seconds;
      if (budgetFraction > 1) {
        condition.at.error(
          [...condition.path, 'condition', 'threshold'],
          SLO_ERROR_CODES.SPEC_INVALID_FIELD,
          `burning ${threshold}× for ${lookbackWindow} spends ${Number((budgetFraction * 100).toPrecision(4))} % of the budget of ${window.text}: the alert could fire only after the budget is gone`,
          'Lower the threshold or the lookback window so that threshold × lookbackWindow is shorter than the SLO window.',
        );
        return;
      }
      let id = slug(condition.name) || `condition-${conditionIndex}`;
      for (let n = 2; ids.has(id); n += 1) id = `${slug(condition.name)}-${n}`;
      ids.add(id);
      tiers.push({
        id,
        severity: alertSeverity(condition.spec.severity) as 'page' | 'ticket',
        budgetFraction,
        longWindowSeconds: lookback,
        shortWindowSeconds: short,
        enabled,
        forSeconds: alertAfter === undefined ? 0 : (parseDurationOrZero(alertAfter) as number),
      });
    });
  });
  return tiers;
}

interface Resolved<Spec> {
  readonly name: string;
  readonly spec: Spec;
  readonly at: Reporter;
  /** Path of the object inside its document (`[]` for a referenced object's root `spec`). */
  readonly path: Path;
}

function resolveRef<Spec>(
  item: string | RefOrInline<Spec>,
  refKey: string,
  kind: OpenSloKind,
  path: Path,
  at: Reporter,
  registry: Registry,
  tracker: Tracker,
): Resolved<Spec> | undefined {
  const ref = typeof item === 'string' ? item : (item[refKey] as string | undefined);
  if (ref !== undefined) {
    if (
      typeof item !== 'string' &&
      (item.kind !== undefined || item.metadata !== undefined || item.spec !== undefined)
    ) {
      at.error(
        [...path, refKey],
        SLO_ERROR_CODES.SPEC_INVALID_FIELD,
        `give \`${refKey}\` or an inline ${kind}, not both`,
        'Remove one of them.',
        { target: 'key' },
      );
      return undefined;
    }
    const found = registry.get(kind, ref);
    if (!found) {
      reportMissing(at, typeof item === 'string' ? path : [...path, refKey], kind, ref, registry);
      return undefined;
    }
    if (!found.value) {
      tracker.errors += 1;
      return undefined;
    }
    return {
      name: found.name,
      spec: found.value.spec as Spec,
      at: tracker.for(found.source),
      path: ['spec'],
    };
  }
  if (typeof item === 'string') return undefined;
  if (item.kind === undefined || item.metadata === undefined || item.spec === undefined) {
    const missing = ['kind', 'metadata', 'spec'].filter((key) => item[key] === undefined);
    at.error(
      path,
      SLO_ERROR_CODES.SPEC_INVALID_FIELD,
      `an inline ${kind} needs ${missing.map((key) => `\`${key}\``).join(', ')}`,
      `Give \`${refKey}: <name>\`, or the whole ${kind} inline (\`kind: ${kind}\`, \`metadata\`, \`spec\`).`,
    );
    return undefined;
  }
  return { name: item.metadata.name, spec: item.spec, at, path: [...path, 'spec'] };
}
