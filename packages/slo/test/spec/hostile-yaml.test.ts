import { describe, expect, it, vi } from 'vitest';
import { SLO_ERROR_CODES } from '../../src/errors.js';
import { checkSloSpecs } from '../../src/spec/parse-specs.js';

const SPEC_HEAD = `version: prometheus/v1
service: checkout
slos:
`;

describe('YAML that only fails when turned into data', () => {
  it('reports an alias without an anchor as a located syntax problem', () => {
    const text = `${SPEC_HEAD}  - name: availability\n    objective: *missing\n`;
    const result = checkSloSpecs(text, { filename: 'alias.yaml' });
    expect(result.slos).toEqual([]);
    const [problem] = result.problems;
    expect(problem?.code).toBe(SLO_ERROR_CODES.SPEC_SYNTAX);
    expect(problem?.location).toEqual({ file: 'alias.yaml', line: 5, column: 16 });
    expect(problem?.message).toMatch(/alias/i);
  });

  it('refuses an alias bomb instead of expanding it', () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let level = 1; level < 8; level += 1) {
      const previous = String.fromCharCode(96 + level);
      const name = String.fromCharCode(97 + level);
      levels.push(`${name}: &${name} [${Array(10).fill(`*${previous}`).join(', ')}]`);
    }
    const result = checkSloSpecs(`${levels.join('\n')}\n`, { filename: 'bomb.yaml' });
    expect(result.slos).toEqual([]);
    expect(result.problems.map((problem) => problem.code)).toContain(SLO_ERROR_CODES.SPEC_SYNTAX);
  });

  it('turns a collection used as a key into a located problem without process warnings', () => {
    const warn = vi.spyOn(process, 'emitWarning');
    try {
      const text = `${SPEC_HEAD}  - name: availability\n    ? { objective: 99.9 }\n    : 1\n`;
      const result = checkSloSpecs(text, { filename: 'key.yaml' });
      expect(result.slos).toEqual([]);
      expect(result.problems.length).toBeGreaterThan(0);
      for (const problem of result.problems)
        expect(problem.location.line).toBeGreaterThanOrEqual(1);
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });
});
