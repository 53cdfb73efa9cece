/**
 * Smoke test of what npm users get: packs `@srekit/core` with `pnpm pack` (which applies
 * `publishConfig`), installs the tarball into a clean project outside the workspace and imports it
 * from ESM and from CommonJS (`require(esm)`, Node 20.19+).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CORE = join(ROOT, 'packages/core');
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

describe('@srekit/core from a packed tarball', () => {
  let work: string;
  let tarball: string;
  let consumer: string;

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'srekit-consumer-'));
    // `npm test` builds first; build here too (incremental) so the test also runs on its own.
    run(join(ROOT, 'node_modules/.bin/tsc'), ['-b', 'packages/core'], ROOT);

    pnpm(['pack', '--pack-destination', work], CORE);
    const packed = readdirSync(work).find((file) => file.endsWith('.tgz'));
    if (!packed) throw new Error(`pnpm pack wrote no tarball to ${work}`);
    tarball = join(work, packed);

    consumer = join(work, 'consumer');
    mkdirSync(consumer);
    writeFileSync(
      join(consumer, 'package.json'),
      JSON.stringify({ name: 'srekit-consumer', version: '0.0.0', private: true }, null, 2),
    );
    run(
      'npm',
      ['install', '--no-audit', '--no-fund', '--loglevel=error', tarball, 'express@^5'],
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
import express from 'express';
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
if (typeof createTelemetry !== 'function') throw new Error('createTelemetry is not a function');
if (METRICS === undefined) throw new Error('METRICS is undefined');
if (Object.keys(testing).length === 0) throw new Error('@srekit/core/testing exports nothing');
console.log('cjs ok');
`,
    );
    expect(run(process.execPath, ['check.cjs'], consumer)).toContain('cjs ok');
  });
});
