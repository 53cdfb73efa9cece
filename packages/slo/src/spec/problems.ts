import type * as z from 'zod';
import { SLO_ERROR_CODES, type SloErrorCode } from '../errors.js';
import type { ProblemSeverity, SourceLocation, SpecProblem } from '../types.js';
import { didYouMean } from './did-you-mean.js';
import {
  type FieldPath,
  type LocateTarget,
  locate,
  locateInScalar,
  type SpecDocument,
} from './yaml-source.js';

/** `['slos', 1, 'sli']` → `slos[1].sli`. */
export function formatPath(path: FieldPath): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out.length === 0 ? part : `.${part}`;
  }
  return out || '(document)';
}

/**
 * What a validation check attaches to a zod custom issue (`params.srekit`) so the problem keeps
 * its code, fix and exact place.
 */
export interface IssueDetail {
  readonly code: SloErrorCode;
  readonly fix: string;
  /** Point at the key rather than the value. */
  readonly target?: LocateTarget;
  /** Character offset inside a string value (a PromQL error inside a query). */
  readonly offset?: number;
  readonly severity?: ProblemSeverity;
}

/** Adds a custom issue with srekit details to a zod refinement context. */
export function addIssue(
  ctx: z.RefinementCtx,
  message: string,
  detail: IssueDetail,
  path: FieldPath = [],
): void {
  ctx.addIssue({ code: 'custom', message, path: [...path], params: { srekit: detail } });
}

/** A problem to add, before it is located. */
export interface ProblemInput extends IssueDetail {
  readonly path: FieldPath;
  readonly message: string;
}

/** Creates located problems for one document; `prefix` is prepended to every path. */
export class DocumentProblems {
  readonly problems: SpecProblem[] = [];

  constructor(
    readonly spec: SpecDocument,
    readonly prefix: FieldPath = [],
  ) {}

  /** Adds a problem and returns it. */
  add(input: ProblemInput): SpecProblem {
    const path = [...this.prefix, ...input.path];
    const location: SourceLocation =
      input.offset === undefined
        ? locate(this.spec, path, input.target ?? 'value')
        : locateInScalar(this.spec, path, input.offset);
    const problem: SpecProblem = {
      severity: input.severity ?? 'error',
      code: input.code,
      location,
      field: formatPath(path),
      message: input.message,
      fix: input.fix,
    };
    this.problems.push(problem);
    return problem;
  }

  /** Adds one problem per zod issue (unions resolved to the branch that matches the input). */
  addZodIssues(issues: readonly z.core.$ZodIssue[], data: unknown): void {
    for (const issue of issues) this.addZodIssue(issue, data, []);
  }

