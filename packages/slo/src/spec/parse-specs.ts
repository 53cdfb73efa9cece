import { SLO_DEFAULTS } from '../defaults.js';
import { invalidArgument, SLO_ERROR_CODES, SloSpecError } from '../errors.js';
import type { ParseResult, SloSpec, SpecProblem } from '../types.js';
import { didYouMean } from './did-you-mean.js';
import type { SchemaContext } from './fields.js';
import { type OpenSloObject, readOpenSloDocument, resolveOpenSlo } from './openslo.js';
import { OPENSLO_VERSION } from './openslo-schema.js';
import { DocumentProblems } from './problems.js';
import {
  type LocatedSlo,
  readSlothDocument,
  SLOTH_VERSION,
  SREKIT_VERSION,
} from './sloth-format.js';
import { locate, readDocuments, type SpecDocument } from './yaml-source.js';

/** Options of {@link parseSloSpecs} and {@link checkSloSpecs}. */
export interface ParseSloSpecsOptions {
  /** Name of the input in problem locations. Default `<input>`. */
  readonly filename?: string;
  /**
   * Rule evaluation step in seconds; windows must be whole multiples of it. Default 30
   * (`SLO_DEFAULTS.evaluationIntervalSeconds`). A srekit spec's `evaluation_interval` overrides
   * it for that spec.
   */
  readonly evaluationIntervalSeconds?: number;
  /**
   * Called once per warning (severity `warning`, e.g. `ERR_SREKIT_SLO_SPEC_EXTREME_OBJECTIVE`).
   * Warnings never stop parsing; {@link checkSloSpecs} returns them with the errors.
   */
  readonly onWarning?: (problem: SpecProblem) => void;
}

/** One input of {@link checkSpecSources}: a file name and its text. */
export interface SpecSource {
  readonly filename: string;
  readonly text: string;
}

const VERSIONS = [SLOTH_VERSION, SREKIT_VERSION];

/**
 * Parses SLO specs — Sloth `prometheus/v1`, OpenSLO `openslo/v1` and srekit `srekit/v1`, YAML
 * or JSON, one or more `---` separated documents — into normalised `SloSpec`s.
 *
 * Throws `SloSpecError` (`ERR_SREKIT_SLO_SPEC_INVALID`) when the text has any error; the error
 * lists every problem with `file:line:column` and carries the SLOs that were valid. Warnings are
 * passed to `options.onWarning` and do not throw.
 *
 * @example
 * const slos = parseSloSpecs(readFileSync('slos.yaml', 'utf8'), { filename: 'slos.yaml' });
 */
export function parseSloSpecs(text: string, options: ParseSloSpecsOptions = {}): SloSpec[] {
  return unwrap(checkSloSpecs(text, options), options);
}

/**
 * Like {@link parseSloSpecs} but never throws on a bad spec: returns the valid SLOs and every
 * problem (errors and warnings, in file order). One bad SLO never stops the others.
 */
export function checkSloSpecs(text: string, options: ParseSloSpecsOptions = {}): ParseResult {
  return checkSpecSources([{ filename: options.filename ?? '<input>', text }], options);
}

/** Throws `SloSpecError` when `result` has errors; reports warnings; returns the SLOs. */
export function unwrap(
  result: ParseResult,
  options: Pick<ParseSloSpecsOptions, 'onWarning'>,
): SloSpec[] {
  for (const problem of result.problems) {
    if (problem.severity === 'warning') options.onWarning?.(problem);
  }
  if (result.problems.some((problem) => problem.severity === 'error')) {
    throw new SloSpecError(result.problems, result.slos);
  }
  return [...result.slos];
}

/** Resolves and checks the evaluation interval option. */
export function schemaContext(
  options: Pick<ParseSloSpecsOptions, 'evaluationIntervalSeconds'>,
): SchemaContext {
  const seconds = options.evaluationIntervalSeconds ?? SLO_DEFAULTS.evaluationIntervalSeconds;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0) {
    invalidArgument(
      'evaluationIntervalSeconds',
      `expected a positive number of seconds, got ${String(seconds)}`,
      'Pass e.g. 30 (the default) or 60.',
    );
  }
  return { evaluationIntervalSeconds: seconds };
}

/**
 * Checks several spec files together: OpenSLO references resolve across files and SLO ids must
 * be unique across all of them.
 */
