import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isSrekitError } from '@srekit/core';
import { describe, expect, it } from 'vitest';
import { SLO_ERROR_CODES, SloSpecError } from '../../src/errors.js';
import { checkSloSpecFiles, loadSloSpecs } from '../../src/spec/load-specs.js';
import { checkSloSpecs, parseSloSpecs } from '../../src/spec/parse-specs.js';
import type { SpecProblem } from '../../src/types.js';
import { fixture, fixturePath } from './helpers.js';

describe('loadSloSpecs / checkSloSpecFiles', () => {
  it('reads several files of different formats', async () => {
    const slos = await loadSloSpecs([
      fixturePath('sloth-full.yaml'),
      fixturePath('openslo-full.yaml'),
    ]);
    expect(slos.map((slo) => slo.source.format)).toEqual([
      'sloth',
      'sloth',
      'sloth',
      'openslo',
      'openslo',
      'openslo',
      'openslo',
      'openslo',
    ]);
  });

  it('checks SLO ids across files and keeps the first', async () => {
    const a = fixturePath('duplicate-a.yaml');
    const b = fixturePath('duplicate-b.yaml');
    const result = await checkSloSpecFiles([a, b]);
    expect(result.slos.map((slo) => [slo.id, slo.source.location.file])).toEqual([
      ['checkout-availability', a],
      ['checkout-latency', b],
    ]);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatchObject({
      code: SLO_ERROR_CODES.SPEC_DUPLICATE_ID,
      location: { file: b, line: 10, column: 11 },
      field: 'slos[1].name',
      message: `SLO id \`checkout-availability\` is already used at ${a}:4:5`,
    });
  });

  it('resolves OpenSLO references across files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'srekit-specs-'));
    const [sliDoc, ...rest] = fixture('openslo-full.yaml').split('\n---\n');
    const sliFile = join(dir, 'objects.yaml');
    const sloFile = join(dir, 'slos.yaml');
    writeFileSync(sliFile, sliDoc ?? '');
    writeFileSync(sloFile, rest.join('\n---\n'));
    const result = await checkSloSpecFiles([sloFile, sliFile]);
    expect(result.problems).toEqual([]);
    expect(result.slos).toHaveLength(5);
  });

  it('reports an unreadable file as a problem and still reads the others', async () => {
    const missing = join(tmpdir(), 'srekit-no-such-spec.yaml');
    const result = await checkSloSpecFiles([missing, fixturePath('sloth-full.yaml')]);
    expect(result.slos).toHaveLength(3);
    expect(result.problems).toEqual([
      expect.objectContaining({
        code: SLO_ERROR_CODES.SPEC_READ,
        location: { file: missing, line: 1, column: 1 },
        message: 'the file does not exist',
      }),
    ]);
    await expect(loadSloSpecs([missing])).rejects.toThrow(SloSpecError);
  });

  it('throws one SloSpecError with the problems of every file and the good SLOs', async () => {
    const error = await loadSloSpecs([
      fixturePath('sloth-bad.yaml'),
      fixturePath('srekit-bad.yaml'),
    ]).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(isSrekitError(error)).toBe(true);
    const specError = error as SloSpecError;
    expect(specError.code).toBe(SLO_ERROR_CODES.SPEC_INVALID);
    expect(specError.problems).toHaveLength(18);
    expect(new Set(specError.problems.map((problem) => problem.location.file)).size).toBe(2);
    expect(specError.slos.map((slo) => slo.id)).toEqual(['checkout-good-one']);
    expect(specError.message).toContain(
      `${fixturePath('srekit-bad.yaml')}:7:13: error slos[0].window`,
    );
  });
});

describe('parseSloSpecs', () => {
  it('returns the SLOs of a valid spec', () => {
    expect(parseSloSpecs(fixture('sloth-full.yaml'))).toHaveLength(3);
  });

  it('throws SloSpecError with located problems and the valid SLOs', () => {
    let caught: unknown;
    try {
      parseSloSpecs(fixture('sloth-bad.yaml'), { filename: 'slos.yaml' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SloSpecError);
    const error = caught as SloSpecError;
    expect(error.slos.map((slo) => slo.id)).toEqual(['checkout-good-one']);
    expect(error.message).toContain('8 SLO spec errors:');
    expect(error.message).toContain(
      'slos.yaml:13:5: error slos[1].objectve: unknown field `objectve`.',
    );
  });

  it('passes warnings to onWarning and does not throw for them', () => {
    const warnings: SpecProblem[] = [];
    const slos = parseSloSpecs(fixture('extreme-objectives.yaml'), {
      onWarning: (problem) => warnings.push(problem),
    });
    expect(slos).toHaveLength(3);
    expect(warnings.map((warning) => warning.field)).toEqual([
      'slos[0].objective',
      'slos[1].objective',
    ]);
  });

  it('reports YAML syntax errors at their place and still reads the other documents', () => {
    const text = `${fixture('duplicate-a.yaml')}---\nversion: srekit/v1\nservice: a: b\n`;
    const result = checkSloSpecs(text, { filename: 'multi.yaml' });
    expect(result.slos.map((slo) => slo.id)).toEqual(['checkout-availability']);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatchObject({
      code: SLO_ERROR_CODES.SPEC_SYNTAX,
      location: { file: 'multi.yaml', line: 14, column: 10 },
    });
  });

  it('reports duplicate keys as syntax errors', () => {
    const result = checkSloSpecs('version: srekit/v1\nservice: a1\nservice: a2\nslos: []\n');
    expect(result.problems.map((problem) => [problem.code, problem.location.line])).toEqual([
      [SLO_ERROR_CODES.SPEC_SYNTAX, 3],
    ]);
  });

  it('rejects unknown versions with a suggestion, and empty input', () => {
    const version = checkSloSpecs('version: prometheus/v2\nservice: a1\nslos: []\n');
    expect(version.problems[0]).toMatchObject({
      code: SLO_ERROR_CODES.SPEC_UNSUPPORTED,
      location: { line: 1, column: 10 },
      fix: 'Did you mean `prometheus/v1`?',
    });
    const kubernetes = checkSloSpecs(
      'apiVersion: sloth.slok.dev/v1\nkind: PrometheusServiceLevel\n',
    );
    expect(kubernetes.problems[0]?.fix).toContain('`spec:`');
    expect(checkSloSpecs('').problems[0]).toMatchObject({
      code: SLO_ERROR_CODES.SPEC_UNSUPPORTED,
      message: 'the file holds no spec',
    });
    expect(checkSloSpecs('- a\n- b\n').problems[0]?.code).toBe(SLO_ERROR_CODES.SPEC_UNSUPPORTED);
  });
});
