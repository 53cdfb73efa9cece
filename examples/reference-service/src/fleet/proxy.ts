/**
 * `node dist/fleet/proxy.js`: the fleet's proxy and status page on its own, in front of instances
 * that run elsewhere (e.g. one container each in deploy/docker-compose.yml).
 *
 * Environment: BACKEND_URLS (comma-separated base URLs of the instances, required), PORT (8080),
 * HOST (127.0.0.1), LOG_LEVEL, OTEL_SERVICE_NAME, OTEL_EXPORTER_OTLP_ENDPOINT.
 */
import { FLEET_PROXY_DEFAULTS, startFleetProxy } from './fleet-proxy.js';

/** Backends from BACKEND_URLS: ids from the host names when they are distinct, else `orders-<n>`. */
export function backendsFromEnv(raw: string | undefined): { id: string; url: string }[] {
  const urls = (raw ?? '')
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean);
  if (urls.length === 0) {
    throw new Error(
      'BACKEND_URLS: not set. Set it to the instances’ base URLs, e.g. http://orders-1:8080,http://orders-2:8080.',
    );
  }
  const parsed = urls.map((u) => {
    try {
      const url = new URL(u);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
      return url;
    } catch {
      throw new Error(
        `BACKEND_URLS: "${u}" is not an http(s) URL. Write base URLs like http://orders-1:8080.`,
      );
    }
  });
  const hosts = parsed.map((u) => u.hostname);
  const distinct = new Set(hosts).size === hosts.length;
  return parsed.map((u, i) => ({
    id: distinct ? (hosts[i] as string) : `orders-${i + 1}`,
    url: u.origin,
  }));
}

const isMain =
  process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'));
if (isMain) {
  try {
    const backends = backendsFromEnv(process.env.BACKEND_URLS);
    const rawPort = process.env.PORT?.trim();
    const port = rawPort ? Number(rawPort) : FLEET_PROXY_DEFAULTS.port;
    if (!Number.isInteger(port) || port < 0 || port > 65_535) {
      throw new Error(`PORT=${rawPort}: expected an integer in 0..65535.`);
    }
    const proxy = await startFleetProxy(backends, {
      port,
      host: process.env.HOST?.trim() || FLEET_PROXY_DEFAULTS.host,
    });
    console.log(`listening ${new URL(proxy.url).port}`);
    console.log(`status page ${proxy.url}/status · metrics ${proxy.url}/metrics`);
    let stopping = false;
    const stop = () => {
      if (stopping) process.exit(1);
      stopping = true;
      void proxy.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  } catch (error) {
    console.error((error as Error).message);
    process.exit(2);
  }
}
