import { isAbsolute, relative, resolve } from 'node:path';

/** An absolute path for a path typed on the command line, relative to the run's `cwd`. */
export function resolvePath(cwd: string, path: string): string {
  return resolve(cwd, path);
}

/**
 * A path as messages show it: relative to `cwd` when it lies below it (what the user typed,
 * usually), absolute otherwise. Always with `/`, so output is the same on every OS.
 */
export function displayPath(cwd: string, path: string): string {
  const rel = relative(cwd, path);
  const shown = rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? path : rel;
  return shown.split('\\').join('/');
}
