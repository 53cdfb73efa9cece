/**
 * Fuzzing the SLO spec reader: mutated copies of every valid spec file in the repository (the
 * reference service's, the packages' fixtures, and their JSON form) go through `checkSloSpecs`,
 * `parseSloSpecs` and, for a sample, `srekit validate`. Nothing may throw except `SloSpecError`
 * from `parseSloSpecs`, no input may take long, and every problem must name a place
 * (file:line:column) inside the input and say what is wrong.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { run } from '@srekit/cli';
import { isSrekitError } from '@srekit/core';
import { checkSloSpecs, parseSloSpecs, SLO_ERROR_CODES, type SpecProblem } from '@srekit/slo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { scaled } from '../support/mode.js';
import { type Mutation, type MutatorLimits, mutate, Rng } from '../support/mutator.js';

/** Per test: within the file budget (< 60 s) bounded; the full run takes minutes. */
const TIMEOUT_MS = scaled(60_000, 1_200_000);

const ROOT = new URL('../../../', import.meta.url).pathname;
const SEED = Number(process.env.SREKIT_FUZZ_SEED ?? 20_260_108);
const INPUTS = scaled(2_000, 10_000);
const CLI_SAMPLE = scaled(40, 200);
/**
 * Per-input bound, generous for a loaded 2-core CI machine (typical inputs take 10–20 ms); the
 * full run's 100 kB values take seconds in the PromQL parser.
 */
const MAX_MS_PER_INPUT = scaled(2_000, 15_000);
const FILENAME = 'fuzz.yaml';
const PARSE_EVERY = 4;
/**
 * Huge values: 8 k characters in the bounded run, 100 k in the full one. The PromQL parser's error
 * recovery costs about 25 µs per character, so a 100 kB query takes seconds to reject.
 */
const LIMITS: MutatorLimits = scaled(
  { hugeChars: 8_000, nestingDepth: 3_000 },
  { hugeChars: 100_000, nestingDepth: 20_000 },
);

const SOURCES = [
  'examples/reference-service/slos/orders-availability.sloth.yaml',
  'examples/reference-service/slos/orders-latency.openslo.yaml',
  'packages/slo/test/fixtures/specs/srekit-full.yaml',
  'packages/slo/test/fixtures/specs/sloth-full.yaml',
  'packages/slo/test/fixtures/specs/openslo-full.yaml',
  'packages/slo/test/fixtures/specs/extreme-objectives.yaml',
  'packages/cli/test/fixtures/slos/checkout.yaml',
];

/** Every way a problem can fail to be useful; empty when it is fine. */
function problemDefects(problem: SpecProblem, lineCount: number): string[] {
  const defects: string[] = [];
  const { location } = problem;
  if (location?.file !== FILENAME) defects.push(`file ${String(location?.file)}`);
  if (!Number.isInteger(location?.line) || location.line < 1 || location.line > lineCount + 1)
    defects.push(`line ${String(location?.line)} of ${lineCount}`);
  if (!Number.isInteger(location?.column) || location.column < 1)
    defects.push(`column ${String(location?.column)}`);
  if (typeof problem.message !== 'string' || problem.message.trim().length === 0)
    defects.push('no message');
  if (typeof problem.code !== 'string' || !problem.code.startsWith('ERR_SREKIT_'))
    defects.push(`code ${String(problem.code)}`);
  if (problem.severity !== 'error' && problem.severity !== 'warning')
    defects.push(`severity ${String(problem.severity)}`);
  if (typeof problem.field !== 'string') defects.push('no field');
  return defects;
}

const bases: { name: string; text: string }[] = [];

beforeAll(async () => {
  for (const path of SOURCES) {
    const text = await readFile(join(ROOT, path), 'utf8');
    bases.push({ name: path, text });
    // The same document as JSON (YAML 1.2 reads JSON): the JSON-shaped mutations come from it.
    const documents = parseAllDocuments(text);
    if (Array.isArray(documents) && documents.length === 1) {
      bases.push({ name: `${path} (json)`, text: JSON.stringify(documents[0]?.toJS(), null, 2) });
    }
  }
});

