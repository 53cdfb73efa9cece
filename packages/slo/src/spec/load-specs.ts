import { readFile } from 'node:fs/promises';
import { SLO_ERROR_CODES } from '../errors.js';
import type { ParseResult, SloSpec, SpecProblem } from '../types.js';
import {
  checkSpecSources,
  type ParseSloSpecsOptions,
  type SpecSource,
  schemaContext,
  unwrap,
} from './parse-specs.js';

/** Options of {@link loadSloSpecs} and {@link checkSloSpecFiles}. */
export type LoadSloSpecsOptions = Omit<ParseSloSpecsOptions, 'filename'>;

/**
 * Reads and checks spec files together, never throwing on a bad spec: OpenSLO references
 * resolve across the files, SLO ids must be unique across all of them, and a file that cannot be
 * read is a problem (`ERR_SREKIT_SLO_SPEC_READ`) rather than a crash.
 */
export async function checkSloSpecFiles(
  paths: readonly string[],
  options: LoadSloSpecsOptions = {},
): Promise<ParseResult> {
  schemaContext(options);
  const sources: SpecSource[] = [];
  const readProblems: SpecProblem[] = [];
  for (const path of paths) {
    try {
      sources.push({ filename: path, text: await readFile(path, 'utf8') });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      readProblems.push({
        severity: 'error',
        code: SLO_ERROR_CODES.SPEC_READ,
        location: { file: path, line: 1, column: 1 },
        field: '(file)',
        message:
          code === 'ENOENT'
            ? 'the file does not exist'
            : code === 'EISDIR'
              ? 'this is a directory'
              : code === 'EACCES'
                ? 'no permission to read the file'
                : `the file cannot be read (${code ?? (error as Error).message})`,
        fix:
          code === 'EISDIR'
            ? 'Pass the spec files inside it (e.g. `slos/*.yaml`).'
            : 'Check the path and that the file is readable.',
      });
    }
  }
  const result = checkSpecSources(sources, options);
  return { slos: result.slos, problems: [...readProblems, ...result.problems] };
}

/**
 * Reads spec files (Sloth, OpenSLO or srekit) and returns every SLO in them. Throws
 * `SloSpecError` with the problems of all files when any has an error; warnings go to
 * `options.onWarning`.
 *
 * @example
 * const slos = await loadSloSpecs(['slos/checkout.yaml', 'slos/openslo.yaml']);
 */
export async function loadSloSpecs(
  paths: readonly string[],
  options: LoadSloSpecsOptions = {},
): Promise<SloSpec[]> {
  return unwrap(await checkSloSpecFiles(paths, options), options);
}
