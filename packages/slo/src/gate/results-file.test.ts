import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SLO_ERROR_CODES } from '../errors.js';
import { parseResultsFile, readResultsFile, validateResultsFile } from './results-file.js';

function thrown(run: () => unknown): Error & { code?: string } {
  try {
    run();
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected a throw');
}

describe('validateResultsFile', () => {
  it('accepts good or bad counts, per SLO and per window', () => {
    const value = {
      version: 'srekit-results/v1',
      description: 'load test',
      generatedAt: '2024-05-01T12:00:00Z',
      slos: {
        'checkout-availability': {
          good: 999,
          total: 1000,
          windows: { '5m': { bad: 1, total: 10 }, '1h': { good: 0, total: 0 } },
        },
        'checkout-latency': { bad: 0.5, total: 12.5 },
      },
    };
    expect(validateResultsFile(value)).toEqual({ file: value, problems: [] });
  });

  it('names every problem with its JSON path and fix', () => {
    const { file, problems } = validateResultsFile({
      version: 'v2',
      slo: {},
      slos: {
        'checkout-availability': { good: 1001, total: 1000, windows: { hour: { good: 1 } } },
        'checkout-latency': { good: -1, bad: 2, total: '10' },
        plain: [],
      },
    });
    expect(file).toBeUndefined();
    expect(problems.map((p) => `${p.path}: ${p.message}`)).toEqual([
      '$.slo: unknown field "slo"',
      '$.version: version the string "v2" is not one srekit reads',
      '$.slos["checkout-availability"].good: good (1001) is greater than total (1000)',
      '$.slos["checkout-availability"].windows.hour: "hour" is not a Prometheus duration',
      '$.slos["checkout-availability"].windows.hour.total: total is missing',
      '$.slos["checkout-latency"].good: good is number -1, not a count',
      '$.slos["checkout-latency"].total: total is the string "10", not a count',
      '$.slos["checkout-latency"].bad: both good and bad are given',
      '$.slos.plain: the entry is an array',
    ]);
    expect(problems[0]?.fix).toContain('"slos"');
    expect(problems[3]?.fix).toContain('"5m", "1h"');
  });

  it('suggests the right case for a misspelt field', () => {
    const { problems } = validateResultsFile({ slos: { a: { Good: 1, total: 1 } } });
    expect(problems.map((p) => [p.path, p.fix])).toEqual([
      ['$.slos.a.Good', 'Did you mean "good"?'],
      ['$.slos.a.good', 'Add "good": the number of good events.'],
    ]);
  });

  it('rejects a file that is not an object, or has no slos', () => {
    expect(validateResultsFile([1]).problems[0]).toMatchObject({
      path: '$',
      message: 'the file holds an array, not an object',
    });
    expect(validateResultsFile({}).problems[0]).toMatchObject({
      path: '$.slos',
      message: 'slos is missing',
    });
  });
});

describe('parseResultsFile', () => {
  it('points at the line and column of a JSON syntax error', () => {
    const error = thrown(() =>
      parseResultsFile(
        '{\n  "slos": {\n    "a": { "good": 1, "total": 2, }\n  }\n}',
        'results.json',
      ),
    );
    expect(error.code).toBe(SLO_ERROR_CODES.GATE_SOURCE);
    expect(error.message).toMatch(/^results\.json:3:35 is not valid JSON/);
  });

  it('lists schema problems under the file name', () => {
    const error = thrown(() => parseResultsFile('{"slos":{"a":{"good":3,"total":2}}}', 'r.json'));
    expect(error.message).toContain('r.json is not a valid results file (1 problem):');
    expect(error.message).toContain(
      '$.slos.a.good: good (3) is greater than total (2). Write good ≤ total.',
    );
  });
});

describe('readResultsFile', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'srekit-results-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a valid file', async () => {
    const path = join(dir, 'ok.json');
    await writeFile(path, JSON.stringify({ slos: { a: { good: 1, total: 1 } } }));
    await expect(readResultsFile(path)).resolves.toEqual({ slos: { a: { good: 1, total: 1 } } });
  });

  it('names a missing file and the fix', async () => {
    const path = join(dir, 'missing.json');
    await expect(readResultsFile(path)).rejects.toMatchObject({
      code: SLO_ERROR_CODES.GATE_SOURCE,
      message: expect.stringContaining(`Cannot read results file ${path} (ENOENT). Check the path`),
    });
  });
});
