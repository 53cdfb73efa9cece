import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSecretKey, looksLikeCredential, sanitizeForAudit, sanitizeString } from './sanitize.js';

const SECRET_KEYS = [
  'password',
  'Password',
  'newPassword',
  'access_token',
  'refreshToken',
  'client-secret',
  'otp',
  'totpCode',
  'code',
  'Cookie',
  'set-cookie',
  'Authorization',
  'sessionId',
  'x-api-key',
  'csrfToken',
  'pin',
];
const PLAIN_KEYS = [
  'reason',
  'policy',
  'permission',
  'route',
  'statusCode',
  'errorCode',
  'countryCode',
  'count',
  'family',
  'method',
];

describe('sanitizeForAudit', () => {
  it('knows secret keys from plain ones', () => {
    for (const key of SECRET_KEYS) expect(isSecretKey(key), key).toBe(true);
    for (const key of PLAIN_KEYS) expect(isSecretKey(key), key).toBe(false);
  });

  it('never lets a value under a secret key through, at any depth or array position', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SECRET_KEYS),
        fc.string({ minLength: 6 }).map((s) => `S3CR3T${s}`),
        fc.array(fc.constantFrom(...PLAIN_KEYS, 'a', 'b'), { maxLength: 4 }),
        fc.boolean(),
        (secretKey, secret, path, inArray) => {
          let value: unknown = { [secretKey]: secret };
          if (inArray) value = [1, value];
          for (const key of path.reverse()) value = { [key]: value };
          const out = JSON.stringify(sanitizeForAudit(value));
          return !out.includes(secret);
        },
      ),
    );
  });

  it('leaves no raw control character in any string, key or value', () => {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the property under test
    const control = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
    const strings = (value: unknown): string[] => {
      if (typeof value === 'string') return [value];
      if (Array.isArray(value)) return value.flatMap(strings);
      if (value !== null && typeof value === 'object') {
        return Object.entries(value).flatMap(([k, v]) => [k, ...strings(v)]);
      }
      return [];
    };
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (key, value) => {
        const out = sanitizeForAudit({ [key]: value, nested: [value, { [value]: key }] });
        return strings(out).every((s) => !control.test(s));
      }),
    );
  });

  it('keeps plain facts as they are', () => {
    expect(
      sanitizeForAudit({ reason: 'expired', count: 3, ok: true, none: null, at: new Date(0) }),
    ).toEqual({
      reason: 'expired',
      count: 3,
      ok: true,
      none: null,
      at: '1970-01-01T00:00:00.000Z',
    });
  });

  it('survives cycles, huge arrays, long strings and odd values', () => {
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    const out = sanitizeForAudit({
      cyclic,
      big: Array.from({ length: 500 }, (_, i) => i),
      long: 'x'.repeat(10_000),
      fn: () => 1,
      n: 10n,
      buf: Buffer.from('secret-bytes'),
      err: new Error('boom\nline'),
    }) as Record<string, unknown>;
    expect(JSON.stringify(out)).toContain('[depth]');
    expect((out.big as unknown[]).length).toBe(51);
    expect((out.long as string).length).toBeLessThan(1100);
    expect(out).not.toHaveProperty('fn');
    expect(out.n).toBe('10');
    expect(out.buf).toBe('[binary]');
    expect(out.err).toEqual({ name: 'Error', message: 'boom\\nline' });
  });

  it('spots credentials by their shape', () => {
    expect(looksLikeCredential('eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.sig')).toBe(true);
    expect(looksLikeCredential('Bearer abc')).toBe(true);
    expect(looksLikeCredential('Basic dXNlcjpwYXNz')).toBe(true);
    expect(looksLikeCredential('orders:read')).toBe(false);
    expect(sanitizeString('token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.sig in text')).toBe(
      '[REDACTED]',
    );
  });
});
