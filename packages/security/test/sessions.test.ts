import { listen, scrapeRegistry, type TestServer } from '@srekit/core/testing';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { SESSION_DEFAULTS } from '../src/defaults.js';
import { METRICS } from '../src/metrics.js';
import { MemorySessionStore } from '../src/session/memory-session-store.js';
import { sessionKey } from '../src/session/session-id.js';
import type { SessionStore } from '../src/session/session-store.js';
import type { SessionsOptions } from '../src/session/sessions.js';
import type { AuditEvent, SecurityLogger } from '../src/types.js';
import { Client, sessionApp } from './support/session-app.js';

const MINUTE = 60_000;

/** A store that reports every key it is asked about. */
function spyStore(
  inner: SessionStore,
  onKey: (operation: string, key: string) => void,
): SessionStore {
  return {
    get: (k) => {
      onKey('get', k);
      return inner.get(k);
    },
    set: (k, r, t, o) => {
      onKey('set', k);
      return inner.set(k, r, t, o);
    },
    delete: (k) => {
      onKey('delete', k);
      return inner.delete(k);
    },
    revokeAll: (s) => inner.revokeAll(s),
  };
}
let servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function start(options: SessionsOptions = {}) {
  let clock = Date.UTC(2026, 0, 1);
  const audited: AuditEvent[] = [];
  const store = options.store ?? new MemorySessionStore({ now: () => clock });
  const { app, auth } = sessionApp({
    store,
    now: () => clock,
    audit: { record: (e) => audited.push(e) },
    ...options,
  });
  const server = await listen(app);
  servers.push(server);
  return {
    server,
    auth,
    store,
    audited,
    client: () => new Client(server.url, auth.cookieName),
    advance: (ms: number) => {
      clock += ms;
    },
  };
}

describe('sessions: cookie and id', () => {
  it('sets a __Host- cookie with Secure, HttpOnly, SameSite=Lax, Path=/ and no Domain at login', async () => {
    const { client } = await start();
    const c = client();
    await c.post('/login', { user: 'alice' });
    const set = c.setCookies.find((s) => s.startsWith('__Host-sid='));
    expect(set).toBeDefined();
    const attributes = (set as string).split('; ').slice(1);
    expect(attributes.sort()).toEqual(['HttpOnly', 'Path=/', 'SameSite=Lax', 'Secure']);
    expect(c.cookie).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(c.cookie as string, 'base64url')).toHaveLength(32);
  });

  it('gives every login a different id', async () => {
    const { client } = await start();
    const ids = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const c = client();
      await c.post('/login', { user: `u${i}` });
      ids.add(c.cookie as string);
    }
    expect(ids.size).toBe(50);
  });

  it('puts the principal on req.auth with method "session"', async () => {
    const { client } = await start();
    const c = client();
    expect((await c.get('/me')).json).toMatchObject({ subject: null });
    await c.post('/login', { user: 'alice', roles: ['clerk'] });
    expect((await c.get('/me')).json).toMatchObject({
      subject: 'alice',
      roles: ['clerk'],
      method: 'session',
    });
  });

  it('stores only the hash of the id, never the id', async () => {
    const seen: string[] = [];
    const spy = spyStore(new MemorySessionStore(), (_op, k) => seen.push(k));
    const { client } = await start({ store: spy });
    const c = client();
    await c.post('/login', { user: 'alice' });
    await c.get('/me');
    expect(seen.length).toBeGreaterThan(0);
    expect(seen).not.toContain(c.cookie);
    expect(seen).toContain(sessionKey(c.cookie as string));
  });

  it('never adopts a client-chosen id (fixation)', async () => {
    const { client } = await start();
    const attacker = client();
    attacker.cookie = 'A'.repeat(43);
    const first = await attacker.get('/me');
    expect(first.json).toMatchObject({ subject: null });
    // The login gets an id of the server's choosing.
    attacker.cookie = 'A'.repeat(43);
    await attacker.post('/login', { user: 'victim' });
    expect(attacker.cookie).not.toBe('A'.repeat(43));
    const planted = client();
    planted.cookie = 'A'.repeat(43);
    expect((await planted.get('/me')).json).toMatchObject({ subject: null });
  });

  it('kills a planted pre-login session id at login', async () => {
    const { client } = await start();
    const victim = client();
    await victim.get('/login-form');
    const planted = victim.cookie as string;
    await victim.post('/login', { user: 'victim' });
    expect(victim.cookie).not.toBe(planted);
    const attacker = client();
    attacker.cookie = planted;
    expect((await attacker.get('/me')).json).toMatchObject({ subject: null });
  });

  it('ignores malformed cookie values without touching the store', async () => {
    const gets: string[] = [];
    const store = spyStore(new MemorySessionStore(), (op, k) => {
      if (op === 'get') gets.push(k);
    });
    const { client } = await start({ store });
    const c = client();
    for (const bad of ['short', `${'x'.repeat(43)}==`, '../../etc/passwd', 'a'.repeat(5000)]) {
      c.cookie = bad;
      expect((await c.get('/me')).status).toBe(200);
    }
    expect(gets).toEqual([]);
  });
});

