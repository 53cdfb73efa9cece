// Measured processes of the micro-benchmarks: each measurement runs in a fresh Node process,
// pinned to CPU 1 when `taskset` exists and there are at least two cores (the runner and any
// peer stay off that core), and prints its results as one JSON object per line.
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { dirname } from 'node:path';

/** Whether subjects can be pinned to CPU 1. */
export const canPin =
  availableParallelism() >= 2 && !spawnSync('taskset', ['--version'], { timeout: 5_000 }).error;

/**
 * Runs `node [nodeArgs] script ...args` (pinned when possible, `NODE_ENV=production`) and
 * returns the JSON objects it printed, one per stdout line. Throws with the subject's stderr
 * when it fails.
 */
export function runSubject(
  script,
  args,
  { nodeArgs = ['--expose-gc'], timeoutMs = 300_000, label } = {},
) {
  const argv = [...nodeArgs, script, ...args];
  const [cmd, cmdArgs] = canPin
    ? ['taskset', ['-c', '1', process.execPath, ...argv]]
    : [process.execPath, argv];
  const r = spawnSync(cmd, cmdArgs, {
    cwd: dirname(script),
    encoding: 'utf8',
    timeout: timeoutMs,
    env: { ...process.env, NODE_ENV: 'production' },
  });
  if (r.status !== 0) {
    throw new Error(
      `${label ?? args.join(' ')} failed (${r.error?.message ?? `exit ${r.status}`}): ${r.stderr}`,
    );
  }
  return r.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
}
