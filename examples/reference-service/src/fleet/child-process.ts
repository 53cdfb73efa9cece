import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { createInterface } from 'node:readline';

/** A program of the fleet (service instance or inventory) running as a child process. */
export interface FleetChild {
  readonly id: string;
  readonly port: number;
  /** Base URL, e.g. `http://127.0.0.1:40123`. */
  readonly url: string;
  readonly pid: number;
  /** True once the process has exited. */
  readonly exited: boolean;
  /** Resolves with the exit code (or signal) once the process has exited. */
  readonly exit: Promise<number | string | null>;
  /** SIGTERM, then SIGKILL after `timeoutMs`; resolves once the process has exited. */
  stop(options?: { timeoutMs?: number }): Promise<void>;
  /** SIGKILL at once (a crash, for demos and tests). */
  kill(): Promise<void>;
}

/** How to start a child. */
export interface ChildOptions {
  readonly id: string;
  /** Path of the Node.js program (`dist/instance.js`, `dist/inventory.js`). */
  readonly script: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly host: string;
  /** Longest wait for the `listening <port>` line. Default 20 000 ms. */
  readonly startTimeoutMs?: number;
  /** Where the child's output goes after start: a log file path, or `inherit`/`ignore`. */
  readonly output?: string;
}

const LISTENING = /^listening (\d+)\s*$/;

/** Children still running: killed if this process exits without stopping them (no orphans). */
const running = new Set<ChildProcess>();
let exitHookInstalled = false;
function track(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const c of running) c.kill('SIGKILL');
  });
}

/**
 * Starts `node <script>` with the given environment and waits for the `listening <port>` line it
 * prints when ready. Rejects (and kills the child) when it exits first or takes too long.
 */
export function startChild(options: ChildOptions): Promise<FleetChild> {
  const { id, script, env, host, startTimeoutMs = 20_000, output = 'ignore' } = options;
  const child: ChildProcess = spawn(process.execPath, [script], {
    env: { ...process.env, ...env },
    // The IPC channel is the child's lifeline: it closes when this process dies, even by SIGKILL,
    // and the programs stop on its `disconnect` instead of living on as orphans.
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  track(child);
  let log: WriteStream | undefined;
  if (output !== 'ignore' && output !== 'inherit') log = createWriteStream(output, { flags: 'a' });
  const forward = (chunk: Buffer, to: NodeJS.WriteStream) => {
    if (log) log.write(chunk);
    else if (output === 'inherit') to.write(chunk);
  };
  let exited = false;
  const exit = new Promise<number | string | null>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = true;
      log?.end();
      resolve(code ?? signal);
    });
  });
  const stderrTail: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => {
    if (stderrTail.length < 50) stderrTail.push(chunk.toString('utf8'));
    forward(chunk, process.stderr);
  });

  return new Promise<FleetChild>((resolve, reject) => {
    let ready = false;
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    const timer = setTimeout(() => {
      fail(new Error(`${id}: no "listening <port>" line within ${startTimeoutMs} ms`));
    }, startTimeoutMs);
    const fail = (error: Error) => {
      if (ready) return;
      ready = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    void exit.then((code) => {
      const tail = stderrTail.join('').trim().split('\n').slice(-10).join('\n');
      fail(
        new Error(
          `${id} (${script}) exited with ${code} before listening${tail ? `:\n${tail}` : ''}`,
        ),
      );
    });
    lines.on('line', (line) => {
      if (ready) {
        forward(Buffer.from(`${line}\n`), process.stdout);
        return;
      }
      const match = LISTENING.exec(line);
      if (!match) {
        forward(Buffer.from(`${line}\n`), process.stdout);
        return;
      }
      ready = true;
      clearTimeout(timer);
      const port = Number(match[1]);
      const stop = async ({ timeoutMs = 10_000 } = {}) => {
        if (exited) return;
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
        await exit;
        clearTimeout(killer);
      };
      resolve({
        id,
        port,
        url: `http://${host}:${port}`,
        pid: child.pid ?? -1,
        get exited() {
          return exited;
        },
        exit,
        stop,
        kill: async () => {
          if (!exited) child.kill('SIGKILL');
          await exit;
        },
      });
    });
  });
}
