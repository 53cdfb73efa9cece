/**
 * The fleet (startFleet, three instances behind the engine proxy) with REDIS_URL: the login rate
 * limit (`rateLimit('login')`: 5 per minute per account + address) holds fleet-wide although
 * p2c-ewma spreads the attempts over the instances. The control fleet without REDIS_URL keeps a
 * memory store per instance and so lets more than the limit through. Needs Debian's
 * `redis-server` (skipped without it locally; a failure with CI=true).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RATE_LIMIT_PRESETS } from '@srekit/security';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fleet } from '../src/fleet/fleet.js';
import type { InstanceStatus } from '../src/fleet/fleet-status.js';
import { TIMEOUT_MS } from './support/api.js';
import { startTestFleet } from './support/fleet.js';
import { redisServerBin, startTestRedis, type TestRedis } from './support/redis.js';

const LIMIT = RATE_LIMIT_PRESETS.login.limit;
const ATTEMPTS = 3 * LIMIT;
/** Attempts in flight at once: p2c-ewma weighs in-flight requests, so they spread. */
const CONCURRENCY = 3;

interface Attempt {
  status: number;
  contentType: string | null;
  retryAfter: string | null;
  body: Record<string, unknown>;
}

/**
 * Login attempts for one account through the proxy. The body has no password, so each attempt
 * that gets past the rate limit is a 400 and never a failure the login throttle would count:
 * what limits these attempts is the rate limit alone.
 */
async function attempts(fleet: Fleet, username: string): Promise<Attempt[]> {
  const results: Attempt[] = [];
  for (let sent = 0; sent < ATTEMPTS; sent += CONCURRENCY) {
    const batch = await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        const res = await fetch(`${fleet.url}/auth/login`, {
          method: 'POST',
          signal: AbortSignal.timeout(TIMEOUT_MS),
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username }),
        });
        const text = await res.text();
        return {
          status: res.status,
          contentType: res.headers.get('content-type'),
          retryAfter: res.headers.get('retry-after'),
          body: JSON.parse(text) as Record<string, unknown>,
        };
      }),
    );
    results.push(...batch);
  }
  return results;
}

/** Per instance (read from its own /metrics and /status.json): login answers by status. */
interface InstanceLogins {
  id: string;
  admitted: number;
  refused: number;
  rateLimited: number;
}

function loginCount(metrics: string, status: number): number {
  const line = metrics
    .split('\n')
    .find(
      (l) =>
        l.startsWith('http_server_request_duration_seconds_count{') &&
        l.includes('http_route="/auth/login"') &&
        l.includes(`http_response_status_code="${status}"`),
    );
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

async function perInstance(fleet: Fleet): Promise<InstanceLogins[]> {
  return Promise.all(
    fleet.instances.map(async (instance) => {
      const metrics = await (
        await fetch(`${instance.url}/metrics`, { signal: AbortSignal.timeout(TIMEOUT_MS) })
      ).text();
      const status = (await (
        await fetch(`${instance.url}/status.json`, { signal: AbortSignal.timeout(TIMEOUT_MS) })
      ).json()) as InstanceStatus;
      return {
        id: instance.id,
        admitted: loginCount(metrics, 400),
        refused: loginCount(metrics, 429),
        rateLimited: status.security.rateLimited,
      };
    }),
  );
}

async function fleetWith(dir: string, env: Record<string, string | undefined>): Promise<Fleet> {
  return startTestFleet({
    size: 3,
    env,
    logDir: join(dir, 'logs'),
  });
}

describe.skipIf(!redisServerBin)('the login rate limit across the fleet', () => {
  let dir: string;
  let redis: TestRedis;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'srekit-fleet-redis-'));
  });

  afterAll(async () => {
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 20_000);

  describe('with REDIS_URL', () => {
    let fleet: Fleet;

    beforeAll(async () => {
      redis = await startTestRedis();
      fleet = await fleetWith(join(dir, 'redis'), { REDIS_URL: redis.url });
    }, 20_000);

    afterAll(async () => {
      await fleet?.close();
    }, 20_000);

    it(`lets exactly ${LIMIT} attempts for one account through, whichever instance answers`, async () => {
      const results = await attempts(fleet, 'operator');
      const statuses = results.map((r) => r.status);
      expect(statuses.filter((s) => s === 400)).toHaveLength(LIMIT);
      expect(statuses.filter((s) => s === 429)).toHaveLength(ATTEMPTS - LIMIT);
      for (const refused of results.filter((r) => r.status === 429)) {
        expect(refused.contentType).toMatch(/^application\/problem\+json/);
        expect(refused.body.status).toBe(429);
        expect(Number(refused.retryAfter)).toBeGreaterThan(0);
        expect(Number(refused.retryAfter)).toBeLessThanOrEqual(60);
      }

      const instances = await perInstance(fleet);
      console.log(`[fleet-redis] shared store: ${JSON.stringify(instances)}`);
      // More than one instance answered, and together they admitted exactly the limit.
      expect(instances.filter((i) => i.admitted + i.refused > 0).length).toBeGreaterThan(1);
      expect(instances.reduce((n, i) => n + i.admitted, 0)).toBe(LIMIT);
      expect(instances.reduce((n, i) => n + i.refused, 0)).toBe(ATTEMPTS - LIMIT);
      expect(instances.reduce((n, i) => n + i.rateLimited, 0)).toBe(ATTEMPTS - LIMIT);
      // An instance refused attempts although it had admitted fewer than the limit itself: it
      // counted the attempts the other instances admitted (a memory store could not).
      expect(instances.some((i) => i.refused > 0 && i.admitted < LIMIT)).toBe(true);
    }, 20_000);
  });

  describe('without REDIS_URL (the control: a memory store per instance)', () => {
    let fleet: Fleet;

    beforeAll(async () => {
      // Unset, even when the environment of the test run has one.
      fleet = await fleetWith(join(dir, 'memory'), { REDIS_URL: undefined });
    }, 20_000);

    afterAll(async () => {
      await fleet?.close();
    }, 20_000);

    it(`lets more than ${LIMIT} attempts for one account through fleet-wide`, async () => {
      const results = await attempts(fleet, 'operator');
      const admitted = results.filter((r) => r.status === 400).length;
      const instances = await perInstance(fleet);
      console.log(`[fleet-redis] memory stores: ${JSON.stringify(instances)}`);
      expect(admitted).toBeGreaterThan(LIMIT);
      // Each instance holds the limit on its own only.
      for (const i of instances) expect(i.admitted).toBeLessThanOrEqual(LIMIT);
      expect(instances.reduce((n, i) => n + i.admitted, 0)).toBe(admitted);
    }, 20_000);
  });
});
