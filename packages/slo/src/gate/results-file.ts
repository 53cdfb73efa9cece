import { readFile } from 'node:fs/promises';
import { SrekitError } from '@srekit/core';
import { parseDuration } from '../duration.js';
import { SLO_ERROR_CODES } from '../errors.js';

/** The `version` a results file may declare. */
export const RESULTS_FILE_VERSION = 'srekit-results/v1';

/**
 * Event counts of one SLO over some span of time. Give `good` or `bad` (not both) and `total`;
 * counts are non-negative numbers (fractions are accepted, e.g. counts derived from rates).
 */
export interface EventCounts {
  readonly good?: number;
  readonly bad?: number;
  readonly total: number;
}

/** Counts of one SLO: over the whole period (or test run), and optionally per window. */
export interface ResultsFileSlo extends EventCounts {
  /**
   * Counts over the trailing windows the burn rates are read from, keyed by Prometheus duration
   * (`5m`, `1h`, `6h`…). Optional; without them only the period's numbers are known.
   */
  readonly windows?: Readonly<Record<string, EventCounts>>;
}

/**
 * A results file: good and total events per SLO id, e.g. written by a load test, fed to the gate
 * and the report instead of Prometheus.
 *
 * @example
 * ```json
 * {
 *   "version": "srekit-results/v1",
 *   "slos": {
 *     "checkout-availability": {
 *       "good": 99950, "total": 100000,
 *       "windows": { "5m": { "good": 9990, "total": 10000 }, "1h": { "bad": 2, "total": 60000 } }
 *     }
 *   }
 * }
 * ```
 */
export interface ResultsFile {
  /** Optional; when given it must be `srekit-results/v1`. */
  readonly version?: string;
  /** Free text shown in reports (e.g. the load test's name). */
  readonly description?: string;
  /** When the counts were taken (ISO 8601). Reports use it as their "as of" time. */
  readonly generatedAt?: string;
  /** Counts per SLO id (`<service>-<name>`). */
  readonly slos: Readonly<Record<string, ResultsFileSlo>>;
}

/** One thing wrong in a results file. */
export interface ResultsFileProblem {
  /** JSON path of the offending value, e.g. `$.slos["checkout-availability"].good`. */
  readonly path: string;
  readonly message: string;
  readonly fix: string;
}

/** Outcome of {@link validateResultsFile}: the file when valid, and every problem found. */
export interface ResultsFileValidation {
  readonly file?: ResultsFile;
  readonly problems: readonly ResultsFileProblem[];
}

const TOP_FIELDS = ['version', 'description', 'generatedAt', 'slos'] as const;
const SLO_FIELDS = ['good', 'bad', 'total', 'windows'] as const;
const COUNT_FIELDS = ['good', 'bad', 'total'] as const;

function key(path: string, name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? `${path}.${name}` : `${path}[${JSON.stringify(name)}]`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}

/**
 * Checks a parsed results file against the schema of {@link ResultsFile} and returns every
 * problem with its JSON path and fix. Never throws.
 */
export function validateResultsFile(value: unknown): ResultsFileValidation {
  const problems: ResultsFileProblem[] = [];
  const problem = (path: string, message: string, fix: string): void => {
    problems.push({ path, message, fix });
  };
  if (!isObject(value)) {
    problem(
      '$',
      `the file holds ${describe(value)}, not an object`,
      `Write an object: { "version": "${RESULTS_FILE_VERSION}", "slos": { "<slo id>": { "good": 0, "total": 0 } } }.`,
    );
    return { problems };
  }
  unknownFields(value, '$', TOP_FIELDS, problem);
  if (value.version !== undefined && value.version !== RESULTS_FILE_VERSION) {
    problem(
      '$.version',
      `version ${describe(value.version)} is not one srekit reads`,
      `Write "version": "${RESULTS_FILE_VERSION}" or leave it out.`,
    );
  }
  for (const field of ['description', 'generatedAt'] as const) {
    if (value[field] !== undefined && typeof value[field] !== 'string') {
      problem(`$.${field}`, `${field} is ${describe(value[field])}`, `Write ${field} as a string.`);
    }
  }
  if (typeof value.generatedAt === 'string' && Number.isNaN(Date.parse(value.generatedAt))) {
    problem(
      '$.generatedAt',
      `"${value.generatedAt}" is not a date`,
      'Write an ISO 8601 time, e.g. "2024-05-01T12:00:00Z".',
    );
  }
  if (!isObject(value.slos)) {
    problem(
      '$.slos',
      value.slos === undefined ? 'slos is missing' : `slos is ${describe(value.slos)}`,
      'Add "slos": an object keyed by SLO id (<service>-<name>), each { "good": n, "total": n }.',
    );
  } else {
    for (const [id, slo] of Object.entries(value.slos)) {
      const path = key('$.slos', id);
      if (!isObject(slo)) {
        problem(path, `the entry is ${describe(slo)}`, 'Write { "good": n, "total": n }.');
        continue;
      }
      unknownFields(slo, path, SLO_FIELDS, problem);
      counts(slo, path, problem);
      if (slo.windows === undefined) continue;
      if (!isObject(slo.windows)) {
        problem(
          `${path}.windows`,
          `windows is ${describe(slo.windows)}`,
          'Write an object keyed by duration: { "1h": { "good": n, "total": n } }.',
        );
        continue;
      }
      for (const [window, entry] of Object.entries(slo.windows)) {
        const windowPath = key(`${path}.windows`, window);
        if (parseDuration(window) === undefined) {
          problem(
            windowPath,
            `"${window}" is not a Prometheus duration`,
            'Key windows by durations such as "5m", "1h", "6h", "1d".',
          );
        }
        if (!isObject(entry)) {
          problem(
            windowPath,
            `the entry is ${describe(entry)}`,
            'Write { "good": n, "total": n }.',
          );
          continue;
        }
        unknownFields(entry, windowPath, COUNT_FIELDS, problem);
        counts(entry, windowPath, problem);
      }
    }
  }
  return problems.length === 0 ? { file: value as unknown as ResultsFile, problems } : { problems };
}

