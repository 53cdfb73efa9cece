import { once } from 'node:events';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  HealthChecker,
  type HealthCheckerOptions,
  type HealthCheckResult,
  type HealthStateChange,
} from '../src/health/health-checker.js';

/** How long `vi.waitUntil` waits for state that changes on its own (timers, sockets). */
const WAIT = { timeout: 3_000, interval: 10 };

/** A real loopback backend whose /readyz answer can be changed, killed and restarted. */
class Backend {
  status = 200;
  delayMs = 0;
  readonly hits: number[] = [];
  server: http.Server | undefined;
  port = 0;

  async start(port = 0): Promise<this> {
    const server = http.createServer((_req, res) => {
      this.hits.push(performance.now());
      const answer = (): void => {
        res.statusCode = this.status;
        res.end('ok');
      };
      if (this.delayMs > 0) setTimeout(answer, this.delayMs);
      else answer();
    });
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Closes the listener and every connection: a dead process, as far as clients can tell. */
  async kill(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

const backends: Backend[] = [];
const checkers: HealthChecker[] = [];

async function backend(): Promise<Backend> {
  const b = await new Backend().start();
  backends.push(b);
  return b;
}

const FAST: HealthCheckerOptions = { intervalMs: 20, jitterPercent: 0, timeoutMs: 200 };

function checker(targets: { id: string; url: string }[], options: HealthCheckerOptions = {}) {
  const c = new HealthChecker(targets, { ...FAST, ...options });
  checkers.push(c);
  const changes: HealthStateChange[] = [];
  const checks: HealthCheckResult[] = [];
  c.onStateChange((change) => changes.push(change));
  c.onCheck((result) => checks.push(result));
  return { c, changes, checks };
}

/**
 * Wraps the global timer functions to see which timers are pending. Only the checker unrefs its
 * timers in these tests, so the pending unref'd ones are the checker's.
 */
function trackTimers() {
  const realSet = globalThis.setTimeout;
  const realClear = globalThis.clearTimeout;
  const pending = new Set<NodeJS.Timeout>();
  globalThis.setTimeout = ((fn: () => void, ms?: number) => {
    const timer: NodeJS.Timeout = realSet(() => {
      pending.delete(timer);
      fn();
    }, ms);
    pending.add(timer);
    return timer;
  }) as typeof setTimeout;
  globalThis.clearTimeout = ((timer?: NodeJS.Timeout) => {
    if (timer !== undefined) pending.delete(timer);
    realClear(timer);
  }) as typeof clearTimeout;
  return {
    unrefPending: () => [...pending].filter((t) => !t.hasRef()).length,
    restore: () => {
      globalThis.setTimeout = realSet;
      globalThis.clearTimeout = realClear;
    },
  };
}

/** Connections the backend's server has open. */
function openConnections(b: Backend): Promise<number> {
  return new Promise((resolve, reject) =>
    b.server?.getConnections((error, n) => (error ? reject(error) : resolve(n))),
  );
}

/** Open, ref'd client sockets connected to a loopback port (a check in flight). */
function clientSockets(port: number): number {
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
  return handles.filter((h) => h instanceof net.Socket && h.remotePort === port && !h.destroyed)
    .length;
}

afterEach(async () => {
  await Promise.all(checkers.splice(0).map((c) => c.close()));
  await Promise.all(backends.splice(0).map((b) => b.kill()));
});

describe('HealthChecker against real loopback servers', () => {
  it('unknown takes traffic, and the first check decides at once', async () => {
    const up = await backend();
    const down = await backend();
    down.status = 503;
    const { c, changes } = checker([
      { id: 'up', url: up.url },
      { id: 'down', url: down.url },
    ]);
    expect(c.state('up')).toBe('unknown');
    expect(c.isHealthy('up')).toBe(true);
    c.start();
    await vi.waitUntil(() => changes.length === 2, WAIT);
    expect(c.state('up')).toBe('healthy');
    expect(c.state('down')).toBe('unhealthy');
    expect(c.isHealthy('down')).toBe(false);
    expect(changes.find((x) => x.id === 'down')).toEqual({
      id: 'down',
      from: 'unknown',
      to: 'unhealthy',
      reason: 'first check failed (status 503)',
    });
  });

  it('falls after exactly unhealthyThreshold failures and rises after healthyThreshold passes', async () => {
    const b = await backend();
    const { c, changes, checks } = checker([{ id: 'b', url: b.url }], {
      initialState: 'healthy',
      healthyThreshold: 2,
      unhealthyThreshold: 3,
    });
    c.start();
    await vi.waitUntil(() => checks.length >= 2, WAIT);
    b.status = 503;
    const before = checks.length;
    await vi.waitUntil(() => c.state('b') === 'unhealthy', WAIT);
    const failuresToFall = checks.slice(before).filter((x) => !x.ok).length;
    expect(failuresToFall).toBe(3);
    expect(changes.at(-1)).toMatchObject({ from: 'healthy', to: 'unhealthy' });
    expect(changes.at(-1)?.reason).toBe('3 consecutive failures (last: status 503)');

    b.status = 200;
    const atRecovery = checks.length;
    await vi.waitUntil(() => c.state('b') === 'healthy', WAIT);
    expect(checks.slice(atRecovery).filter((x) => x.ok).length).toBe(2);
    expect(changes.at(-1)?.reason).toBe('2 consecutive successes (last: status 200)');
    expect(changes).toHaveLength(2);
  });

  it('a failure between passes resets the rise count (consecutive, not cumulative)', async () => {
    const b = await backend();
    const { c, checks } = checker([{ id: 'b', url: b.url }], {
      initialState: 'unhealthy',
      healthyThreshold: 3,
    });
    let n = 0;
    // pass, pass, fail, pass, pass, pass…
    b.server?.removeAllListeners('request');
    b.server?.on('request', (_req, res) => {
      n++;
      res.statusCode = n === 3 ? 500 : 200;
      res.end();
    });
    c.start();
    await vi.waitUntil(() => c.state('b') === 'healthy', WAIT);
    expect(checks.map((x) => x.ok)).toEqual([true, true, false, true, true, true]);
  });

  it('counts an unexpected status as a failure, and honours expectedStatuses', async () => {
    const b = await backend();
    b.status = 301;
    const first = checker([{ id: 'b', url: b.url }]);
    first.c.start();
    await vi.waitUntil(() => first.checks.length >= 1, WAIT);
    expect(first.checks[0]).toMatchObject({ ok: false, status: 301, reason: 'status 301' });

    const second = checker([{ id: 'b', url: b.url }], { expectedStatuses: [[200, 399]] });
    second.c.start();
    await vi.waitUntil(() => second.checks.length >= 1, WAIT);
    expect(second.checks[0]?.ok).toBe(true);
  });

  it('a check slower than timeoutMs fails with reason "timeout" and is aborted', async () => {
    const b = await backend();
    b.delayMs = 300;
    const { c, checks } = checker([{ id: 'b', url: b.url }], { timeoutMs: 50 });
    const started = performance.now();
    c.start();
    await vi.waitUntil(() => checks.length >= 1, WAIT);
    expect(checks[0]).toMatchObject({ ok: false, reason: 'timeout' });
    expect(checks[0]?.durationMs).toBeGreaterThanOrEqual(45);
    expect(performance.now() - started).toBeLessThan(250);
    expect(c.state('b')).toBe('unhealthy');
  });

  it('a response whose body never ends times out too, and close() still returns', async () => {
    const b = await backend();
    b.server?.removeAllListeners('request');
    b.server?.on('request', (_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('partial');
    });
    const { c, checks } = checker([{ id: 'b', url: b.url }], { timeoutMs: 50 });
    c.start();
    await vi.waitUntil(() => checks.length >= 2, WAIT);
    expect(checks[0]).toMatchObject({ ok: false, reason: 'timeout' });
    await c.close();
  });

  it('a killed server fails with connection refused, and recovers when it comes back', async () => {
    const b = await backend();
    const { c, changes, checks } = checker([{ id: 'b', url: b.url }]);
    c.start();
    await vi.waitUntil(() => c.state('b') === 'healthy', WAIT);
    const port = b.port;
    await b.kill();
    await vi.waitUntil(() => c.state('b') === 'unhealthy', WAIT);
    expect(checks.filter((x) => !x.ok).map((x) => x.reason)).toContain('ECONNREFUSED');
    await b.start(port);
    await vi.waitUntil(() => c.state('b') === 'healthy', WAIT);
    expect(changes.map((x) => x.to)).toEqual(['healthy', 'unhealthy', 'healthy']);
  });

  it('fastIntervalMs shortens the time to mark a killed backend down (HAProxy fastinter)', async () => {
    const b = await backend();
    const { c, checks } = checker([{ id: 'b', url: b.url }], {
      intervalMs: 300,
      fastIntervalMs: 20,
      unhealthyThreshold: 3,
    });
    c.start();
    await vi.waitUntil(() => c.state('b') === 'healthy', WAIT);
    await new Promise((r) => setTimeout(r, 50));
    const passes = checks.length;
    await b.kill();
    const killedAt = performance.now();
    await vi.waitUntil(() => c.state('b') === 'unhealthy', WAIT);
    const took = performance.now() - killedAt;
    // At most one slow interval to the first failure, then two fast ones: well under 3 × 300 ms.
    expect(took).toBeLessThan(300 + 2 * 20 + 100);
    // While healthy and passing, checks keep the slow interval.
    expect(passes).toBeLessThanOrEqual(2);
  });

  it('checks at jittered intervals within the bounds', async () => {
    const low = await backend();
    const high = await backend();
    const a = checker([{ id: 'low', url: low.url }], {
      intervalMs: 60,
      jitterPercent: 50,
      random: () => 0,
    });
    const z = checker([{ id: 'high', url: high.url }], {
      intervalMs: 60,
      jitterPercent: 50,
      random: () => 0.999_999,
    });
    a.c.start();
    z.c.start();
    await vi.waitUntil(() => low.hits.length >= 6 && high.hits.length >= 4, WAIT);
    const gaps = (hits: number[]) => hits.slice(1).map((t, i) => t - (hits[i] ?? 0));
    // 60 × (1 − 0.5) = 30 ms and 60 × (1 + 0.5) = 90 ms, plus the check's own few ms.
    for (const gap of gaps(low.hits)) {
      expect(gap).toBeGreaterThanOrEqual(29);
      expect(gap).toBeLessThan(80);
    }
    for (const gap of gaps(high.hits)) expect(gap).toBeGreaterThanOrEqual(89);
  });

  it('uses one timer for many targets and keeps connections alive between checks', async () => {
    const b = await backend();
    const sockets = new Set<unknown>();
    b.server?.on('connection', (socket) => sockets.add(socket));
    const timers = trackTimers();
    try {
      const targets = Array.from({ length: 20 }, (_, i) => ({ id: `t${i}`, url: b.url }));
      const { c } = checker(targets, { intervalMs: 30 });
      c.start();
      let peak = 0;
      while (b.hits.length < 200) {
        peak = Math.max(peak, timers.unrefPending());
        await new Promise((r) => setTimeout(r, 1));
      }
      // Checks and their timeouts all run off one scheduler timer (the checker's only timer,
      // unref'd), never one per target or per check.
      expect(peak).toBe(1);
      // 200 checks over a handful of keep-alive connections, not one connection per check.
      expect(sockets.size).toBeLessThanOrEqual(20);
    } finally {
      timers.restore();
    }
  });

  it('close() aborts checks in flight and leaves no timers or sockets', async () => {
    const b = await backend();
    const idle = await backend();
    const timers = trackTimers();
    try {
      const { c, checks } = checker(
        [
          { id: 'b', url: b.url },
          { id: 'idle', url: idle.url },
        ],
        { timeoutMs: 5_000, intervalMs: 200 },
      );
      c.start();
      await vi.waitUntil(() => checks.length >= 3, WAIT);
      b.delayMs = 10_000; // the next check hangs
      const hits = b.hits.length;
      await vi.waitUntil(() => b.hits.length > hits, WAIT);
      expect(clientSockets(b.port)).toBe(1);
      // The other target's keep-alive connection sits idle (unref'd) in the pool between checks.
      expect(await openConnections(idle)).toBe(1);
      const reported = checks.length;
      const started = performance.now();
      await c.close();
      expect(performance.now() - started).toBeLessThan(200);
      expect(timers.unrefPending()).toBe(0);
      await vi.waitUntil(() => clientSockets(b.port) === 0, WAIT);
      // The server sees the idle connection closed (its own keep-alive timeout is 5 s).
      const until = performance.now() + 1_000;
      while ((await openConnections(idle)) > 0) {
        expect(performance.now()).toBeLessThan(until);
        await new Promise((r) => setTimeout(r, 5));
      }
      const after = b.hits.length;
      await new Promise((r) => setTimeout(r, 60));
      expect(b.hits.length).toBe(after);
      // The aborted check is not reported as a result (closing is not a backend failure).
      expect(checks.length).toBe(reported);
    } finally {
      timers.restore();
    }
  });

  it('add() and remove() while running', async () => {
    const a = await backend();
    const b = await backend();
    const { c } = checker([{ id: 'a', url: a.url }]);
    c.start();
    await vi.waitUntil(() => c.state('a') === 'healthy', WAIT);
    c.add({ id: 'b', url: b.url });
    expect(c.state('b')).toBe('unknown');
    await vi.waitUntil(() => c.state('b') === 'healthy', WAIT);
    expect(c.remove('a')).toBe(true);
    expect(c.remove('a')).toBe(false);
    expect(c.state('a')).toBeUndefined();
    const hitsA = a.hits.length;
    const hitsB = b.hits.length;
    await new Promise((r) => setTimeout(r, 100));
    expect(a.hits.length - hitsA).toBeLessThanOrEqual(1); // at most the check already in flight
    expect(b.hits.length - hitsB).toBeGreaterThanOrEqual(2);
    expect(c.ids()).toEqual(['b']);
  });

  it('a throwing listener reaches onListenerError and checks go on', async () => {
    const b = await backend();
    const errors: unknown[] = [];
    const c = new HealthChecker([{ id: 'b', url: b.url }], {
      ...FAST,
      onListenerError: (e) => errors.push(e),
    });
    checkers.push(c);
    const sub = c.onCheck(() => {
      throw new Error('listener bug');
    });
    c.start();
    await vi.waitUntil(() => errors.length >= 2, WAIT);
    sub.dispose();
    const seen = errors.length;
    await vi.waitUntil(() => b.hits.length >= seen + 3, WAIT);
    expect(errors.length).toBeLessThanOrEqual(seen + 1);
  });

  it('refuses bad options and targets at construction', () => {
    expect(() => new HealthChecker([], { intervalMs: 0 })).toThrow(/intervalMs/);
    expect(() => new HealthChecker([], { fastIntervalMs: -1 })).toThrow(/fastIntervalMs/);
    expect(() => new HealthChecker([], { jitterPercent: 100 })).toThrow(/jitterPercent/);
    expect(() => new HealthChecker([], { healthyThreshold: 0 })).toThrow(/healthyThreshold/);
    expect(() => new HealthChecker([], { path: 'readyz' })).toThrow(/path/);
    expect(() => new HealthChecker([], { expectedStatuses: [[300, 200]] })).toThrow(
      /expectedStatuses/,
    );
    expect(() => new HealthChecker([{ id: 'x', url: 'not a url' }])).toThrow(/target.url/);
    expect(() => new HealthChecker([{ id: 'x', url: 'ftp://h' }])).toThrow(/ftp/);
    expect(
      () =>
        new HealthChecker([
          { id: 'x', url: 'http://a' },
          { id: 'x', url: 'http://b' },
        ]),
    ).toThrow(/unique/);
  });
});