describe('sessions: timeouts', () => {
  it('ends a session after the idle timeout, and activity keeps it alive', async () => {
    const { client, advance, audited } = await start({
      idleTimeoutMs: 10 * MINUTE,
      absoluteTimeoutMs: 60 * MINUTE,
    });
    const c = client();
    await c.post('/login', { user: 'alice' });
    for (let i = 0; i < 4; i++) {
      advance(9 * MINUTE);
      expect((await c.get('/me')).json).toMatchObject({ subject: 'alice' });
    }
    advance(10 * MINUTE);
    expect((await c.get('/me')).json).toMatchObject({ subject: null });
    expect(audited.find((e) => e.event === 'session.expired')).toMatchObject({
      actor: 'alice',
      details: { reason: 'idle' },
    });
  });

  it('ends a session at the absolute timeout however active it is', async () => {
    const { client, advance, audited } = await start({
      idleTimeoutMs: 10 * MINUTE,
      absoluteTimeoutMs: 30 * MINUTE,
    });
    const c = client();
    await c.post('/login', { user: 'alice' });
    advance(9 * MINUTE);
    await c.get('/me');
    advance(9 * MINUTE);
    await c.get('/me');
    advance(9 * MINUTE);
    expect((await c.get('/me')).json).toMatchObject({ subject: 'alice' });
    advance(3 * MINUTE);
    expect((await c.get('/me')).json).toMatchObject({ subject: null });
    expect(audited.find((e) => e.event === 'session.expired')?.details).toEqual({
      reason: 'absolute',
    });
  });

  it('does not extend the absolute timeout on rotation, but restarts it at a new login', async () => {
    const { client, advance } = await start({
      idleTimeoutMs: 10 * MINUTE,
      absoluteTimeoutMs: 20 * MINUTE,
    });
    const c = client();
    await c.post('/login', { user: 'alice' });
    advance(9 * MINUTE);
    await c.post('/rotate');
    advance(9 * MINUTE);
    await c.post('/rotate');
    advance(3 * MINUTE);
    expect((await c.get('/me')).json).toMatchObject({ subject: null });
    await c.post('/login', { user: 'alice' });
    advance(9 * MINUTE);
    expect((await c.get('/me')).json).toMatchObject({ subject: 'alice' });
  });

  it('deletes the cookie of an expired session', async () => {
    const { client, advance } = await start({
      idleTimeoutMs: MINUTE,
      absoluteTimeoutMs: 10 * MINUTE,
    });
    const c = client();
    await c.post('/login', { user: 'alice' });
    advance(MINUTE);
    await c.get('/me');
    expect(c.cookie).toBeUndefined();
    expect(c.setCookies.at(-1)).toMatch(/^__Host-sid=; .*Max-Age=0/);
  });

  it('uses the documented defaults', async () => {
    const { client, advance } = await start();
    const c = client();
    await c.post('/login', { user: 'alice' });
    advance(SESSION_DEFAULTS.idleTimeoutMs - 1);
    expect((await c.get('/me')).json).toMatchObject({ subject: 'alice' });
    advance(SESSION_DEFAULTS.idleTimeoutMs);
    expect((await c.get('/me')).json).toMatchObject({ subject: null });
  });
});