export function checkSpecSources(
  sources: readonly SpecSource[],
  options: ParseSloSpecsOptions = {},
): ParseResult {
  const context = schemaContext(options);
  const problemSets: DocumentProblems[] = [];
  const loose: SpecProblem[] = [];
  const located: LocatedSlo[] = [];
  const openSlo: OpenSloObject[] = [];

  for (const source of sources) {
    const { documents, syntaxErrors, nonEmptyCount } = readDocuments(source.text, source.filename);
    for (const error of syntaxErrors) {
      loose.push({
        severity: 'error',
        code: SLO_ERROR_CODES.SPEC_SYNTAX,
        location: error.location,
        field: '(document)',
        message: `invalid YAML: ${error.message}`,
        fix: 'Fix the syntax at this place; the other documents of the file are still read.',
      });
    }
    if (nonEmptyCount === 0) {
      loose.push({
        severity: 'error',
        code: SLO_ERROR_CODES.SPEC_UNSUPPORTED,
        location: { file: source.filename, line: 1, column: 1 },
        field: '(document)',
        message: 'the file holds no spec',
        fix: `Write a spec with \`version: ${SREKIT_VERSION}\` (or ${SLOTH_VERSION}, or OpenSLO \`apiVersion: ${OPENSLO_VERSION}\` objects).`,
      });
    }
    for (const document of documents) {
      const kind = detect(document, problemSets);
      if (kind === 'openslo') {
        const object = readOpenSloDocument(document, context);
        if (object) openSlo.push(object);
      } else if (kind === 'sloth' || kind === 'srekit') {
        const result = readSlothDocument(document, kind, context);
        problemSets.push(...result.problems);
        located.push(...result.slos);
      }
    }
  }
  const resolved = resolveOpenSlo(openSlo, context);
  problemSets.push(...resolved.problems);
  located.push(...resolved.slos);

  const order = new Map(sources.map((source, index) => [source.filename, index]));
  const byPosition = (
    a: { file: string; line: number; column: number },
    b: { file: string; line: number; column: number },
  ) =>
    (order.get(a.file) ?? 0) - (order.get(b.file) ?? 0) || a.line - b.line || a.column - b.column;
  located.sort((a, b) => byPosition(a.slo.source.location, b.slo.source.location));

  const slos: SloSpec[] = [];
  const seen = new Map<string, LocatedSlo>();
  for (const entry of located) {
    const first = seen.get(entry.slo.id);
    if (first) {
      const at = first.slo.source.location;
      const duplicate = new DocumentProblems(entry.document);
      duplicate.add({
        path: entry.namePath,
        code: SLO_ERROR_CODES.SPEC_DUPLICATE_ID,
        message: `SLO id \`${entry.slo.id}\` is already used at ${at.file}:${at.line}:${at.column}`,
        fix: 'Give the SLO another name (the id is `<service>-<name>`); this one is left out.',
      });
      problemSets.push(duplicate);
      continue;
    }
    seen.set(entry.slo.id, entry);
    slos.push(entry.slo);
  }

  const unique = new Map<string, SpecProblem>();
  for (const problem of [...loose, ...problemSets.flatMap((set) => set.problems)]) {
    const { file, line, column } = problem.location;
    const key = `${file}:${line}:${column}:${problem.code}:${problem.field}:${problem.message}`;
    if (!unique.has(key)) unique.set(key, problem);
  }
  const problems = [...unique.values()].sort((a, b) => byPosition(a.location, b.location));
  return { slos, problems };
}

function detect(
  document: SpecDocument,
  problemSets: DocumentProblems[],
): 'sloth' | 'srekit' | 'openslo' | undefined {
  const problems = new DocumentProblems(document);
  problemSets.push(problems);
  const data = document.data;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    problems.add({
      path: [],
      code: SLO_ERROR_CODES.SPEC_UNSUPPORTED,
      message: 'expected a mapping with `version` (Sloth, srekit) or `apiVersion` (OpenSLO)',
      fix: `Start the document with \`version: ${SREKIT_VERSION}\`, \`version: ${SLOTH_VERSION}\` or \`apiVersion: ${OPENSLO_VERSION}\`.`,
    });
    return undefined;
  }
  const record = data as Record<string, unknown>;
  if ('apiVersion' in record) {
    const apiVersion = record.apiVersion;
    if (apiVersion === OPENSLO_VERSION) return 'openslo';
    const text = String(apiVersion);
    problems.add({
      path: ['apiVersion'],
      code: SLO_ERROR_CODES.SPEC_UNSUPPORTED,
      message: `\`apiVersion: ${text}\` is not supported`,
      fix: text.startsWith('sloth.slok.dev/')
        ? `This is Sloth's Kubernetes resource: take its \`spec:\` as a file of its own with \`version: ${SLOTH_VERSION}\`.`
        : text.startsWith('openslo/')
          ? `srekit reads OpenSLO \`${OPENSLO_VERSION}\`; convert the objects to it.`
          : `Use OpenSLO \`apiVersion: ${OPENSLO_VERSION}\`, or a Sloth/srekit spec with \`version\`.`,
    });
    return undefined;
  }
  if ('version' in record) {
    const version = record.version;
    if (version === SLOTH_VERSION) return 'sloth';
    if (version === SREKIT_VERSION) return 'srekit';
    const suggestion = typeof version === 'string' ? didYouMean(version, VERSIONS) : undefined;
    problems.add({
      path: ['version'],
      code: SLO_ERROR_CODES.SPEC_UNSUPPORTED,
      message: `\`version: ${String(version)}\` is not supported`,
      fix: suggestion
        ? `Did you mean \`${suggestion}\`?`
        : `Use \`${SREKIT_VERSION}\` or Sloth's \`${SLOTH_VERSION}\`.`,
    });
    return undefined;
  }
  problems.add({
    path: [],
    code: SLO_ERROR_CODES.SPEC_UNSUPPORTED,
    message: 'the document has neither `version` nor `apiVersion`',
    fix: `Start it with \`version: ${SREKIT_VERSION}\`, \`version: ${SLOTH_VERSION}\` or \`apiVersion: ${OPENSLO_VERSION}\`.`,
  });
  void locate;
  return undefined;
}
