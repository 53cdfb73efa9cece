import { listen, startRedisServer, type TestRedis, type TestServer } from '@srekit/core/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBinary } from '../../../tests/support/system-deps.js';
import { RedisSessionStore } from '../src/session/redis-session-store.js';
import { sessionKey } from '../src/session/session-id.js';
import type { AuditEvent, SecurityLogger } from '../src/types.js';
import { Client, sessionApp } from './support/session-app.js';

const bin = requireBinary('redis-server');

describe.skipIf(!bin)('sessions on a real Redis shared by two app instances', () => {
  let redis: TestRedis;
  const clients: Redis[] = [];
  const servers: TestServer[] = [];
  const errors: object[] = [];
  const audited: AuditEvent[] = [];
  let a: TestServer;
  let b: TestServer;
  let revokeAllOnB: (subject: string) => Promise<number>;
  let admin: Redis;
  const prefix = 'test:session:';

  beforeAll(async () => {
    redis = await startRedisServer({ bin });
    admin = new Redis(redis.url);
    const logger: SecurityLogger = { info() {}, warn() {}, error: (o) => errors.push(o) };
    const instance = async () => {
      const client = new Redis(redis.url, {
        commandTimeout: 500,
        maxRetriesPerRequest: 1,
        enableOfflineQueue: false,
      });
      client.on('error', () => {});
      await new Promise<void>((resolve) => client.once('ready', () => resolve()));
      clients.push(client);
      const { app, auth } = sessionApp({
        store: new RedisSessionStore(client, { prefix }),
        logger,
        audit: { record: (e) => audited.push(e) },
      });
      const server = await listen(app);
      servers.push(server);
      return { server, auth };
    };
    const first = await instance();
    const second = await instance();
    a = first.server;
    b = second.server;
    revokeAllOnB = second.auth.revokeAll;
  });

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
    for (const c of [...clients, admin]) c.disconnect();
    await redis?.stop();
  });

  /** A browser whose requests alternate between the two instances, as behind a load balancer. */
  const browser = () => {
    const onA = new Client(a.url, '__Host-sid');
    const onB = new Client(b.url, '__Host-sid');
    const sync = (from: Client, to: Client) => {
      to.cookie = from.cookie;
      to.csrf = from.csrf;
    };
    return {
      a: async <T>(fn: (c: Client) => Promise<T>) => {
        sync(onB, onA);
        const r = await fn(onA);
        sync(onA, onB);
        return r;
      },
      b: async <T>(fn: (c: Client) => Promise<T>) => {
        sync(onA, onB);
        const r = await fn(onB);
        sync(onB, onA);
        return r;
      },
      get cookie() {
        return onA.cookie;
      },
    };
  };

  it('a session created on one instance is valid on the other, with its data and CSRF token', async () => {
    const alice = browser();
    await alice.a((c) => c.post('/login', { user: 'alice', roles: ['clerk'] }));
    expect((await alice.b((c) => c.get('/me'))).json).toMatchObject({
      subject: 'alice',
      roles: ['clerk'],
      method: 'session',
    });
    expect((await alice.b((c) => c.post('/cart', { item: 'book' }))).status).toBe(200);
    expect((await alice.a((c) => c.get('/cart'))).json).toEqual({ cart: 'book' });
  });

  it('keeps only hashes of ids in Redis, with a TTL', async () => {
    const bob = browser();
    await bob.a((c) => c.post('/login', { user: 'bob' }));
    const id = bob.cookie as string;
    const keys = await admin.keys(`${prefix}*`);
    const dump = JSON.stringify(
      await Promise.all(
        keys.map(async (k) => [
          k,
          (await admin.type(k)) === 'set' ? await admin.smembers(k) : await admin.get(k),
        ]),
      ),
    );
    expect(dump).not.toContain(id);
    expect(keys).toContain(`${prefix}s:${sessionKey(id)}`);
    const ttl = await admin.pttl(`${prefix}s:${sessionKey(id)}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(35 * 60_000);
  });

  it('rotation on one instance kills the old id on the other', async () => {
    const carol = browser();
    await carol.a((c) => c.post('/login', { user: 'carol' }));
    const old = carol.cookie as string;
    await carol.b((c) => c.post('/promote'));
    const thief = new Client(a.url, '__Host-sid');
    thief.cookie = old;
    expect((await thief.get('/me')).json).toMatchObject({ subject: null });
    expect((await carol.a((c) => c.get('/me'))).json).toMatchObject({
      subject: 'carol',
      roles: ['admin'],
    });
  });

  it('revokeAll on one instance ends the user’s sessions everywhere, and logout too', async () => {
    const laptop = browser();
    const phone = browser();
    await laptop.a((c) => c.post('/login', { user: 'dave' }));
    await phone.b((c) => c.post('/login', { user: 'dave' }));
    expect(await revokeAllOnB('dave')).toBe(2);
    expect((await laptop.a((c) => c.get('/me'))).json).toMatchObject({ subject: null });
    expect((await phone.b((c) => c.get('/me'))).json).toMatchObject({ subject: null });
    expect(await admin.exists(`${prefix}u:dave`)).toBe(0);

    await laptop.a((c) => c.post('/login', { user: 'dave' }));
    const stolen = laptop.cookie as string;
    await laptop.b((c) => c.post('/logout'));
    const thief = new Client(a.url, '__Host-sid');
    thief.cookie = stolen;
    expect((await thief.get('/me')).json).toMatchObject({ subject: null });
  });

  it('keeps the user index alive as long as its longest-lived session', async () => {
    const erin = browser();
    await erin.a((c) => c.post('/login', { user: 'erin' }));
    const indexTtl = await admin.pttl(`${prefix}u:erin`);
    const sessionTtl = await admin.pttl(`${prefix}s:${sessionKey(erin.cookie as string)}`);
    expect(indexTtl).toBeGreaterThanOrEqual(sessionTtl - 50);
  });

  it('fails closed without crashing when Redis dies, and recovers when it is back', async () => {
    const frank = browser();
    await frank.a((c) => c.post('/login', { user: 'frank' }));
    await redis.kill();
    const res = await frank.b((c) => c.get('/me'));
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ subject: null });
    const login = await new Client(a.url, '__Host-sid').post('/login', { user: 'gina' });
    expect(login.status).toBe(500);
    expect(
      errors.some((e) => (e as { code?: string }).code === 'ERR_SREKIT_SECURITY_STORE_UNAVAILABLE'),
    ).toBe(true);
    await redis.restart();
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Nothing was persisted across the crash: the session is gone, the next login works.
    const again = browser();
    await expect
      .poll(async () => (await again.a((c) => c.post('/login', { user: 'frank' }))).status, {
        timeout: 5000,
      })
      .toBe(200);
    expect((await again.b((c) => c.get('/me'))).json).toMatchObject({ subject: 'frank' });
  });
});
