import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fleet, startFleet } from '../src/fleet/fleet.js';
import type { FleetStatus } from '../src/fleet/fleet-status.js';

// Stand-ins for dist/instance.js and dist/inventory.js that follow the contract (`listening <port>`,
// /readyz, /metrics, /status.json with tracker statuses), so the fleet is tested on its own.
const STANDIN_INSTANCE = `
import { createServer } from 'node:http';
const id = process.env.INSTANCE_ID;
let good = 0, bad = 0;
const win = (window, seconds) => ({ window, seconds, good, bad, total: good + bad,
  ...(good + bad > 0 ? { sli: good / (good + bad), errorRatio: bad / (good + bad), burnRate: bad / (good + bad) / 0.001 } : {}) });
const slo = (sloId) => ({ sloId, objective: 99.9, allowedErrorRatio: 0.001, at: Date.now(),
  windows: [win('5m', 300), win('1h', 3600)],
  period: { ...win('30d', 2592000), kind: 'rolling', periodSeconds: 2592000 },
  forecastWindow: '1h', tiers: [{ id: 'page-1', severity: 'page', burnFactor: 14.4, longWindow: '1h', shortWindow: '5m', trafficGuardMet: true, firing: false }],
  firing: false, budgetExhausted: false });
const server = createServer((req, res) => {
  const json = (body) => { res.setHeader('content-type', 'application/json'); res.end(JSON.stringify(body)); };
  if (req.url === '/readyz' || req.url === '/livez') return json({ status: 'pass' });
  if (req.url === '/metrics') { res.setHeader('content-type', 'text/plain'); return res.end('up 1\\n'); }
  if (req.url === '/status.json') return json({ instance: id, version: '0.0.0', uptimeSeconds: 1,
    slos: [slo('orders-api-availability'), slo('orders-login-availability')], faults: [],
    security: { auditEvents: 2, rateLimited: 0, loginFailures: 1, lockouts: 0 } });
  if (req.url.startsWith('/api/')) { good += 1; return json({ instance: id, path: req.url }); }
  res.statusCode = 404; json({ title: 'not found' });
});
server.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1', () => console.log('listening ' + server.address().port));
process.on('SIGTERM', () => { server.close(() => process.exit(0)); server.closeIdleConnections(); });
`;
const STANDIN_INVENTORY = `
import { createServer } from 'node:http';
const server = createServer((req, res) => { res.setHeader('content-type', 'application/json'); res.end('{"status":"pass"}'); });
server.listen(0, process.env.HOST ?? '127.0.0.1', () => console.log('listening ' + server.address().port));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

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
    writeFileSync(join(dir, 'instance.mjs'), STANDIN_INSTANCE);
    writeFileSync(join(dir, 'inventory.mjs'), STANDIN_INVENTORY);
    fleet = await startFleet({
      size: 3,
      port: 0,
      trafficRps: 0,
      instanceScript: join(dir, 'instance.mjs'),
      inventoryScript: join(dir, 'inventory.mjs'),
      logDir: join(dir, 'logs'),
      healthCheckIntervalMs: 300,
      sampleIntervalMs: 250,
      logLevel: 'silent',
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
    for (const slo of ['orders-api-availability', 'orders-login-availability'])
      expect(html).toContain(`>${slo}`);
    for (const id of ['orders-1', 'orders-2', 'orders-3']) expect(html).toContain(`>${id}</a>`);
    expect(html).toContain('<svg class="spark" role="img"');
  });

  it('answers the fleet status as JSON, aggregated over the instances', async () => {
    const res = await fetch(`${fleet.url}/status.json`, { signal: AbortSignal.timeout(5_000) });
    expect(res.status).toBe(200);
    const status = (await res.json()) as FleetStatus;
    expect(status.backends.map((b) => b.id)).toEqual(['orders-1', 'orders-2', 'orders-3']);
    expect(status.backends.every((b) => b.state === 'healthy' && b.reachable)).toBe(true);
    expect(status.slos.map((s) => s.sloId)).toEqual([
      'orders-api-availability',
      'orders-login-availability',
    ]);
    expect(status.security).toEqual({
      auditEvents: 6,
      rateLimited: 0,
      loginFailures: 3,
      lockouts: 0,
    });
    expect(status.links.instanceMetrics).toHaveLength(3);
    const metrics = await (
      await fetch(fleet.metricsUrl, { signal: AbortSignal.timeout(5_000) })
    ).text();
    expect(metrics).toMatch(/loadbalancer_backend_up\{[^}]*backend="orders-1"[^}]*\} 1/);
  });

  it('loses no idempotent request when an instance dies under load, and shows it ejected', async () => {
    const victim = fleet.instances[1];
    if (!victim) throw new Error('no second instance');
    const total = 400;
    const concurrency = 8;
    let next = 0;
    const failures: string[] = [];
    const seen = new Set<string>();
    const worker = async () => {
      while (next < total) {
        const n = next++;
        if (n === 80) await victim.kill();
        try {
          const res = await fetch(`${fleet.url}/api/catalog?n=${n}`, {
            signal: AbortSignal.timeout(5_000),
          });
          const body = (await res.json()) as { instance?: string };
          if (res.status !== 200) failures.push(`#${n}: HTTP ${res.status}`);
          else if (body.instance) seen.add(body.instance);
        } catch (error) {
          failures.push(`#${n}: ${(error as Error).message}`);
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    expect(failures).toEqual([]);
    expect(seen).toEqual(new Set(['orders-1', 'orders-2', 'orders-3']));
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
    const row = status.backends.find((b) => b.id === victim.id);
    expect(row?.state).toBe('ejected');
    expect(row?.reachable).toBe(false);
    const html = await (
      await fetch(fleet.statusUrl, { signal: AbortSignal.timeout(5_000) })
    ).text();
    expect(html).toContain('<td class="state-ejected">ejected</td>');
    const metrics = await (
      await fetch(fleet.metricsUrl, { signal: AbortSignal.timeout(5_000) })
    ).text();
    expect(metrics).toMatch(/loadbalancer_backend_up\{[^}]*backend="orders-2"[^}]*\} 0/);
  });

  it('stops every child process on close', async () => {
    const pids = [...fleet.instances, ...fleet.inventories].map((c) => c.pid);
    await fleet.close();
    expect(pids.filter(alive)).toEqual([]);
    await expect(fetch(fleet.url, { signal: AbortSignal.timeout(2_000) })).rejects.toThrow();
  });
});
