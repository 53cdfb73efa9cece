import { afterEach, describe, expect, test, vi } from 'vitest';
import { findBinary, requireBinary } from './system-deps.js';

describe('system-deps test helper', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  test('finds binaries on PATH', () => {
    expect(findBinary('sh')).toMatch(/\/sh$/);
  });

  test('fails in CI with the install command', () => {
    vi.stubEnv('CI', 'true');
    expect(() => requireBinary('alertmanager-that-is-not-there')).toThrow(
      'scripts/ensure-system-deps alertmanager-that-is-not-there',
    );
  });

  test('warns and returns undefined locally', () => {
    vi.stubEnv('CI', '');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(requireBinary('not-a-real-binary-xyz')).toBeUndefined();
    expect(warn.mock.calls[0]?.[0]).toContain('scripts/ensure-system-deps not-a-real-binary-xyz');
  });
});
