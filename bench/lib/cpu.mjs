// Pinning and CPU accounting shared by the request-path runners: commands pinned to one core
// (and, as root, at a slightly raised priority), and CPU time of a process and of a core from
// /proc, the cross-check that is less sensitive to noise than rps.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { canPin } from './subject.mjs';

/** Clock ticks per second of the /proc counters. */
export const CLK_TCK =
  Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100;

/**
 * Whether pinned commands also run at `nice -n -5` (only as root), so that other work on a shared
 * machine gets in the way less; the same for every subject of a run.
 */
export const boosted =
  process.getuid?.() === 0 && !spawnSync('nice', ['-n', '-5', 'true'], { timeout: 5_000 }).error;

/**
 * `[cmd, args]` that run `cmd args` on CPU `cpu` when pinning is possible (see `canPin`), and at
 * `nice -n -5` when {@link boosted}. Both wrappers exec, so the spawned pid is the command's own.
 */
export function pinnedCommand(cpu, cmd, args) {
  const [c, a] = canPin ? ['taskset', ['-c', String(cpu), cmd, ...args]] : [cmd, args];
  return boosted ? ['nice', ['-n', '-5', c, ...a]] : [c, a];
}

/** User + system CPU seconds of a process, from /proc (Linux); NaN elsewhere or once it is gone. */
export function processCpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return Number.NaN;
  }
}

/** Seconds one CPU spent busy (user + nice + system + irq + softirq) and in total, from /proc/stat. */
export function coreTimes(cpu) {
  try {
    const line = readFileSync('/proc/stat', 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`cpu${cpu} `));
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    const busy = f[0] + f[1] + f[2] + (f[5] ?? 0) + (f[6] ?? 0);
    return { busy: busy / CLK_TCK, total: f.reduce((a, b) => a + b, 0) / CLK_TCK };
  } catch {
    return { busy: Number.NaN, total: Number.NaN };
  }
}

/** Busy share of a core between two {@link coreTimes} readings, in percent. */
export function busyPct(before, after) {
  return ((after.busy - before.busy) / (after.total - before.total)) * 100;
}

/**
 * Waits until both of the first two cores were less than `thresholdPct` busy over one
 * `sampleMs` sample, for at most `maxWaitMs`, so that a measurement does not start while other
 * work (a build, a test run) holds the machine. Resolves to the last sample's busy shares and
 * the time waited.
 */
export async function waitForQuiet({ thresholdPct = 15, sampleMs = 500, maxWaitMs = 30_000 } = {}) {
  const startedAt = Date.now();
  for (;;) {
    const before = [coreTimes(0), coreTimes(1)];
    await new Promise((r) => setTimeout(r, sampleMs));
    const busy = [busyPct(before[0], coreTimes(0)), busyPct(before[1], coreTimes(1))];
    const waitedMs = Date.now() - startedAt;
    if (busy.every((b) => !(b >= thresholdPct)) || waitedMs >= maxWaitMs) {
      return { busyPct: busy, waitedMs, quiet: busy.every((b) => !(b >= thresholdPct)) };
    }
  }
}
