import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { isSrekitError } from '@srekit/core';
import { serializeRules } from '@srekit/slo';
import { afterAll, describe, expect, it } from 'vitest';
import { requireBinary } from '../../../tests/support/system-deps.js';
import { coreAlerts } from '../src/alerts/core.js';
import { engineAlerts } from '../src/alerts/engine.js';
import { securityAlerts } from '../src/alerts/security.js';
import { INVALID_SELECTOR, parseSelector, selectorExampleLabels } from '../src/alerts/selector.js';
import { serializeAlertTests } from '../src/alerts/serialize-tests.js';
import { sloAlerts } from '../src/alerts/slo.js';

const promtool = requireBinary('promtool');
const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'srekit-alerts-selector-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('did not throw');
}

describe('parseSelector', () => {
  it('reads comma-separated matchers, with or without braces', () => {
    expect(parseSelector(undefined)).toEqual([]);
    expect(parseSelector('')).toEqual([]);
    expect(parseSelector(' {job=~"orders.*", env != "dev",} ')).toEqual([
      { name: 'job', op: '=~', value: 'orders.*', text: 'job=~"orders.*"' },
      { name: 'env', op: '!=', value: 'dev', text: 'env!="dev"' },
    ]);
    expect(parseSelector(`team!~'a\\'b'`)).toEqual([
      { name: 'team', op: '!~', value: "a'b", text: `team!~'a\\'b'` },
    ]);
  });

  it.each([
    ['job', 'cannot read a matcher'],
    ['job="a" env="b"', 'cannot read a matcher at `job="a" env="b"`'],
    ['{job="a"', 'not closed'],
    ['__name__="up"', 'metric name'],
    ['job=a', 'cannot read a matcher'],
  ])('refuses %s with a message that names the fix', (selector, problem) => {
    const error = thrown(() => parseSelector(selector));
    expect(isSrekitError(error)).toBe(true);
    expect((error as { code: string }).code).toBe(INVALID_SELECTOR);
    expect((error as Error).message).toContain(problem);
    expect((error as Error).message).toContain('job=~"orders.*",env="prod"');
  });

  it('fails alert generation on a bad selector', () => {
    expect(() => coreAlerts({ selector: 'job' })).toThrow(INVALID_SELECTOR);
  });
});

describe('selectorExampleLabels', () => {
  const base = { job: 'checkout', instance: '10.0.0.1:8080' };

  it('keeps labels that already match and sets the others', () => {
    expect(selectorExampleLabels(parseSelector('job!="batch"'), base)).toEqual(base);
    expect(selectorExampleLabels(parseSelector('job="orders",env="prod"'), base)).toEqual({
      ...base,
      job: 'orders',
      env: 'prod',
    });
  });

  it('finds values for regular expressions and negative matchers', () => {
    expect(selectorExampleLabels(parseSelector('job=~"orders.*"'), base).job).toBe('orders');
    expect(selectorExampleLabels(parseSelector('job=~"(api|web)-.+"'), base).job).toMatch(
      /^(api|web)-.+$/,
    );
    expect(selectorExampleLabels(parseSelector('job!~"check.*"'), base).job).toBe('srekit-test');
    expect(selectorExampleLabels(parseSelector('env!=""'), base).env).toBe('srekit-test');
    expect(selectorExampleLabels(parseSelector('instance=""'), base)).toEqual({ job: 'checkout' });
  });

  it('refuses a selector no value matches', () => {
    const error = thrown(() => selectorExampleLabels(parseSelector('job="a",job="b"'), base)) as {
      code: string;
      message: string;
    };
    expect(error.code).toBe(INVALID_SELECTOR);
    expect(error.message).toContain('job="a",job="b"');
  });
});

describe.skipIf(!promtool)('alert tests under a selector', () => {
  // The rules and their tests are generated with the same selector: the test series must carry
  // labels the selector selects, or every firing case would fail.
  it('pass promtool with regex, equality and negative matchers', async () => {
    const options = { selector: '{job=~"orders.*",env="prod",team!~"ops|infra"}' };
    const sets = [coreAlerts, sloAlerts, securityAlerts, engineAlerts].map((b) => b(options));
    writeFileSync(
      join(dir, 'rules.yaml'),
      serializeRules({ groups: sets.flatMap((s) => s.groups) }),
    );
    writeFileSync(
      join(dir, 'rules.test.yaml'),
      serializeAlertTests(
        sets.flatMap((s) => s.tests),
        { ruleFiles: ['rules.yaml'] },
      ),
    );
    const { stdout } = await run(promtool as string, ['test', 'rules', 'rules.test.yaml'], {
      cwd: dir,
    });
    expect(stdout).toContain('SUCCESS');
  });
});
