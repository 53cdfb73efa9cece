/**
 * `node dist/fleet/main.js` (`npm start`): the reference service's fleet on loopback behind the
 * engine proxy, with the status page and a traffic generator. Ctrl-C or SIGTERM stops everything.
 *
 * Environment: FLEET_SIZE (3), PORT (8080), HOST (127.0.0.1), TRAFFIC_RPS (5), DEMO_TOTP_SEED,
 * plus what the instances read (REDIS_URL, OTEL_EXPORTER_OTLP_ENDPOINT, …).
 */
import { FLEET_DEFAULTS, type Fleet, startFleet } from './fleet.js';
import { loginHelp } from './login-help.js';

function intFromEnv(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    console.error(
      `${name}=${raw}: expected an integer in ${min}..${max}; unset it for the default ${fallback}.`,
    );
    process.exit(2);
  }
  return value;
}

const size = intFromEnv('FLEET_SIZE', FLEET_DEFAULTS.size, 1, 32);
const port = intFromEnv('PORT', FLEET_DEFAULTS.port, 0, 65_535);
const trafficRps = intFromEnv('TRAFFIC_RPS', FLEET_DEFAULTS.trafficRps, 0, 100);
const host = process.env.HOST?.trim() || FLEET_DEFAULTS.host;
const help = loginHelp(process.env.DEMO_TOTP_SEED);

let fleet: Fleet | undefined;
let stopping = false;
let firstSignalAt = 0;
const stop = (signal: string) => {
  if (stopping) {
    // Ctrl-C reaches this process both from the terminal and relayed by npm/pnpm: only a second
    // signal a moment later means "now".
    if (Date.now() - firstSignalAt < 1_000) return;
    console.error(`${signal} again: exiting now`);
    process.exit(1);
  }
  stopping = true;
  firstSignalAt = Date.now();
  console.log(`\n${signal}: stopping the fleet…`);
  const timer = setTimeout(() => {
    console.error('the fleet did not stop within 20 s: exiting');
    process.exit(1);
  }, 20_000);
  timer.unref();
  void (fleet?.close() ?? Promise.resolve()).then(
    () => {
      console.log('fleet stopped');
      process.exit(0);
    },
    (error: unknown) => {
      console.error('fleet stop failed:', error);
      process.exit(1);
    },
  );
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));

try {
  console.log(`starting ${size} service instances behind the proxy on ${host}:${port}…`);
  fleet = await startFleet({ size, port, host, trafficRps, demoTotpSecret: help.totpSecret });
  if (stopping) await fleet.close();
} catch (error) {
  console.error(`the fleet did not start: ${(error as Error).message}`);
  process.exit(1);
}

const f = fleet;
console.log(`
srekit reference service fleet is up
  status page      ${f.statusUrl}
  fleet status     ${f.url}/status.json
  proxy metrics    ${f.metricsUrl}
  API (proxied)    ${f.url}/api/catalog
${f.instances.map((c) => `  ${c.id.padEnd(16)} ${c.url}/metrics`).join('\n')}
${f.inventories.map((c) => `  ${c.id.padEnd(16)} ${c.url}`).join('\n')}
  logs             ${f.logDir}
  traffic          ${trafficRps > 0 ? `${trafficRps} requests/s as "operator" (TRAFFIC_RPS=0 turns it off)` : 'off'}

${help.text(f.url)}

Ctrl-C stops everything.`);