function unknownFields(
  object: Record<string, unknown>,
  path: string,
  known: readonly string[],
  problem: (path: string, message: string, fix: string) => void,
): void {
  for (const name of Object.keys(object)) {
    if (known.includes(name)) continue;
    const near = known.find((candidate) => candidate.toLowerCase() === name.toLowerCase());
    problem(
      key(path, name),
      `unknown field "${name}"`,
      near
        ? `Did you mean "${near}"?`
        : `Remove it; the fields here are ${known.map((k) => `"${k}"`).join(', ')}.`,
    );
  }
}

function counts(
  entry: Record<string, unknown>,
  path: string,
  problem: (path: string, message: string, fix: string) => void,
): void {
  let ok = true;
  for (const field of COUNT_FIELDS) {
    const value = entry[field];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      ok = false;
      problem(
        `${path}.${field}`,
        `${field} is ${describe(value)}, not a count`,
        `Write ${field} as a number ≥ 0.`,
      );
    }
  }
  if (entry.total === undefined) {
    ok = false;
    problem(`${path}.total`, 'total is missing', 'Add "total": the number of events.');
  }
  if (entry.good !== undefined && entry.bad !== undefined) {
    ok = false;
    problem(
      `${path}.bad`,
      'both good and bad are given',
      'Give one of them: good = total − bad, so the other follows.',
    );
  } else if (entry.good === undefined && entry.bad === undefined) {
    ok = false;
    problem(`${path}.good`, 'good (or bad) is missing', 'Add "good": the number of good events.');
  }
  if (!ok) return;
  const total = entry.total as number;
  const part = (entry.good ?? entry.bad) as number;
  if (part > total) {
    const field = entry.good === undefined ? 'bad' : 'good';
    problem(
      `${path}.${field}`,
      `${field} (${part}) is greater than total (${total})`,
      `Write ${field} ≤ total.`,
    );
  }
}

/**
 * Parses and validates the text of a results file. Throws `ERR_SREKIT_SLO_GATE_SOURCE` naming
 * the file, the line and column of a JSON syntax error, or every schema problem with its JSON
 * path and fix.
 *
 * @param name - how to name the file in messages (its path). Default `results file`.
 */
export function parseResultsFile(text: string, name = 'results file'): ResultsFile {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const position = /position (\d+)/.exec(message);
    const where = position ? `:${lineColumn(text, Number(position[1]))}` : '';
    throw new SrekitError(
      SLO_ERROR_CODES.GATE_SOURCE,
      `${name}${where} is not valid JSON (${message}). Fix the syntax; the file must be one JSON object like { "slos": { "<slo id>": { "good": 990, "total": 1000 } } }.`,
      { cause: error },
    );
  }
  const { file, problems } = validateResultsFile(value);
  if (file) return file;
  throw new SrekitError(
    SLO_ERROR_CODES.GATE_SOURCE,
    `${name} is not a valid results file (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems
      .map((p) => `  ${p.path}: ${p.message}. ${p.fix}`)
      .join('\n')}\n`,
  );
}

function lineColumn(text: string, position: number): string {
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const column = position - before.lastIndexOf('\n');
  return `${line}:${column}`;
}

/**
 * Reads, parses and validates a results file. Throws `ERR_SREKIT_SLO_GATE_SOURCE` when it cannot
 * be read or is not valid (see {@link parseResultsFile}).
 */
export async function readResultsFile(path: string): Promise<ResultsFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new SrekitError(
      SLO_ERROR_CODES.GATE_SOURCE,
      `Cannot read results file ${path} (${String(code ?? (error as Error).message)}). ${
        code === 'ENOENT'
          ? 'Check the path (it is relative to the working directory).'
          : 'Check that it is a readable file.'
      }`,
      { cause: error },
    );
  }
  return parseResultsFile(text, path);
}