describe('sessions: rotation, logout, revoke-all', () => {
  it('rotates the id on privilege change; the old id is dead', async () => {
    const { client, audited } = await start();
    const c = client();
    await c.post('/login', { user: 'alice' });
    const before = c.cookie as string;
    const oldCsrf = c.csrf;
    await c.post('/promote');
    expect(c.cookie).not.toBe(before);
    expect(c.csrf).not.toBe(oldCsrf);
    expect((await c.get('/me')).json).toMatchObject({ subject: 'alice', roles: ['admin'] });
    const thief = client();
    thief.cookie = before;
    expect((await thief.get('/me')).json).toMatchObject({ subject: null });
    expect(audited.find((e) => e.event === 'session.rotated')).toMatchObject({
      actor: 'alice',
      details: { reason: 'privilege_change' },
    });
  });

  it('does not delete the new cookie when a request with the old id races a rotation', async () => {
    const { client } = await start();
    const c = client();
    await c.post('/login', { user: 'alice' });
    const racing = client();
    racing.cookie = c.cookie;
    await c.post('/rotate');
    const late = await racing.get('/me');
    expect(late.json).toMatchObject({ subject: null });
    expect(late.headers.getSetCookie()).toEqual([]);
  });

  it('regenerate() keeps the data under a new id', async () => {
    const { client } = await start();
    const c = client();
    await c.post('/login', { user: 'alice' });
    await c.post('/cart', { item: 'book' });
    const before = c.cookie;
    await c.post('/rotate');
    expect(c.cookie).not.toBe(before);
    expect((await c.get('/cart')).json).toEqual({ cart: 'book' });
  });

  it('logout destroys the session server-side, not just the cookie', async () => {
    const { client, audited } = await start();
    const c = client();
    await c.post('/login', { user: 'alice' });
    const stolen = c.cookie as string;
    expect((await c.post('/logout')).status).toBe(204);
    expect(c.cookie).toBeUndefined();
    const thief = client();
    thief.cookie = stolen;
    expect((await thief.get('/me')).json).toMatchObject({ subject: null });
    expect(audited.find((e) => e.event === 'session.revoked')).toMatchObject({
      actor: 'alice',
      details: { reason: 'logout' },
    });
  });

  it('revokes every session of a user on password change, keeping the current device signed in', async () => {
    const { client, audited } = await start();
    const laptop = client();
    const phone = client();
    const other = client();
    await laptop.post('/login', { user: 'alice' });
    await phone.post('/login', { user: 'alice' });
    await other.post('/login', { user: 'bob' });
    const res = await laptop.post('/password');
    expect(res.json?.revoked).toBe(2);
    expect((await phone.get('/me')).json).toMatchObject({ subject: null });
    expect((await laptop.get('/me')).json).toMatchObject({ subject: 'alice' });
    expect((await other.get('/me')).json).toMatchObject({ subject: 'bob' });
    expect(
      audited.find((e) => e.event === 'session.revoked' && e.details?.reason === 'revoke_all'),
    ).toMatchObject({
      actor: 'alice',
      details: { count: 2 },
    });
  });

  it('does not bring back a session revoked while a request was writing to it', async () => {
    const { client, auth } = await start();
    const c = client();
    await c.post('/login', { user: 'alice' });
    await auth.revokeAll('alice');
    await c.post('/cart', { item: 'book' });
    expect((await c.get('/me')).json).toMatchObject({ subject: null });
  });

  it('keeps anonymous data and carries it into the login', async () => {
    const { client } = await start();
    const c = client();
    await c.post('/cart', { item: 'lamp' });
    expect(c.cookie).toBeDefined();
    expect((await c.get('/cart')).json).toEqual({ cart: 'lamp' });
    await c.post('/login', { user: 'alice' });
    expect((await c.get('/cart')).json).toEqual({ cart: 'lamp' });
  });
});

describe('sessions: CSRF', () => {
  it('accepts an unsafe request with the session token in the header', async () => {
    const { client } = await start();
    const c = client();
    await c.post('/login', { user: 'alice' });
    expect((await c.post('/cart', { item: 'x' })).status).toBe(200);
  });

  it('refuses an unsafe request without the token or with a wrong one, with 403 problem+json and an audit event', async () => {
    const { client, audited } = await start();
    const c = client();
    await c.post('/login', { user: 'alice' });
    const missing = await c.request('POST', '/cart', { item: 'x' });
    expect(missing.status).toBe(403);
    expect(missing.headers.get('content-type')).toContain('application/problem+json');
    const wrong = await c.request(
      'POST',
      '/cart',
      { item: 'x' },
      { 'x-csrf-token': 'A'.repeat(43) },
    );
    expect(wrong.status).toBe(403);
    expect((await c.get('/cart')).json).toEqual({ cart: null });
    expect(
      audited.filter((e) => e.event === 'csrf.rejected').map((e) => e.details?.reason),
    ).toEqual(['missing', 'mismatch']);
    expect(audited.find((e) => e.event === 'csrf.rejected')).toMatchObject({
      actor: 'alice',
      outcome: 'blocked',
    });
  });

  it('accepts the token from a form field and binds it to its session', async () => {
    const { client } = await start();
    const alice = client();
    const bob = client();
    await alice.post('/login', { user: 'alice' });
    await bob.post('/login', { user: 'bob' });
    expect((await alice.request('POST', '/cart', { item: 'x', _csrf: alice.csrf })).status).toBe(
      200,
    );
    expect(
      (await alice.request('POST', '/cart', { item: 'x' }, { 'x-csrf-token': bob.csrf as string }))
        .status,
    ).toBe(403);
  });

  it('does not check safe methods, and a rotated session needs its new token', async () => {
    const { client } = await start();
    const c = client();
    await c.post('/login', { user: 'alice' });
    expect((await c.get('/me')).status).toBe(200);
    const old = c.csrf as string;
    await c.post('/rotate');
    expect((await c.request('POST', '/cart', { item: 'x' }, { 'x-csrf-token': old })).status).toBe(
      403,
    );
    expect((await c.post('/cart', { item: 'x' })).status).toBe(200);
  });

  it('can be turned off explicitly', async () => {
    const { client } = await start({ csrf: false });
    const c = client();
    await c.post('/login', { user: 'alice' });
    expect((await c.request('POST', '/cart', { item: 'x' })).status).toBe(200);
  });
});

