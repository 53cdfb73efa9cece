import { existsSync } from 'node:fs';
import {
  FLEET_DEFAULTS,
  type Fleet,
  type FleetOptions,
  startFleet,
} from '../../src/fleet/fleet.js';
import { loginHelp } from '../../src/fleet/login-help.js';

/**
 * Starts the fleet from the built programs for a test (the code path of `npm start`) with test
 * defaults: any free port, no traffic generator, quiet logs, health checks every 300 ms and the
 * demo users' TOTP secrets; `options` override each. Fails with how to build when `dist/` is
 * missing.
 */
export function startTestFleet(options: FleetOptions = {}): Promise<Fleet> {
  for (const script of [FLEET_DEFAULTS.instanceScript, FLEET_DEFAULTS.inventoryScript]) {
    if (!existsSync(script)) throw new Error(`${script} is missing: build first (npx tsc -b)`);
  }
  return startFleet({
    port: 0,
    trafficRps: 0,
    logLevel: 'silent',
    healthCheckIntervalMs: 300,
    demoTotpSecret: loginHelp(undefined).totpSecret,
    ...options,
  });
}
