import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { checkSloSpecs } from '../../src/spec/parse-specs.js';
import type { ParseResult, SpecProblem } from '../../src/types.js';

/** Absolute path of a spec fixture. */
export function fixturePath(name: string): string {
  return fileURLToPath(new URL(`../fixtures/specs/${name}`, import.meta.url));
}

/** Text of a spec fixture. */
export function fixture(name: string): string {
  return readFileSync(fixturePath(name), 'utf8');
}

/** Checks a fixture under its own name. */
export function checkFixture(name: string): ParseResult {
  return checkSloSpecs(fixture(name), { filename: name });
}

/** `line:column code field` of each problem, the shape the location tests pin. */
export function where(problems: readonly SpecProblem[]): string[] {
  return problems.map(
    (problem) =>
      `${problem.location.line}:${problem.location.column} ${problem.code.replace('ERR_SREKIT_SLO_', '')} ${problem.field}`,
  );
}