describe('sessions: failures and configuration', () => {
  it('goes on without a session when the store fails, logging and counting it', async () => {
    const registry = new Registry();
    const errors: object[] = [];
    const logger: SecurityLogger = { info() {}, warn() {}, error: (o) => errors.push(o) };
    const inner = new MemorySessionStore();
    let down = false;
    const store: SessionStore = {
      get: (k) => (down ? Promise.reject(new Error('ECONNREFUSED')) : inner.get(k)),
      set: (k, r, t, o) =>
        down ? Promise.reject(new Error('ECONNREFUSED')) : inner.set(k, r, t, o),
      delete: (k) => inner.delete(k),
      revokeAll: (s) => inner.revokeAll(s),
    };
    const { client } = await start({ store, registry, logger });
    const c = client();
    await c.post('/login', { user: 'alice' });
    down = true;
    const res = await c.get('/me');
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ subject: null });
    expect(c.cookie).toBeDefined();
    expect(errors[0]).toMatchObject({
      code: 'ERR_SREKIT_SECURITY_STORE_UNAVAILABLE',
      operation: 'read',
    });
    expect((await scrapeRegistry(registry)).text).toContain(
      `${METRICS.storeErrors.name}{component="sessions",decision="fail_closed"} 1`,
    );
    down = false;
    expect((await c.get('/me')).json).toMatchObject({ subject: 'alice' });
  });

  it('drops the prefix and Secure only with insecureDevCookie, and says so', async () => {
    const warnings: string[] = [];
    const { client, auth } = await start({
      insecureDevCookie: true,
      logger: { info() {}, error() {}, warn: (_o, m) => warnings.push(m) },
    });
    expect(auth.cookieName).toBe('sid');
    expect(warnings[0]).toContain('insecureDevCookie');
    const c = client();
    await c.post('/login', { user: 'alice' });
    const set = c.setCookies.find((s) => s.startsWith('sid=')) as string;
    expect(set).not.toContain('Secure');
    expect(set).toContain('HttpOnly');
  });

  it('refuses insecureDevCookie in production and bad timeouts or cookie names', async () => {
    const { sessions } = await import('../src/session/sessions.js');
    const env = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      expect(() => sessions({ insecureDevCookie: true })).toThrow(/NODE_ENV=production/);
    } finally {
      process.env.NODE_ENV = env;
    }
    expect(() => sessions({ idleTimeoutMs: 0 })).toThrow(/ERR_SREKIT_SECURITY_INVALID_OPTION/);
    expect(() => sessions({ idleTimeoutMs: 2 * MINUTE, absoluteTimeoutMs: MINUTE })).toThrow(
      /shorter/,
    );
    expect(() => sessions({ cookieName: '__Host-x' })).toThrow(/cookieName/);
    expect(() => sessions({ cookieName: 'a b' })).toThrow(/cookieName/);
  });

  it('warns once when a request arrives over plain HTTP with a Secure cookie', async () => {
    const warnings: string[] = [];
    const { client } = await start({
      logger: { info() {}, error() {}, warn: (_o, m) => warnings.push(m) },
    });
    const c = client();
    await c.get('/me');
    await c.get('/me');
    expect(warnings.filter((w) => w.includes('plain HTTP'))).toHaveLength(1);
  });
});
