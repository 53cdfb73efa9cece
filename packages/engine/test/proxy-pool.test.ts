import type { Socket } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { echoBackend, json, poolOf, proxyServer, send } from './support/proxy-servers.js';

/** How long `vi.waitUntil` waits for state that changes on its own (timers, sockets). */
const WAIT = { timeout: 3_000, interval: 10 };

describe('proxy and pool', () => {
  it('sends the same sticky key to the same backend (header, maglev)', async () => {
    const backends = await Promise.all(['b0', 'b1', 'b2'].map((n) => echoBackend(n)));
    const pool = poolOf(
      backends.map((b) => b.url),
      { strategy: 'maglev' },
    );
    const { url } = await proxyServer(pool, { sticky: { header: 'x-user' } });
    const byUser = new Map<string, Set<string>>();
    for (let round = 0; round < 3; round++) {
      for (const user of ['ann', 'bob', 'cyd', 'dan', 'eve', 'fay']) {
        const res = await send(url, { headers: { 'x-user': user } });
        const seen = byUser.get(user) ?? new Set<string>();
        seen.add(String(json(res).name));
        byUser.set(user, seen);
      }
    }
    for (const seen of byUser.values()) expect(seen.size).toBe(1);
    // Six users do not all land on one of three backends.
    const used = new Set([...byUser.values()].flatMap((s) => [...s]));
    expect(used.size).toBeGreaterThan(1);
  });

  it('uses the sticky cookie as the key', async () => {
    const backends = await Promise.all(['b0', 'b1', 'b2'].map((n) => echoBackend(n)));
    const pool = poolOf(
      backends.map((b) => b.url),
      { strategy: 'ring-hash' },
    );
    const { url } = await proxyServer(pool, { sticky: { cookie: 'sid' } });
    const names = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const res = await send(url, { headers: { cookie: `theme=dark; sid=abc123; lang=en${i}` } });
      names.add(String(json(res).name));
    }
    expect(names.size).toBe(1);
  });

  it('keeps connections alive and closes those of a backend that left the pool', async () => {
    const old = await echoBackend('old');
    const sockets: Socket[] = [];
    old.server.on('connection', (s: Socket) => sockets.push(s));
    const pool = poolOf([old.url]);
    const { url } = await proxyServer(pool);
    for (let i = 0; i < 3; i++) expect((await send(url)).status).toBe(200);
    // Three requests, one upstream connection.
    expect(sockets).toHaveLength(1);
    expect(sockets[0]?.destroyed).toBe(false);

    const replacement = await echoBackend('new');
    pool.add({ id: 'new', url: replacement.url });
    pool.remove('b0');
    const res = await send(url);
    expect(json(res).name).toBe('new');
    await vi.waitUntil(() => sockets[0]?.destroyed === true, WAIT);
  });
});
