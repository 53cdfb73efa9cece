import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FLEET_DEFAULTS } from '../src/fleet/fleet.js';
import { aggregateSlos, type InstanceStatus } from '../src/fleet/fleet-status.js';
import { backendsFromEnv } from '../src/fleet/proxy.js';
import { renderStatusBody, renderStatusPage } from '../src/fleet/status-page.js';

const PROXY_SCRIPT = FLEET_DEFAULTS.instanceScript.replace(/instance\.js$/, 'fleet/proxy.js');

function instanceStatus(id: string, good: number, bad: number): InstanceStatus {
  const w = (window: string) => ({ window, seconds: 300, good, bad, total: good + bad });
  return {
    instance: id,
    version: '0.0.0',
    uptimeSeconds: 1,
    faults: [],
    security: { auditEvents: 1, rateLimited: 2, loginFailures: 3, lockouts: 0 },
    slos: [
      {
        sloId: 'api <b>',
        objective: 99,
        allowedErrorRatio: 0.01,
        at: 0,
        windows: [w('5m'), w('1h')],
        period: { ...w('30d'), kind: 'rolling', periodSeconds: 2_592_000 },
        forecastWindow: '1h',
        tiers: [
          {
            id: 'page',
            severity: 'page',
            burnFactor: 14.4,
            longWindow: '1h',
            shortWindow: '5m',
            trafficGuardMet: true,
            firing: false,
          },
        ],
        firing: false,
        budgetExhausted: false,
      },
    ],
  };
}

describe('fleet status aggregation and page', () => {
  it('sums events over the instances and recomputes burn rates, budget and tiers', () => {
    const [slo] = aggregateSlos([
      instanceStatus('a', 90, 10),
      undefined,
      instanceStatus('b', 100, 0),
    ]);
    expect(slo?.windows[0]).toMatchObject({ good: 190, bad: 10, total: 200 });
    expect(slo?.windows[0]?.burnRate).toBeCloseTo(5, 6); // 5 % errors over a 1 % allowance
    expect(slo?.budgetRemaining).toBeCloseTo(-4, 6);
    expect(slo?.tiers[0]?.firing).toBe(false);
    const [hot] = aggregateSlos([instanceStatus('a', 50, 50)]);
    expect(hot?.tiers[0]?.firing).toBe(true);
    expect(hot?.firing).toBe(true);
  });

  it('escapes what the instances report', () => {
    const [slo] = aggregateSlos([instanceStatus('a', 1, 0)]);
    if (!slo) throw new Error('no slo');
    const html = renderStatusPage({
      generatedAt: '2026-01-01T00:00:00.000Z',
      pool: { name: 'orders', strategy: 'p2c-ewma', eligible: 0, total: 0, panic: false },
      slos: [{ ...slo, history: {} }],
      backends: [],
      security: { auditEvents: 0, rateLimited: 0, loginFailures: 0, lockouts: 0 },
      links: { statusPage: '/status', metrics: '/metrics', instanceMetrics: [] },
    });
    expect(html).toContain('api &#60;b&#62;');
    expect(html).not.toContain('api <b>');
  });

  it("the page's script renders /status.json as the server does", async () => {
    const [slo] = aggregateSlos([instanceStatus('a', 9, 1)]);
    if (!slo) throw new Error('no slo');
    const status = {
      generatedAt: '2026-01-01T00:00:00.000Z',
      pool: { name: 'orders', strategy: 'p2c-ewma', eligible: 1, total: 1, panic: false },
      slos: [{ ...slo, history: { '5m': [0, 2, 10] } }],
      backends: [],
      security: { auditEvents: 1, rateLimited: 0, loginFailures: 0, lockouts: 0 },
      links: { statusPage: '/status', metrics: '/metrics', instanceMetrics: ['http://x/metrics'] },
    };
    const script = /<script>([\s\S]*)<\/script>/.exec(renderStatusPage(status))?.[1] ?? '';
    const live = { innerHTML: '' };
    const note = { textContent: '' };
    let tick: (() => Promise<void>) | undefined;
    runInNewContext(script, {
      document: { getElementById: (id: string) => (id === 'live' ? live : note) },
      fetch: async (url: string) => {
        expect(url).toBe('/status.json');
        return { ok: true, json: async () => status };
      },
      setInterval: (fn: () => Promise<void>) => {
        tick = fn;
      },
    });
    await tick?.();
    expect(note.textContent).toBe('Live: updates every 2 seconds.');
    expect(live.innerHTML).toBe(renderStatusBody(status));
  });

  it('reads BACKEND_URLS with clear errors', () => {
    expect(backendsFromEnv('http://orders-1:8080, http://orders-2:8080')).toEqual([
      { id: 'orders-1', url: 'http://orders-1:8080' },
      { id: 'orders-2', url: 'http://orders-2:8080' },
    ]);
    expect(backendsFromEnv('http://127.0.0.1:1,http://127.0.0.1:2').map((b) => b.id)).toEqual([
      'orders-1',
      'orders-2',
    ]);
    expect(() => backendsFromEnv(undefined)).toThrow(/BACKEND_URLS: not set/);
    expect(() => backendsFromEnv('orders-1:8080')).toThrow(/not an http\(s\) URL/);
  });
});

describe('node dist/fleet/proxy.js', () => {
  const servers: Server[] = [];
  const urls: string[] = [];

  beforeAll(async () => {
    for (const id of ['x', 'y']) {
      const server = createServer((req, res) => {
        res.setHeader('content-type', 'application/json');
        const body = req.url === '/status.json' ? instanceStatus(id, 10, 0) : { id, path: req.url };
        res.end(JSON.stringify(body));
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      servers.push(server);
      urls.push(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    }
  });
  afterAll(async () => {
    for (const s of servers) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
  });

  it('proxies to BACKEND_URLS, serves the status page and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, [PROXY_SCRIPT], {
      env: {
        ...process.env,
        PORT: '0',
        HOST: '127.0.0.1',
        BACKEND_URLS: urls.join(','),
        LOG_LEVEL: 'silent',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no listening line')), 10_000);
        createInterface({ input: child.stdout }).on('line', (line) => {
          const m = /^listening (\d+)$/.exec(line);
          if (m) {
            clearTimeout(timer);
            resolve(Number(m[1]));
          }
        });
        void exited.then((code) => reject(new Error(`exited with ${code}`)));
      });
      const base = `http://127.0.0.1:${port}`;
      const api = (await (
        await fetch(`${base}/api/x`, { signal: AbortSignal.timeout(5_000) })
      ).json()) as { path: string };
      expect(api.path).toBe('/api/x');
      const html = await (
        await fetch(`${base}/status`, { signal: AbortSignal.timeout(5_000) })
      ).text();
      expect(html).toContain('orders-1</a>');
      expect(html).toContain('orders-2</a>');
      expect(html).toContain('api &#60;b&#62;');
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
