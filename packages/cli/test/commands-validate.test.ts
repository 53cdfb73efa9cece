import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLI_ERROR_CODES } from '../src/cli/errors.js';
import { runCli, tempDir } from './fixtures/run-cli.js';

describe('srekit validate', () => {
  let dir: { path: string; remove: () => Promise<void> };
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(async () => {
    await dir.remove();
  });

  it('passes valid specs with exit 0 and counts their SLOs', async () => {
    const result = await runCli(['validate', 'slos/checkout.yaml']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      'slos/checkout.yaml  2 SLOs\nok  1 file, 2 valid SLOs: 0 errors, 0 warnings\n',
    );
    expect(result.stderr).toBe('');
  });

  it('lists every problem of every file at once, grouped per file, with line, column, code and fix', async () => {
    const result = await runCli([
      'validate',
      'slos/checkout.yaml',
      'slos/typo.yaml',
      'slos/low-objective.yaml',
      'missing.yaml',
    ]);
    expect(result.code).toBe(1);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe('slos/checkout.yaml  2 SLOs');
    expect(lines[1]).toBe('slos/typo.yaml  0 SLOs, 2 errors');
    expect(result.stdout).toContain(
      '  slos/typo.yaml:5:5  error    ERR_SREKIT_SLO_SPEC_UNKNOWN_FIELD  slos[0].objectve: unknown field `objectve`.\n      fix: Did you mean `objective`?',
    );
    expect(result.stdout).toContain(
      'slos/typo.yaml:4:5  error    ERR_SREKIT_SLO_SPEC_INVALID_FIELD  slos[0].objective: `objective` is required.',
    );
    expect(result.stdout).toContain('slos/low-objective.yaml  1 SLO, 1 warning');
    expect(result.stdout).toMatch(
      /slos\/low-objective\.yaml:5:\d+ {2}warning {2}ERR_SREKIT_SLO_SPEC_EXTREME_OBJECTIVE/,
    );
    expect(result.stdout).toContain(
      'missing.yaml:1:1  error    ERR_SREKIT_SLO_SPEC_READ  (file): the file does not exist.',
    );
    expect(lines.at(-2)).toBe('failed  4 files, 3 valid SLOs: 3 errors, 1 warning');
  });

  it('passes with warnings only', async () => {
    const result = await runCli(['validate', 'slos/low-objective.yaml']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('warning');
  });

  it('reports bad YAML with its file, line and column', async () => {
    const path = join(dir.path, 'broken.yaml');
    await writeFile(
      path,
      'version: prometheus/v1\nservice: x\nslos:\n  - name: a\n    objective: [99.9\n    sli: {}\n',
    );
    const result = await runCli(['validate', 'broken.yaml'], { cwd: dir.path });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /broken\.yaml:\d+:\d+ {2}error {4}ERR_SREKIT_SLO_SPEC_SYNTAX {2}\(document\): invalid YAML/,
    );
  });

  it('gives the problems as JSON', async () => {
    const result = await runCli(['validate', 'slos/checkout.yaml', 'slos/typo.yaml', '--json']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('');
    const body = JSON.parse(result.stdout);
    expect(body).toMatchObject({ command: 'validate', ok: false, errors: 2, warnings: 0 });
    expect(body.files).toHaveLength(2);
    expect(body.files[0]).toEqual({
      file: 'slos/checkout.yaml',
      slos: ['checkout-availability', 'checkout-payments'],
      problems: [],
    });
    expect(body.files[1].problems[1]).toEqual({
      file: 'slos/typo.yaml',
      line: 5,
      column: 5,
      severity: 'error',
      code: 'ERR_SREKIT_SLO_SPEC_UNKNOWN_FIELD',
      field: 'slos[0].objectve',
      message: 'unknown field `objectve`',
      fix: expect.stringContaining('Did you mean `objective`?'),
    });
  });

  it('needs at least one file (exit 2)', async () => {
    const result = await runCli(['validate']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'at least one spec file is required, e.g. `srekit validate slos.yaml`.',
    );
    expect(result.stderr).toContain(CLI_ERROR_CODES.MISSING_ARGUMENT);
  });
});
