import * as z from 'zod';
import { objectiveText } from '../decimal.js';
import { formatDuration, parseDuration } from '../duration.js';
import { SLO_ERROR_CODES } from '../errors.js';
import { addIssue, allowedKeysMessage } from './problems.js';
import { checkPromql, hasWindowPlaceholder } from './promql.js';
import { isMultipleOf, isValidTimeZone, parseDurationOrZero } from './windows.js';

/** What schemas need to know beyond the text: the rule evaluation step. */
export interface SchemaContext {
  readonly evaluationIntervalSeconds: number;
}

/** A strict object: unknown keys are problems that name the keys allowed at that place. */
export function strict<Shape extends z.ZodRawShape>(shape: Shape) {
  const keys = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) => (issue.code === 'unrecognized_keys' ? allowedKeysMessage(keys) : undefined),
  });
}

/** Sloth's name rule: starts and ends with a letter or digit; `-`, `_` and `.` in between. */
export const NAME_PATTERN = /^[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** A service or SLO name. */
export function nameField(what: string) {
  return z.string().superRefine((value, ctx) => {
    if (!NAME_PATTERN.test(value)) {
      addIssue(ctx, `${what} "${value}" is not a valid name`, {
        code: SLO_ERROR_CODES.SPEC_INVALID_FIELD,
        fix: 'Use letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit.',
      });
    }
  });
}

/** Prometheus label names (the `__` prefix is reserved by Prometheus). */
export const LABEL_NAME_PATTERN = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

const scalarText = z
  .union([z.string(), z.number(), z.boolean()])
  .transform((value) => String(value));

/** A map of Prometheus labels (`kind: 'label'`) or annotations, values read as strings. */
export function labelsField(kind: 'label' | 'annotation') {
  return z.record(z.string(), scalarText).superRefine((map, ctx) => {
    for (const [key, value] of Object.entries(map)) {
      if (!LABEL_NAME_PATTERN.test(key) || (kind === 'label' && key.startsWith('__'))) {
        addIssue(
          ctx,
          `\`${key}\` is not a valid Prometheus ${kind} name`,
          {
            code: SLO_ERROR_CODES.SPEC_INVALID_FIELD,
            target: 'key',
            fix: `Use letters, digits and \`_\`, not starting with a digit${kind === 'label' ? ' or `__`' : ''} (e.g. \`${suggestLabelName(key)}\`).`,
          },
          [key],
        );
      }
      if (value.length === 0) {
        addIssue(
          ctx,
          `${kind} \`${key}\` has an empty value`,
          {
            code: SLO_ERROR_CODES.SPEC_INVALID_FIELD,
            fix: `Give \`${key}\` a value or remove it.`,
          },
          [key],
        );
      }
    }
  });
}

/** A valid Prometheus label name close to `key` (`team-name` → `team_name`). */
export function suggestLabelName(key: string): string {
  const replaced = key.replace(/[^a-zA-Z0-9_]/g, '_').replace(/^__+/, '');
  return /^[0-9]/.test(replaced) ? `_${replaced}` : replaced || 'label';
}

/** An objective in percent, strictly between 0 and 100. */
export function objectiveField() {
  return z.number().superRefine((value, ctx) => {
    if (!(value > 0 && value < 100) || objectiveText(value) === undefined) {
      addIssue(ctx, `objective ${value} is not between 0 and 100 (exclusive)`, {
        code: SLO_ERROR_CODES.SPEC_OBJECTIVE,
        fix:
          value >= 100
            ? 'An objective of 100 % leaves no error budget; use e.g. 99.9.'
            : value > 0 && value < 1
              ? `The objective is a percentage; did you mean ${Number((value * 100).toPrecision(12))}?`
              : 'Write the objective as a percentage, e.g. 99.9.',
      });
    }
  });
}

/** Options of {@link durationField}. */
export interface DurationFieldOptions {
  /** `0`/`0s` allowed (the `for:` of an alert). */
  readonly allowZero?: boolean;
  /** Must be a multiple of the evaluation interval (windows). Default true. */
  readonly onStep?: boolean;
}

/** A Prometheus duration (`5m`, `1h30m`, `30d`). */
export function durationField(context: SchemaContext, options: DurationFieldOptions = {}) {
  return z.string().superRefine((text, ctx) => {
    checkDuration(text, ctx, context, options);
  });
}

/** The duration checks of {@link durationField}, for fields that are not plain strings. */
export function checkDuration(
  text: string,
  ctx: z.RefinementCtx,
  context: SchemaContext,
  options: DurationFieldOptions = {},
  path: readonly (string | number)[] = [],
): number | undefined {
  const seconds = options.allowZero ? parseDurationOrZero(text) : parseDuration(text);
  if (seconds === undefined) {
    addIssue(
      ctx,
      `\`${text}\` is not a ${options.allowZero ? '' : 'positive '}Prometheus duration`,
      {
        code: SLO_ERROR_CODES.SPEC_WINDOW,
        fix: 'Write a number and a unit, largest unit first: `5m`, `1h30m`, `30d`, `4w` (units ms, s, m, h, d, w, y).',
      },
      path,
    );
    return undefined;
  }
  if (
    (options.onStep ?? true) &&
    seconds > 0 &&
    !isMultipleOf(seconds, context.evaluationIntervalSeconds)
  ) {
    addIssue(
      ctx,
      `\`${text}\` is not a multiple of the evaluation interval ${formatDuration(context.evaluationIntervalSeconds)}`,
      {
        code: SLO_ERROR_CODES.SPEC_WINDOW,
        fix: `Use a multiple of ${formatDuration(context.evaluationIntervalSeconds)}, or change the evaluation interval.`,
      },
      path,
    );
    return undefined;
  }
  return seconds;
}

/** An IANA time zone name. */
export function timeZoneField() {
  return z.string().superRefine((value, ctx) => {
    if (!isValidTimeZone(value)) {
      addIssue(ctx, `\`${value}\` is not a time zone this runtime knows`, {
        code: SLO_ERROR_CODES.SPEC_WINDOW,
        fix: 'Use an IANA time zone name such as `UTC`, `Europe/Berlin` or `America/New_York`.',
      });
    }
  });
}

/** A PromQL query template; `windowed` ones must contain `{{.window}}`. */
export function queryField(windowed: boolean) {
  return z.string().superRefine((template, ctx) => {
    checkQuery(template, ctx, windowed);
  });
}

/** The checks of {@link queryField}, reusable where the query is validated in context. */
export function checkQuery(
  template: string,
  ctx: z.RefinementCtx,
  windowed: boolean,
  path: readonly (string | number)[] = [],
): boolean {
  let ok = true;
  const error = checkPromql(template);
  if (error) {
    ok = false;
    addIssue(
      ctx,
      `invalid PromQL: ${error.message}`,
      {
        code: SLO_ERROR_CODES.SPEC_PROMQL,
        offset: error.offset,
        fix: 'Correct the query; it must parse as PromQL once `{{.window}}` is replaced by a duration such as `5m`.',
      },
      path,
    );
  }
  if (windowed && !hasWindowPlaceholder(template)) {
    ok = false;
    addIssue(
      ctx,
      'the query has no `{{.window}}` placeholder',
      {
        code: SLO_ERROR_CODES.SPEC_WINDOW_PLACEHOLDER,
        fix: 'Use `{{.window}}` as the range of the query, e.g. `sum(rate(http_requests_total[{{.window}}]))`; rules are generated once per window.',
      },
      path,
    );
  }
  return ok;
}
