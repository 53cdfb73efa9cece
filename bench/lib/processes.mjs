// Process handling shared by the bench runners: every server runs in its own process group
// (spawned with `detached: true`) and is killed on every exit path of the runner.
import { spawn } from 'node:child_process';
import net from 'node:net';

/**
 * Finds a free TCP port on 127.0.0.1 by listening on port 0 and closing again, so that a child
 * process can listen on it.
 *
 * @returns The port number.
 */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Sends `signal` to the whole process group of `child`, which must have been spawned with
 * `detached: true` (so it leads its own group). A group that is already gone is ignored.
 *
 * @param child - The group leader, as returned by `spawn()`.
 * @param signal - For example `'SIGTERM'` or `'SIGKILL'`.
 */
export function killGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/**
 * Registers, once per call, handlers that SIGKILL the process group of every live child when
 * the runner exits, and on SIGINT, SIGTERM and SIGHUP before exiting with status 130.
 *
 * The caller adds each server process to the returned set when it spawns it and deletes it once
 * the process has exited.
 *
 * @param options.cleanup - Extra teardown run after the live groups are killed (for example
 *   killing non-detached clients or removing a temp dir). It must be synchronous: it also runs
 *   on `'exit'`.
 * @returns The set of live child processes.
 */
export function trackProcesses({ cleanup } = {}) {
  const live = new Set();
  const killAll = () => {
    for (const child of live) killGroup(child, 'SIGKILL');
    cleanup?.();
  };
  process.on('exit', killAll);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
      killAll();
      process.exit(130);
    });
  }
  return live;
}

/**
 * Spawns a server process in its own process group with stdin ignored and stdout and stderr
 * collected as text, and keeps it in `live` until it exits.
 *
 * @param live - The set returned by {@link trackProcesses}.
 * @param cmd - The command, for example `process.execPath` or a wrapper such as `taskset`.
 * @param args - Its arguments.
 * @param options.cwd - Working directory of the server.
 * @param options.env - Its complete environment.
 * @returns The child; `exited`, which resolves to `{ code, signal }` once the child has exited
 *   (and left `live`); and `output()`, the stdout and stderr collected so far.
 */
export function spawnServer(live, cmd, args, { cwd, env }) {
  const child = spawn(cmd, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d) => {
    stdout += d;
  });
  child.stderr.setEncoding('utf8').on('data', (d) => {
    stderr += d;
  });
  const exited = new Promise((resolve) =>
    child.on('exit', (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    }),
  );
  return { child, exited, output: () => ({ stdout, stderr }) };
}
