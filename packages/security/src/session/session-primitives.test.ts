import { describe, expect, it } from 'vitest';
import { appendSetCookie, readCookie, serializeCookie } from './cookie.js';
import { MemorySessionStore } from './memory-session-store.js';
import { isWellFormedSessionId, newSessionId, sessionKey } from './session-id.js';
import type { SessionRecord } from './session-store.js';

const record = (subject?: string): SessionRecord => ({
  ...(subject === undefined ? {} : { subject }),
  roles: [],
  data: {},
  csrfToken: 't',
  createdAtMs: 0,
  lastSeenAtMs: 0,
});

describe('session ids', () => {
  it('are 256-bit base64url strings that hash to something else', () => {
    const id = newSessionId();
    expect(isWellFormedSessionId(id)).toBe(true);
    expect(Buffer.from(id, 'base64url')).toHaveLength(32);
    expect(sessionKey(id)).not.toBe(id);
    expect(sessionKey(id)).toBe(sessionKey(id));
    expect(isWellFormedSessionId(`${id}x`)).toBe(false);
    expect(isWellFormedSessionId(id.replace(/^./, '/'))).toBe(false);
  });
});

describe('cookies', () => {
  it('reads the first cookie of a name, ignoring others and quotes', () => {
    expect(readCookie('a=1; __Host-sid=abc; __Host-sid=evil', '__Host-sid')).toBe('abc');
    expect(readCookie('x__Host-sid=no; sid="q"', 'sid')).toBe('q');
    expect(readCookie(undefined, 'sid')).toBeUndefined();
    expect(readCookie('garbage', 'sid')).toBeUndefined();
  });

  it('writes a deletion and replaces an earlier Set-Cookie of the same name only', () => {
    const headers = new Map<string, unknown>([['set-cookie', 'other=1']]);
    const res = {
      getHeader: (n: string) => headers.get(n) as string | string[] | undefined,
      setHeader: (n: string, v: unknown) => headers.set(n, v),
    };
    appendSetCookie(res, 'sid', serializeCookie('sid', 'a', { secure: true }));
    appendSetCookie(res, 'sid', serializeCookie('sid', '', { secure: true, maxAgeSeconds: 0 }));
    expect(headers.get('set-cookie')).toEqual([
      'other=1',
      'sid=; Path=/; HttpOnly; SameSite=Lax; Secure; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT',
    ]);
  });
});

describe('MemorySessionStore', () => {
  it('expires records by TTL and revokes all of a subject', async () => {
    let now = 0;
    const store = new MemorySessionStore({ now: () => now });
    await store.set('k1', record('alice'), 1000);
    await store.set('k2', record('alice'), 5000);
    await store.set('k3', record('bob'), 5000);
    now = 1000;
    expect(await store.get('k1')).toBeUndefined();
    expect(await store.get('k2')).toMatchObject({ subject: 'alice' });
    expect(await store.revokeAll('alice')).toBe(1);
    expect(await store.get('k2')).toBeUndefined();
    expect(await store.get('k3')).toMatchObject({ subject: 'bob' });
  });

  it('updates only existing records with onlyIfExists', async () => {
    const store = new MemorySessionStore();
    expect(await store.set('k', record('a'), 1000, { onlyIfExists: true })).toBe(false);
    expect(await store.get('k')).toBeUndefined();
    expect(await store.set('k', record('a'), 1000)).toBe(true);
    expect(await store.set('k', record('a'), 1000, { onlyIfExists: true })).toBe(true);
  });

  it('hands out copies, so a caller cannot change a stored record in place', async () => {
    const store = new MemorySessionStore();
    await store.set('k', { ...record('a'), data: { n: 1 } }, 1000);
    const got = (await store.get('k')) as { data: Record<string, unknown> };
    got.data.n = 2;
    expect((await store.get('k'))?.data).toEqual({ n: 1 });
  });

  it('moves a record between subjects in the index when it is re-keyed to another subject', async () => {
    const store = new MemorySessionStore();
    await store.set('k', record('alice'), 1000);
    await store.set('k', record('bob'), 1000);
    expect(await store.revokeAll('alice')).toBe(0);
    expect(await store.revokeAll('bob')).toBe(1);
  });
});
