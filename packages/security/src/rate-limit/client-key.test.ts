import { describe, expect, it } from 'vitest';
import { accountKey, clientKey } from './client-key.js';

describe('clientKey', () => {
  it('keeps an IPv4 address as it is', () => {
    expect(clientKey('203.0.113.7', undefined, 56)).toBe('203.0.113.7');
  });

  it('reduces IPv6 to its /56: one customer site is one client', () => {
    const a = clientKey('2001:db8:abcd:1200::1', undefined, 56);
    const b = clientKey('2001:db8:abcd:12ff:ffff::2', undefined, 56);
    const other = clientKey('2001:db8:abcd:1300::1', undefined, 56);
    expect(a).toBe(b);
    expect(a).not.toBe(other);
  });

  it('adds the hashed account: same account and address share a bucket, others do not', () => {
    const alice = clientKey('203.0.113.7', 'Alice ', 56);
    expect(alice).toBe(clientKey('203.0.113.7', 'alice', 56));
    expect(alice).not.toBe(clientKey('203.0.113.7', 'bob', 56));
    expect(alice).not.toBe(clientKey('203.0.113.8', 'alice', 56));
    expect(alice).not.toContain('alice');
  });
});

describe('accountKey', () => {
  it('normalises Unicode so look-alike compositions share a bucket', () => {
    expect(accountKey('ｅｖｅ')).toBe(accountKey('eve'));
    expect(accountKey('e\u0301')).toBe(accountKey('\u00e9'));
  });

  it('is a fixed-length, URL-safe digest however long the name', () => {
    expect(accountKey('x'.repeat(10_000))).toMatch(/^[\w-]{22}$/);
  });
});
