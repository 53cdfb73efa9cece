// Summaries of V8 .cpuprofile files (from `node --cpu-prof`): self time per function and per
// group (srekit, undici, node internals, other packages, V8/GC), as a flame graph's "top
// self-time" view in text.
import { readFileSync } from 'node:fs';

/** The group of a call frame's URL: srekit, undici, node internals, a package name, or V8. */
export function groupOf(url, functionName) {
  if (!url) {
    if (/^\((garbage collector)\)$/.test(functionName)) return 'V8: garbage collector';
    if (functionName === '(program)') return 'V8: program (native, unattributed)';
    return 'node internals';
  }
  if (url.startsWith('node:')) return 'node internals';
  // Node's own HTTP parser is native; WebAssembly in these processes is undici's llhttp.
  if (url.startsWith('wasm://')) return 'undici';
  if (/\/packages\/[^/]+\/(dist|src)\//.test(url) || url.includes('/@srekit/')) return 'srekit';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules)/.exec(url);
  if (pkg) return pkg[1] === 'undici' ? 'undici' : pkg[1];
  if (url.includes('/bench/')) return 'bench harness';
  return 'other';
}

/**
 * Self time per function and per group of one profile. `(idle)` samples are left out, so shares
 * are of the process's busy time.
 *
 * @returns `{ busyMs, functions: [{ name, group, location, ms, share }], groups: [{ group, ms, share }] }`,
 *   both sorted by time, descending.
 */
export function summariseProfile(file) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map();
  const { samples = [], timeDeltas = [] } = profile;
  for (let i = 0; i < samples.length; i++) {
    // A sample's time is the delta to the next sample.
    const dt = timeDeltas[i + 1] ?? 0;
    selfUs.set(samples[i], (selfUs.get(samples[i]) ?? 0) + Math.max(0, dt));
  }
  const fns = new Map();
  let busyUs = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') continue;
    busyUs += us;
    const short = url
      ? url.replace(/^.*\/node_modules\//, '').replace(/^file:\/\/.*\/(packages|bench)\//, '$1/')
      : '';
    const key = `${functionName || '(anonymous)'}|${short}`;
    const prev = fns.get(key) ?? {
      name: functionName || '(anonymous)',
      group: groupOf(url, functionName),
      location: short ? `${short}:${lineNumber + 1}` : '',
      us: 0,
    };
    prev.us += us;
    fns.set(key, prev);
  }
  const functions = [...fns.values()]
    .sort((a, b) => b.us - a.us)
    .map((f) => ({ ...f, ms: f.us / 1000, share: busyUs ? f.us / busyUs : 0 }));
  const groupsMap = new Map();
  for (const f of functions) groupsMap.set(f.group, (groupsMap.get(f.group) ?? 0) + f.us);
  const groups = [...groupsMap.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([group, us]) => ({ group, ms: us / 1000, share: busyUs ? us / busyUs : 0 }));
  return { busyMs: busyUs / 1000, functions, groups };
}
