import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fleet } from '../src/fleet/fleet.js';
import type { FleetStatus } from '../src/fleet/fleet-status.js';
import { call, login } from './support/api.js';
import { startTestFleet } from './support/fleet.js';

const SLO_IDS = ['orders-api-availability', 'orders-api-latency', 'orders-login-availability'];

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('the fleet (startFleet, the code path of npm start)', () => {
  let dir: string;
  let fleet: Fleet;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'srekit-fleet-test-'));
    fleet = await startTestFleet({
      size: 3,
      trafficRps: 5,
      logDir: join(dir, 'logs'),
      sampleIntervalMs: 250,
    });
  }, 20_000);

  afterAll(async () => {
    await fleet?.close();
    rmSync(dir, { recursive: true, force: true });
  }, 20_000);

  it('serves a server-rendered status page that lists the SLOs and the backends', async () => {
    const res = await fetch(fleet.statusUrl, { signal: AbortSignal.timeout(5_000) });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    const html = await res.text();
    expect(html).toContain('<html lang="en">');
    expect(html).toMatch(/<h1[^>]*>/);
    expect(html).toContain('<th scope="col">State</th>');
    for (const slo of SLO_IDS) expect(html).toContain(`>${slo}`);
    for (const id of ['orders-1', 'orders-2', 'orders-3']) expect(html).toContain(`>${id}</a>`);
    expect(html).toContain('<svg class="spark" role="img"');
  });

  it('answers the fleet status as JSON, aggregated over the instances', async () => {
    const res = await fetch(`${fleet.url}/status.json`, { signal: AbortSignal.timeout(5_000) });
    expect(res.status).toBe(200);
    const status = (await res.json()) as FleetStatus;
    expect(status.backends.map((b) => b.id)).toEqual(['orders-1', 'orders-2', 'orders-3']);
    expect(status.backends.every((b) => b.state === 'healthy' && b.reachable)).toBe(true);
    expect(status.slos.map((s) => s.sloId)).toEqual(SLO_IDS);
    for (const slo of status.slos) expect(slo.windows.length).toBeGreaterThan(0);
    expect(Object.keys(status.security).sort()).toEqual([
      'auditEvents',
      'lockouts',
      'loginFailures',
      'rateLimited',
    ]);
    expect(status.links.instanceMetrics).toHaveLength(3);
    const metrics = await (
      await fetch(fleet.metricsUrl, { signal: AbortSignal.timeout(5_000) })
    ).text();
    expect(metrics).toMatch(/loadbalancer_backend_up\{[^}]*backend="orders-1"[^}]*\} 1/);
  });

  it('logs the traffic generator in as a demo user and the SLOs see its requests', async () => {
    const deadline = Date.now() + 8_000;
    while (!fleet.traffic?.counts.loggedIn && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 200));
    expect(fleet.traffic?.counts.loggedIn).toBe(true);
    const status = await fleet.sample();
    const login = status.slos.find((s) => s.sloId === 'orders-login-availability');
    expect(login?.windows[0]?.total).toBeGreaterThan(0);
  });

  it('loses no idempotent request when an instance dies under load, and shows it out of rotation', async () => {
    const victim = fleet.instances[1];
    if (!victim) throw new Error('no second instance');
    const total = 400;
    const concurrency = 16;
    let next = 0;
    const failures: string[] = [];
    const worker = async () => {
      while (next < total) {
        const n = next++;
        if (n === 80) await victim.kill();
        try {
          const res = await fetch(`${fleet.url}/api/catalog?n=${n}`, {
            signal: AbortSignal.timeout(5_000),
          });
          await res.arrayBuffer();
          if (res.status !== 200) failures.push(`#${n}: HTTP ${res.status}`);
        } catch (error) {
          failures.push(`#${n}: ${(error as Error).message}`);
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    expect(failures).toEqual([]);
    expect(victim.exited).toBe(true);

    let status = await fleet.sample();
    const deadline = Date.now() + 5_000;
    while (
      status.backends.find((b) => b.id === victim.id)?.state === 'healthy' &&
      Date.now() < deadline
    ) {
      await new Promise((r) => setTimeout(r, 200));
      status = await fleet.sample();
    }
    // Out of rotation by whichever sees it first: outlier detection (consecutive connection
    // failures: `ejected`) or the active health check (`unhealthy`). p2c-ewma moves the traffic
    // off after the first failure, so which one wins depends on timing.
    const row = status.backends.find((b) => b.id === victim.id);
    expect(['ejected', 'unhealthy']).toContain(row?.state);
    expect(row?.reachable).toBe(false);
    const html = await (
      await fetch(fleet.statusUrl, { signal: AbortSignal.timeout(5_000) })
    ).text();
    expect(html).toMatch(/<td class="state-(ejected|unhealthy)">(ejected|unhealthy)<\/td>/);
    const metrics = await (
      await fetch(fleet.metricsUrl, { signal: AbortSignal.timeout(5_000) })
    ).text();
    expect(metrics).toMatch(/loadbalancer_backend_up\{[^}]*backend="orders-2"[^}]*\} 0/);
  });

  it('takes a restarted instance back into rotation', async () => {
    const victim = fleet.instances[1];
    if (!victim) throw new Error('no second instance');
    const restarted = await fleet.restartInstance(victim.id);
    expect(restarted.port).toBe(victim.port);
    expect(restarted.pid).not.toBe(victim.pid);
    const deadline = Date.now() + 10_000;
    while (fleet.pool.get(victim.id)?.state !== 'healthy' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(fleet.pool.get(victim.id)?.state).toBe('healthy');
    const before = fleet.pool.get(victim.id)?.requests ?? 0;
    for (let n = 0; n < 60; n++) {
      const res = await fetch(`${fleet.url}/api/catalog?after-restart=${n}`, {
        signal: AbortSignal.timeout(5_000),
      });
      await res.arrayBuffer();
      expect(res.status).toBe(200);
    }
    expect(fleet.pool.get(victim.id)?.requests ?? 0).toBeGreaterThan(before);
  });

  it('loses no request during a rolling restart of every instance under load', async () => {
    let stop = false;
    let sent = 0;
    const failures: string[] = [];
    const worker = async () => {
      while (!stop && sent < 3_000) {
        const n = sent++;
        try {
          const res = await fetch(`${fleet.url}/api/catalog?rolling=${n}`, {
            signal: AbortSignal.timeout(5_000),
          });
          await res.arrayBuffer();
          if (res.status !== 200) failures.push(`#${n}: HTTP ${res.status}`);
        } catch (error) {
          failures.push(`#${n}: ${(error as Error).message}`);
        }
        // About 20 requests/s in all: under the API's per-client rate limit (600/min per instance).
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    const load = Promise.all(Array.from({ length: 4 }, worker));
    for (const id of fleet.instances.map((c) => c.id)) {
      await fleet.restartInstance(id);
      const deadline = Date.now() + 10_000;
      while (fleet.pool.get(id)?.state !== 'healthy' && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(fleet.pool.get(id)?.state).toBe('healthy');
    }
    stop = true;
    await load;
    expect(sent).toBeGreaterThan(40);
    expect(failures).toEqual([]);
  });

  it('sets and clears a fault on every instance through POST/DELETE /fleet/faults, for admins only', async () => {
    const fault = { route: '/api/catalog', errorRatio: 1, latencyMs: 0 };
    const viewer = await login(fleet.url, 'viewer');
    const refused = await call(fleet.url, 'POST', '/fleet/faults', {
      token: viewer.accessToken,
      body: fault,
    });
    expect(refused.status).toBe(403);
    expect(refused.body.instances).toHaveLength(3);
    expect((await call(fleet.url, 'POST', '/fleet/faults', { body: fault })).status).toBe(401);

    const { accessToken } = await login(fleet.url, 'admin');
    const bad = await call(fleet.url, 'POST', '/fleet/faults', {
      token: accessToken,
      body: { route: '*', errorRatio: 2 },
    });
    expect(bad.status).toBe(400);
    expect(String(bad.body.detail)).toContain('answered 400');

    const set = await call(fleet.url, 'POST', '/fleet/faults', { token: accessToken, body: fault });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    for (const instance of fleet.instances) {
      const direct = await fetch(`${instance.url}/api/catalog`, {
        signal: AbortSignal.timeout(5_000),
      });
      await direct.arrayBuffer();
      expect(direct.status).toBe(500);
    }
    const cleared = await call(fleet.url, 'DELETE', '/fleet/faults', { token: accessToken });
    expect(cleared.status).toBe(200);
    for (const instance of fleet.instances) {
      const direct = await fetch(`${instance.url}/api/catalog`, {
        signal: AbortSignal.timeout(5_000),
      });
      await direct.arrayBuffer();
      expect(direct.status).toBe(200);
    }

    const big = await fetch(`${fleet.url}/fleet/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
      body: JSON.stringify({ route: 'x'.repeat(20_000) }),
      signal: AbortSignal.timeout(5_000),
    });
    expect(big.status).toBe(413);
    expect(big.headers.get('content-type')).toMatch(/problem\+json/);
    expect(await big.text()).not.toMatch(/at .*\.js:\d+/);
    const wrongMethod = await call(fleet.url, 'GET', '/fleet/faults');
    expect(wrongMethod.status).toBe(405);
  });

  it('stops every child process on close', async () => {
    const pids = [...fleet.instances, ...fleet.inventories].map((c) => c.pid);
    await fleet.close();
    expect(pids.filter(alive)).toEqual([]);
    await expect(fetch(fleet.url, { signal: AbortSignal.timeout(2_000) })).rejects.toThrow();
  });
});