describe('SLO spec fuzzing', () => {
  it('the seed files are valid (so mutations start from accepted input)', () => {
    for (const base of bases) {
      const result = checkSloSpecs(base.text, { filename: FILENAME });
      expect(
        result.problems.filter((p) => p.severity === 'error'),
        base.name,
      ).toEqual([]);
      expect(result.slos.length, base.name).toBeGreaterThan(0);
    }
  });

  it(
    `${INPUTS} mutated specs: no crash, no hang, every problem located`,
    () => {
      const rng = new Rng(SEED);
      const counts = { valid: 0, warningsOnly: 0, rejected: 0, problems: 0, parsed: 0 };
      const byCode = new Map<string, number>();
      const byMutation = new Map<Mutation, number>();
      const msByMutation = new Map<Mutation, number>();
      const failures: string[] = [];
      const durations: number[] = [];
      for (let i = 0; i < INPUTS; i++) {
        const base = rng.pick(bases);
        const { text, kinds } = mutate(base.text, rng, 3, LIMITS);
        for (const kind of kinds) byMutation.set(kind, (byMutation.get(kind) ?? 0) + 1);
        const label = `input ${i} (seed ${SEED}, ${base.name}, ${kinds.join('+')})`;
        const started = performance.now();
        let result: ReturnType<typeof checkSloSpecs>;
        try {
          result = checkSloSpecs(text, { filename: FILENAME });
        } catch (error) {
          failures.push(`${label}: checkSloSpecs threw ${String(error)}`);
          continue;
        }
        // parseSloSpecs repeats the same work and throws on errors: every PARSE_EVERY-th input.
        const viaParse = i % PARSE_EVERY === 0;
        let thrown: unknown;
        let parsed: unknown;
        if (viaParse) {
          try {
            parsed = parseSloSpecs(text, { filename: FILENAME, onWarning: () => {} });
          } catch (error) {
            thrown = error;
          }
        }
        const ms = performance.now() - started;
        durations.push(ms);
        for (const kind of kinds) msByMutation.set(kind, (msByMutation.get(kind) ?? 0) + ms);
        if (ms > MAX_MS_PER_INPUT) failures.push(`${label}: took ${ms.toFixed(0)} ms`);

        const lineCount = text.split(/\r\n|\r|\n/).length;
        const errors = result.problems.filter((p) => p.severity === 'error');
        for (const problem of result.problems) {
          counts.problems++;
          byCode.set(problem.code, (byCode.get(problem.code) ?? 0) + 1);
          const defects = problemDefects(problem, lineCount);
          if (defects.length > 0)
            failures.push(`${label}: problem ${problem.code} ${defects.join(', ')}`);
        }
        if (errors.length > 0) counts.rejected++;
        else if (result.problems.length > 0) counts.warningsOnly++;
        else counts.valid++;
        if (!viaParse) continue;
        counts.parsed++;
        if (errors.length > 0) {
          // parseSloSpecs throws exactly the documented error, carrying the same problems.
          // (The counts may differ where the YAML parser ran out of stack: how deep it gets
          // depends on the stack left at the call.)
          const ok =
            isSrekitError(thrown) &&
            thrown.code === SLO_ERROR_CODES.SPEC_INVALID &&
            ((thrown as { problems?: unknown[] }).problems?.length ?? 0) > 0;
          if (!ok) failures.push(`${label}: parseSloSpecs gave ${String(thrown ?? 'no error')}`);
        } else {
          if (thrown !== undefined)
            failures.push(`${label}: parseSloSpecs threw ${String(thrown)}`);
          else if ((parsed as unknown[]).length !== result.slos.length)
            failures.push(`${label}: parse and check disagree on the SLOs`);
        }
      }
      durations.sort((a, b) => a - b);
      const p99 = durations[Math.floor(durations.length * 0.99)] ?? 0;
      const max = durations.at(-1) ?? 0;
      const codes = [...byCode].sort((a, b) => b[1] - a[1]);
      console.info(
        `[fuzz:slo-specs] seed ${SEED}, ${INPUTS} inputs: ${counts.valid} valid, ${counts.warningsOnly} warnings only, ${counts.rejected} rejected (${counts.parsed} also through parseSloSpecs); ${counts.problems} problems, all located; p99 ${p99.toFixed(1)} ms, max ${max.toFixed(0)} ms per input\n` +
          `  mutations (count, mean ms of the inputs they were in): ${[...byMutation].map(([k, n]) => `${k} ${n} ${((msByMutation.get(k) ?? 0) / n).toFixed(1)}`).join(', ')}\n` +
          `  problem codes: ${codes.map(([k, n]) => `${k.replace('ERR_SREKIT_SLO_', '')} ${n}`).join(', ')}`,
      );
      expect(failures.slice(0, 20)).toEqual([]);
      // The mutator must reach both sides and several kinds of problem.
      expect(counts.rejected).toBeGreaterThan(INPUTS * 0.2);
      expect(counts.valid + counts.warningsOnly).toBeGreaterThan(INPUTS * 0.02);
      expect(byCode.size).toBeGreaterThanOrEqual(5);
    },
    TIMEOUT_MS,
  );

  describe('through `srekit validate`', () => {
    let dir = '';
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'srekit-fuzz-'));
    });
    afterAll(async () => {
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it(
      `${CLI_SAMPLE} mutated files: exit 0 or 1 as the reader decides, never a crash`,
      async () => {
        const rng = new Rng(SEED + 1);
        const exits = new Map<number, number>();
        const failures: string[] = [];
        for (let i = 0; i < CLI_SAMPLE; i++) {
          const base = rng.pick(bases);
          const { text, kinds } = mutate(base.text, rng, 3, LIMITS);
          const file = join(dir, `spec-${i}.yaml`);
          await writeFile(file, text);
          let stdout = '';
          let stderr = '';
          const label = `file ${i} (seed ${SEED + 1}, ${base.name}, ${kinds.join('+')})`;
          let code: number;
          try {
            code = await run(['validate', file], {
              stdout: { write: (chunk: string) => (stdout += chunk) },
              stderr: { write: (chunk: string) => (stderr += chunk) },
              cwd: dir,
              env: {},
              isTTY: false,
            });
          } catch (error) {
            failures.push(`${label}: run() threw ${String(error)}`);
            continue;
          }
          exits.set(code, (exits.get(code) ?? 0) + 1);
          const errors = checkSloSpecs(text, { filename: file }).problems.filter(
            (p) => p.severity === 'error',
          ).length;
          if (code !== (errors > 0 ? 1 : 0))
            failures.push(`${label}: exit ${code}, ${errors} errors`);
          if (/\n\s+at .+:\d+:\d+\)?\n/.test(stdout + stderr))
            failures.push(`${label}: stack trace`);
          if (errors > 0 && !/spec-\d+\.yaml:\d+:\d+/.test(stdout))
            failures.push(`${label}: no file:line:column in the output`);
        }
        console.info(
          `[fuzz:slo-specs] srekit validate on ${CLI_SAMPLE} files: exit codes ${[...exits].map(([c, n]) => `${c}×${n}`).join(', ')}`,
        );
        expect(failures).toEqual([]);
        expect(exits.get(1) ?? 0).toBeGreaterThan(0);
      },
      TIMEOUT_MS,
    );
  });
});
