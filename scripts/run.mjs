#!/usr/bin/env node
// Bootstrap behind the root npm scripts: `npm start|test|build|lint|typecheck|bench|run generate [-- args]`.
// Finds pnpm 9 (on PATH, else through npx), installs from the lockfile, runs the prerequisite
// tasks, then the requested one with the extra arguments. Plain Node, no dependencies.
//
// SREKIT_SKIP_INSTALL=1 skips the install step for fast local loops.

import { spawn, spawnSync } from 'node:child_process';
import { constants } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const PNPM_VERSION = '9.15.9';
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Steps run before the final task; the final task is `task:<name>` with the extra arguments. */
const PLANS = {
  start: ['task:build'],
  // `task:generated` fails when dashboards/ and alerts/ are not what `srekit generate` gives.
  test: ['task:build', 'task:lint', 'task:typecheck', 'task:generated'],
  build: [],
  lint: [],
  typecheck: [],
  bench: ['task:build'],
  generate: ['task:build'],
  reliability: ['task:build'],
};

/**
 * Steps run after the final task, only when it ran unfiltered (`npm test` with no arguments): the
 * soak needs the machine to itself, so it comes after every other test.
 */
const AFTER = {
  test: ['task:soak'],
};

const [task, ...rest] = process.argv.slice(2);
const extraArgs = rest[0] === '--' ? rest.slice(1) : rest; // `node scripts/run.mjs test -- x`
if (!task || !Object.hasOwn(PLANS, task)) {
  console.error(`usage: node scripts/run.mjs <${Object.keys(PLANS).join('|')}> [args...]`);
  process.exit(2);
}

const pnpm = findPnpm();
if (process.env.SREKIT_SKIP_INSTALL === '1') {
  header('skipping install (SREKIT_SKIP_INSTALL=1)');
} else {
  header(`installing dependencies (pnpm ${pnpm.version})…`);
  await run([
    ...pnpm.cmd,
    'install',
    '--frozen-lockfile',
    '--config.confirmModulesPurge=false',
    '--reporter=append-only',
    '--loglevel=warn',
  ]);
}
if (task === 'test') {
  // System components (Prometheus…) for the tests: installed with apt-get when root; otherwise a
  // loud warning and the tests that need them skip. With CI=true a missing component fails here.
  header('checking system components (scripts/ensure-system-deps)…');
  await run(['bash', resolve(root, 'scripts/ensure-system-deps')]);
}
for (const step of PLANS[task]) {
  header(`${step.slice('task:'.length)}…`);
  await run([...pnpm.cmd, 'run', '--silent', step]);
}
header(`${task}…`);
await run([...pnpm.cmd, 'run', '--silent', `task:${task}`, ...extraArgs]);
if (extraArgs.length === 0) {
  for (const step of AFTER[task] ?? []) {
    header(`${step.slice('task:'.length)}…`);
    await run([...pnpm.cmd, 'run', '--silent', step]);
  }
}

/** Prints a short step header. */
function header(text) {
  console.error(process.stderr.isTTY ? `\x1b[1msrekit: ${text}\x1b[0m` : `srekit: ${text}`);
}

/** Returns the command prefix for pnpm 9: the one on PATH, else the npx-cached copy. */
function findPnpm() {
  const opts = {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, COREPACK_ENABLE_DOWNLOAD_PROMPT: '0' },
  };
  const onPath = spawnSync('pnpm', ['--version'], opts);
  if (onPath.status === 0 && onPath.stdout.trim().startsWith('9.')) {
    return { cmd: ['pnpm'], version: onPath.stdout.trim() };
  }
  // Resolve the binary once so later steps spawn pnpm directly (no npx hop per step).
  const viaNpx = spawnSync(
    'npx',
    ['-y', '-p', `pnpm@${PNPM_VERSION}`, '-c', 'command -v pnpm'],
    opts,
  );
  const bin = viaNpx.status === 0 ? viaNpx.stdout.trim().split('\n').pop() : '';
  return { cmd: bin ? [bin] : ['npx', '-y', `pnpm@${PNPM_VERSION}`], version: PNPM_VERSION };
}

/**
 * Runs a command with inherited stdio; exits the process with the child's code when it fails.
 * The child gets its own process group, and SIGINT/SIGTERM/SIGHUP are forwarded to the whole
 * group: pnpm does not pass SIGTERM on to the script it runs, and exits before the script has
 * finished shutting down, so after a signal we also wait for the group to empty.
 */
function run([cmd, ...args]) {
  return new Promise((resolvePromise) => {
    const child = spawn(cmd, args, { cwd: root, stdio: 'inherit', detached: true });
    let last = { signal: '', at: 0 };
    const forward = (signal) => {
      // Ctrl-C reaches us twice (from the terminal and from npm): pass it on once.
      if (signal === last.signal && Date.now() - last.at < 1000) return;
      last = { signal, at: Date.now() };
      signalGroup(child.pid, signal);
    };
    const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'];
    for (const signal of signals) process.on(signal, forward);
    // If npm itself is killed we are re-parented: stop the task instead of leaving it orphaned.
    const parent = process.ppid;
    const orphanCheck = setInterval(() => process.ppid !== parent && forward('SIGTERM'), 1000);
    child.on('error', (error) => {
      console.error(`srekit: cannot run ${cmd}: ${error.message}`);
      process.exit(127);
    });
    child.on('exit', async (code, signal) => {
      clearInterval(orphanCheck);
      for (const s of signals) process.off(s, forward);
      if (last.signal) await groupExited(child.pid, 30_000);
      const status = signal ? 128 + (constants.signals[signal] ?? 0) : (code ?? 1);
      if (status !== 0) process.exit(status);
      resolvePromise();
    });
  });
}

/** Sends a signal to a process group; returns false when the group no longer exists. */
function signalGroup(pgid, signal) {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Resolves once every process of the group has exited (polling), or after `timeoutMs`. */
async function groupExited(pgid, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (signalGroup(pgid, 0) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
  }
}
