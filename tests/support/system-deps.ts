import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * Binaries that tests need from the system, keyed by the name tests ask for: the
 * `scripts/ensure-system-deps` component that installs each one, and the names it may have
 * (Debian installs Alertmanager as `prometheus-alertmanager`).
 */
const KNOWN: Record<string, { component: string; names: string[] }> = {
  prometheus: { component: 'prometheus', names: ['prometheus'] },
  promtool: { component: 'prometheus', names: ['promtool'] },
  alertmanager: { component: 'alertmanager', names: ['alertmanager', 'prometheus-alertmanager'] },
  amtool: { component: 'alertmanager', names: ['amtool'] },
  'redis-server': { component: 'redis', names: ['redis-server'] },
  'redis-cli': { component: 'redis', names: ['redis-cli'] },
  hydra: { component: 'hydra', names: ['hydra'] },
  chromium: {
    component: 'chromium',
    names: ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome'],
  },
  wrk: { component: 'wrk', names: ['wrk'] },
  nginx: { component: 'nginx', names: ['nginx'] },
};

const EXTRA_DIRS = ['/usr/bin', '/usr/sbin', '/usr/local/bin', '/bin'];

/**
 * Finds an executable on `PATH` or in the usual Debian directories.
 *
 * @param name - a key of the known binaries (e.g. `'alertmanager'`, which also matches
 *   `prometheus-alertmanager`) or any executable name.
 * @returns its absolute path, or `undefined` when it is not installed.
 */
export function findBinary(name: string): string | undefined {
  const names = KNOWN[name]?.names ?? [name];
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...EXTRA_DIRS];
  for (const candidate of names) {
    for (const dir of dirs) {
      const path = join(dir, candidate);
      try {
        accessSync(path, constants.X_OK);
        return path;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

/**
 * Finds a system binary a test suite needs. When it is missing: in CI (`CI=true`) throws an
 * error naming the install command; locally prints a loud warning and returns `undefined`, so
 * the suite can skip itself.
 *
 * @example
 * const promtool = requireBinary('promtool');
 * describe.skipIf(!promtool)('alert rules', () => { ... });
 */
export function requireBinary(name: string): string | undefined {
  const path = findBinary(name);
  if (path) return path;
  const component = KNOWN[name]?.component ?? name;
  const message = `${name} is not installed; install it with: sudo scripts/ensure-system-deps ${component}`;
  if (process.env.CI === 'true') throw new Error(`[srekit tests] ${message}`);
  const bar = '!'.repeat(80);
  console.warn(`\n${bar}\n!! SKIPPING tests: ${message}\n${bar}\n`);
  return undefined;
}
