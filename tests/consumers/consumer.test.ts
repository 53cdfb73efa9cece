/**
 * Smoke test of what npm users get: packs `@srekit/core` and `@srekit/slo` with `pnpm pack` (which
 * applies `publishConfig` and turns `workspace:*` into versions), installs the tarballs into a clean
 * project outside the workspace and imports them from ESM and from CommonJS (`require(esm)`,
 * Node 20.19+).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PACKAGES = ['core', 'slo'] as const;
const PNPM_VERSION = '9.15.9';
const TIMEOUT_MS = 180_000;

/** Runs a command and returns its stdout; on failure the error carries stdout and stderr. */
function run(cmd: string, args: string[], cwd: string): string {
  const result = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: TIMEOUT_MS });
  if (result.status !== 0) {
    throw new Error(
      `${cmd} ${args.join(' ')} failed (${result.status ?? result.signal}) in ${cwd}\n${result.stdout}\n${result.stderr}`,
    );
  }
  return result.stdout;
}

/** pnpm 9 from PATH, else through npx (as scripts/run.mjs does). */
function pnpm(args: string[], cwd: string): string {
  const onPath = spawnSync('pnpm', ['--version'], { encoding: 'utf8' });
  return onPath.status === 0 && onPath.stdout.startsWith('9.')
    ? run('pnpm', args, cwd)
    : run('npx', ['-y', `pnpm@${PNPM_VERSION}`, ...args], cwd);
}

describe('@srekit/core and @srekit/slo from packed tarballs', () => {
  let work: string;
  let tarball: string;
  let sloTarball: string;
  let consumer: string;

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'srekit-consumer-'));
    // `npm test` builds first; build here too (incremental) so the test also runs on its own.
    run(
      join(ROOT, 'node_modules/.bin/tsc'),
      ['-b', ...PACKAGES.map((name) => `packages/${name}`)],
      ROOT,
    );

    const tarballs = PACKAGES.map((name) => {
      pnpm(['pack', '--pack-destination', work], join(ROOT, 'packages', name));
      const packed = readdirSync(work).find(
        (file) => file.startsWith(`srekit-${name}-`) && file.endsWith('.tgz'),
      );
      if (!packed) throw new Error(`pnpm pack wrote no ${name} tarball to ${work}`);
      return join(work, packed);
    });
    [tarball = '', sloTarball = ''] = tarballs;

    consumer = join(work, 'consumer');
    mkdirSync(consumer);
    writeFileSync(
      join(consumer, 'package.json'),
      JSON.stringify({ name: 'srekit-consumer', version: '0.0.0', private: true }, null, 2),
    );
    run(
      'npm',
      ['install', '--no-audit', '--no-fund', '--loglevel=error', tarball, sloTarball, 'express@^5'],
      consumer,
    );
  }, TIMEOUT_MS);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('the tarball holds the build and no tests', () => {
    const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n');
    expect(files).toContain('package/dist/index.js');
    expect(files).toContain('package/dist/index.d.ts');
    expect(files).toContain('package/dist/testing/index.js');
    expect(files.filter((file) => /\.test\.[cm]?[jt]s$|^package\/test\//.test(file))).toEqual([]);
    const sloFiles = execFileSync('tar', ['-tzf', sloTarball], { encoding: 'utf8' }).split('\n');
    expect(sloFiles).toContain('package/dist/index.js');
    expect(sloFiles.filter((file) => /\.test\.[cm]?[jt]s$|^package\/test\//.test(file))).toEqual(
      [],
    );
  });

  test('the slo tarball depends on the released core version, not the workspace', () => {
    const manifest = JSON.parse(
      execFileSync('tar', ['-xzOf', sloTarball, 'package/package.json'], { encoding: 'utf8' }),
    );
    expect(manifest.dependencies['@srekit/core']).toMatch(/^\^?\d+\.\d+\.\d+/);
  });

  test('the packed package.json uses publishConfig.exports (no source condition)', () => {
    const manifest = execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], {
      encoding: 'utf8',
    });
    expect(manifest).not.toContain('@srekit/source');
    expect(JSON.parse(manifest).exports['.']).toEqual({
      types: './dist/index.d.ts',
      default: './dist/index.js',
    });
  });

  test('imports from ESM', () => {
    writeFileSync(
      join(consumer, 'check.mjs'),
      `import { createTelemetry, METRICS } from '@srekit/core';
import * as testing from '@srekit/core/testing';
import { errorBudget } from '@srekit/slo';
import express from 'express';
if (errorBudget({ objective: 99.9, window: '30d' }).budgetSeconds !== 2592) throw new Error('slo math is wrong');
if (typeof createTelemetry !== 'function') throw new Error('createTelemetry is not a function');
if (METRICS === undefined) throw new Error('METRICS is undefined');
if (Object.keys(testing).length === 0) throw new Error('@srekit/core/testing exports nothing');
if (typeof express !== 'function') throw new Error('express did not load');
console.log('esm ok');
`,
    );
    expect(run(process.execPath, ['check.mjs'], consumer)).toContain('esm ok');
  });

  test('requires from CommonJS', () => {
    writeFileSync(
      join(consumer, 'check.cjs'),
      `const { createTelemetry, METRICS } = require('@srekit/core');
const testing = require('@srekit/core/testing');
const { alertTierTable } = require('@srekit/slo');
if (alertTierTable('30d')[0].burnFactor !== 14.4) throw new Error('slo math is wrong');
if (typeof createTelemetry !== 'function') throw new Error('createTelemetry is not a function');
if (METRICS === undefined) throw new Error('METRICS is undefined');
if (Object.keys(testing).length === 0) throw new Error('@srekit/core/testing exports nothing');
console.log('cjs ok');
`,
    );
    expect(run(process.execPath, ['check.cjs'], consumer)).toContain('cjs ok');
  });
});