  private addZodIssue(issue: z.core.$ZodIssue, data: unknown, base: FieldPath): void {
    const path = [...base, ...(issue.path as (string | number)[])];
    const value = valueAt(data, path);
    const name = String(path[path.length - 1] ?? 'value');
    switch (issue.code) {
      case 'custom': {
        const detail = (issue.params as { srekit?: IssueDetail } | undefined)?.srekit;
        this.add({
          path,
          message: issue.message,
          code: detail?.code ?? SLO_ERROR_CODES.SPEC_INVALID_FIELD,
          fix: detail?.fix ?? 'Correct the value.',
          ...(detail?.target ? { target: detail.target } : {}),
          ...(detail?.offset === undefined ? {} : { offset: detail.offset }),
          ...(detail?.severity ? { severity: detail.severity } : {}),
        });
        return;
      }
      case 'unrecognized_keys': {
        const allowed = allowedKeys(issue.message);
        for (const key of issue.keys) {
          const suggestion = didYouMean(key, allowed);
          this.add({
            path: [...path, key],
            target: 'key',
            code: SLO_ERROR_CODES.SPEC_UNKNOWN_FIELD,
            message: `unknown field \`${key}\``,
            fix: suggestion
              ? `Did you mean \`${suggestion}\`? Fields allowed here: ${allowed.join(', ')}.`
              : `Remove it; fields allowed here: ${allowed.join(', ') || 'none'}.`,
          });
        }
        return;
      }
      case 'invalid_type': {
        if (value === undefined) {
          this.add({
            path,
            code: SLO_ERROR_CODES.SPEC_INVALID_FIELD,
            message: `\`${name}\` is required`,
            fix: `Add \`${name}\` (${describeExpected(issue.expected)}).`,
          });
        } else {
          this.add({
            path,
            code: SLO_ERROR_CODES.SPEC_INVALID_FIELD,
            message: `expected ${describeExpected(issue.expected)}, found ${describeValue(value)}`,
            fix: `Write \`${name}\` as ${describeExpected(issue.expected)}.`,
          });
        }
        return;
      }
      case 'invalid_value': {
        const options = issue.values.map(String);
        const suggestion = typeof value === 'string' ? didYouMean(value, options) : undefined;
        this.add({
          path,
          code: SLO_ERROR_CODES.SPEC_INVALID_FIELD,
          message: `\`${String(value)}\` is not one of ${options.join(', ')}`,
          fix: suggestion ? `Did you mean \`${suggestion}\`?` : `Use one of ${options.join(', ')}.`,
        });
        return;
      }
      case 'invalid_union': {
        const branch = issue.errors.find(
          (errors) =>
            !errors.some((inner) => inner.code === 'invalid_type' && inner.path.length === 0),
        );
        if (branch) {
          for (const inner of branch) this.addZodIssue(inner, data, path);
          return;
        }
        const expected = issue.errors
          .flatMap((errors) => errors.filter((inner) => inner.code === 'invalid_type'))
          .map((inner) => describeExpected((inner as { expected: string }).expected));
        this.add({
          path,
          code: SLO_ERROR_CODES.SPEC_INVALID_FIELD,
          message:
            value === undefined
              ? `\`${name}\` is required`
              : `expected ${expected.join(' or ')}, found ${describeValue(value)}`,
          fix: `Write \`${name}\` as ${expected.join(' or ')}.`,
        });
        return;
      }
      case 'too_small':
      case 'too_big': {
        const isList = issue.origin === 'array';
        const bound = String(issue.code === 'too_small' ? issue.minimum : issue.maximum);
        this.add({
          path,
          code: SLO_ERROR_CODES.SPEC_INVALID_FIELD,
          message: isList
            ? `needs ${issue.code === 'too_small' ? 'at least' : 'at most'} ${bound} item${bound === '1' ? '' : 's'}`
            : issue.origin === 'string'
              ? `\`${name}\` must not be empty`
              : `${String(value)} is ${issue.code === 'too_small' ? 'too small' : 'too large'} (limit ${bound})`,
          fix: isList
            ? `Give \`${name}\` the number of items the format allows.`
            : `Correct \`${name}\`.`,
        });
        return;
      }
      default:
        this.add({
          path,
          code: SLO_ERROR_CODES.SPEC_INVALID_FIELD,
          message: issue.message,
          fix: `Correct \`${name}\`.`,
        });
    }
  }
}

/** Marker used by {@link allowedKeysMessage} to carry the allowed keys through a zod issue. */
const ALLOWED_PREFIX = 'srekit-allowed:';

/** The message a strict object gives for unknown keys, listing the keys it allows. */
export function allowedKeysMessage(keys: readonly string[]): string {
  return `${ALLOWED_PREFIX}${keys.join(',')}`;
}

function allowedKeys(message: string): string[] {
  if (!message.startsWith(ALLOWED_PREFIX)) return [];
  const list = message.slice(ALLOWED_PREFIX.length);
  return list.length > 0 ? list.split(',') : [];
}

function valueAt(data: unknown, path: FieldPath): unknown {
  let value = data;
  for (const part of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[part];
  }
  return value;
}

const EXPECTED: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  boolean: 'true or false',
  object: 'a mapping (key: value)',
  record: 'a mapping (key: value)',
  array: 'a list',
};

function describeExpected(expected: string): string {
  return EXPECTED[expected] ?? expected;
}

/** Names a value's YAML type for messages. */
export function describeValue(value: unknown): string {
  if (value === null) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string')
    return `the string "${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  return `${typeof value} ${String(value)}`;
}
