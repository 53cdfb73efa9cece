/**
 * Samples memory and handles of the soak's processes: the test process (which runs the proxy and
 * the load driver) from `process`, each child from `/proc/<pid>/status` and its own `/metrics`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** One sample of one process. */
export interface ProcessSample {
  /** ms since the soak started. */
  readonly atMs: number;
  readonly rssBytes: number;
  readonly heapUsedBytes: number;
  /** Heap used right after a full GC (every few samples).  */
  readonly heapAfterGcBytes?: number;
  /** Old-space bytes used (children, from `nodejs_heap_space_size_used_bytes{space="old"}`). */
  readonly oldSpaceUsedBytes?: number;
  readonly activeHandles: number;
}

/** A process to sample: `pid` and, for a child, its base URL (for `/metrics`). */
export interface SampledProcess {
  readonly name: string;
  readonly pid: number;
  readonly url?: string;
}

/** `gc()` of this process (V8's `--expose-gc`, switched on at run time). */
export function exposeGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** VmRSS of `pid` in bytes (Linux). */
export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
  if (kb === undefined) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(kb) * 1024;
}

/** The value of the first Prometheus sample named `name` whose labels contain `labels`. */
export function metricValue(text: string, name: string, labels = ''): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    if (labels !== '' && !rest.includes(labels)) continue;
    const value = Number(rest.slice(rest.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) return value;
  }
  return undefined;
}

/** Samples a child: RSS from /proc, heap and handles from its prom-client default metrics. */
export async function sampleChild(child: SampledProcess, atMs: number): Promise<ProcessSample> {
  const rssBytes = rssOf(child.pid);
  const res = await fetch(`${child.url}/metrics`, { signal: AbortSignal.timeout(5_000) });
  const text = await res.text();
  const need = (name: string, labels?: string): number => {
    const value = metricValue(text, name, labels);
    if (value === undefined) throw new Error(`${child.name} /metrics has no ${name}`);
    return value;
  };
  return {
    atMs,
    rssBytes,
    heapUsedBytes: need('nodejs_heap_size_used_bytes'),
    oldSpaceUsedBytes: need('nodejs_heap_space_size_used_bytes', 'space="old"'),
    activeHandles: need('nodejs_active_handles_total'),
  };
}

/** Samples this process; with `gc`, runs a full GC first and records the heap after it. */
export function sampleSelf(atMs: number, gc?: () => void): ProcessSample {
  const before = process.memoryUsage();
  let heapAfterGcBytes: number | undefined;
  if (gc) {
    gc();
    heapAfterGcBytes = process.memoryUsage().heapUsed;
  }
  return {
    atMs,
    rssBytes: before.rss,
    heapUsedBytes: before.heapUsed,
    ...(heapAfterGcBytes !== undefined ? { heapAfterGcBytes } : {}),
    // Handles as prom-client counts them: resources that are not timers or immediates.
    activeHandles: process
      .getActiveResourcesInfo()
      .filter((r) => r !== 'Timeout' && r !== 'Immediate').length,
  };
}

/** CPU time (user + system) of `pid` in clock ticks (1/100 s on Linux). */
export function cpuTicksOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at field 3: utime is 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** Busy CPU time of the whole machine in clock ticks (all CPUs, from /proc/stat). */
export function machineBusyTicks(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const [, ...values] = line.trim().split(/\s+/);
  const n = values.map(Number);
  const total = n.slice(0, 8).reduce((a, b) => a + b, 0);
  return total - (n[3] ?? 0) - (n[4] ?? 0);
}

/** The preload that gives the children a full GC on SIGUSR2 (see `gc-on-signal.cjs`). */
export const GC_PRELOAD = fileURLToPath(new URL('./gc-on-signal.cjs', import.meta.url));

/** Asks a child (started with {@link GC_PRELOAD}) for a full GC. */
export function requestGc(pid: number): void {
  process.kill(pid, 'SIGUSR2');
}

/** The heap used after the child's last requested GC, if it happened after `sinceMs`. */
export function heapAfterGcOf(dir: string, pid: number, sinceMs: number): number | undefined {
  try {
    const { at, heapUsed } = JSON.parse(readFileSync(join(dir, `${pid}.json`), 'utf8')) as {
      at: number;
      heapUsed: number;
    };
    return at >= sinceMs ? heapUsed : undefined;
  } catch {
    return undefined;
  }
}
