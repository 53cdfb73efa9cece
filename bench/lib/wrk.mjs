// Running wrk and reading its report, shared by the request-path runners.
import { spawn } from 'node:child_process';
import { pinnedCommand } from './cpu.mjs';

const UNIT_MS = { us: 1e-3, ms: 1, s: 1e3, m: 60e3 };

/** A wrk duration such as `512.00us`, `1.20ms` or `2.01s`, in ms (NaN when unreadable). */
export function wrkDurationMs(text) {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text.trim());
  return m ? Number(m[1]) * UNIT_MS[m[2]] : Number.NaN;
}

/**
 * The numbers of a `wrk --latency` report: rps, requests, mean latency and the latency
 * percentiles in ms, non-2xx/3xx responses and socket errors (all kinds summed).
 */
export function parseWrk(out) {
  const num = (re) => {
    const m = re.exec(out);
    return m ? Number(m[1]) : 0;
  };
  const pct = (p) => {
    const m = new RegExp(`^\\s+${p}%\\s+(\\S+)`, 'm').exec(out);
    return m ? wrkDurationMs(m[1]) : Number.NaN;
  };
  const mean = /^\s+Latency\s+(\S+)/m.exec(out);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  return {
    rps: num(/Requests\/sec:\s+([\d.]+)/),
    requests: num(/(\d+) requests in/),
    meanMs: mean ? wrkDurationMs(mean[1]) : Number.NaN,
    p50Ms: pct(50),
    p75Ms: pct(75),
    p90Ms: pct(90),
    p99Ms: pct(99),
    non2xx: num(/Non-2xx or 3xx responses: (\d+)/),
    socketErrors: socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0,
  };
}

/**
 * Runs `wrk -t<threads> -c<connections> -d<seconds>s --latency` against `url`, pinned to `cpu`
 * (see `pinnedCommand`), and resolves to its parsed report (plus `raw`, the text). The process is
 * added to `clients` while it runs, so that the runner can kill it on exit, and is killed if it
 * overruns by 15 s.
 *
 * @param options.script - A Lua script (`-s`), with `scriptArgs` passed after `--`.
 */
export function runWrk({
  url,
  connections,
  seconds,
  threads = 1,
  cpu = 0,
  script,
  scriptArgs = [],
  clients,
}) {
  const wrkArgs = ['-t', String(threads), `-c${connections}`, `-d${seconds}s`, '--latency'];
  if (script) wrkArgs.push('-s', script);
  wrkArgs.push(url);
  if (scriptArgs.length > 0) wrkArgs.push('--', ...scriptArgs.map(String));
  const [cmd, args] = pinnedCommand(cpu, 'wrk', wrkArgs);
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    clients?.add(child);
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d) => {
      out += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d) => {
      err += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), (seconds + 15) * 1000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clients?.delete(child);
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`wrk exited with ${code}: ${err}${out}`));
      else resolve({ ...parseWrk(out), raw: out });
    });
  });
}
