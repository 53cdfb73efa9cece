import { scrapeRegistry } from '@srekit/core/testing';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { RecordingLogger } from '../../test/support/auth-recorders.js';
import { SECURITY_ERROR_CODES } from '../errors.js';
import { isCommonPassword } from './common-passwords.js';
import { isPasswordPolicyError, PasswordHasher } from './password-hasher.js';
import { parsePhc } from './phc.js';

const PEPPER = 'a-pepper-of-at-least-thirty-two-bytes-long!';

describe('PasswordHasher (argon2id)', () => {
  const hasher = new PasswordHasher();

  it('hashes into an argon2id PHC string with the OWASP parameters and verifies it', async () => {
    const hash = await hasher.hash('correct horse battery');
    expect(hash).toMatch(
      /^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/,
    );
    expect(await hasher.verify(hash, 'correct horse battery')).toBe(true);
    expect(await hasher.verify(hash, 'correct horse batterY')).toBe(false);
    expect(hasher.needsRehash(hash)).toBe(false);
  });

  it('salts every hash', async () => {
    const [a, b] = await Promise.all([
      hasher.hash('same password here'),
      hasher.hash('same password here'),
    ]);
    expect(a).not.toBe(b);
  });

  it('normalises to NFKC so composed and decomposed input match', async () => {
    const composed = 'caf\u00e9-latte-42';
    const decomposed = 'cafe\u0301-latte-42';
    const hash = await hasher.hash(composed);
    expect(await hasher.verify(hash, decomposed)).toBe(true);
  });

  it('never truncates: a password differing only after 72 bytes does not verify', async () => {
    const base = 'x'.repeat(100);
    const hash = await hasher.hash(`${base}A`);
    expect(await hasher.verify(hash, `${base}B`)).toBe(false);
    expect(await hasher.verify(hash, `${base}A`)).toBe(true);
  });

  it('refuses passwords over maxLength (code points) without hashing, and accepts exactly maxLength', async () => {
    const emoji = '\u{1F600}';
    const max = emoji.repeat(128);
    expect(hasher.check(max)).toEqual([]);
    expect(hasher.check(`${max}a`).map((p) => p.code)).toEqual(['too_long']);
    await expect(hasher.hash(`${max}a`)).rejects.toSatisfy(isPasswordPolicyError);
    const hash = await hasher.hash(max);
    expect(await hasher.verify(hash, max)).toBe(true);
    expect(await hasher.verify(hash, `${max}a`)).toBe(false);
  });

  it('check() reports short and common passwords, case-insensitively', () => {
    expect(hasher.check('short').map((p) => p.code)).toEqual(['too_short']);
    expect(hasher.check('Password123').map((p) => p.code)).toEqual(['common']);
    expect(hasher.check('QWERTYUIOP').map((p) => p.code)).toEqual(['common']);
    expect(hasher.check('eight ch')).toEqual([]);
    expect(hasher.check(42 as unknown as string).map((p) => p.code)).toEqual(['not_a_string']);
    expect(isCommonPassword('iloveyou')).toBe(true);
    expect(isCommonPassword('a rather unusual passphrase')).toBe(false);
  });

  it('refuses the configured extra passwords and context words', () => {
    const custom = new PasswordHasher({
      refusedPasswords: ['Winter-Is-Coming'],
      contextWords: ['Acme', 'checkout'],
    });
    expect(custom.check('winter-is-coming').map((p) => p.code)).toEqual(['common']);
    expect(custom.check('my ACME password!').map((p) => p.code)).toEqual(['context_word']);
    expect(custom.check('Checkout2026!').map((p) => p.code)).toEqual(['context_word']);
    expect(custom.check('a perfectly fine one')).toEqual([]);
    expect(hasher.check('my ACME password!')).toEqual([]);
    expect(() => new PasswordHasher({ contextWords: ['ab'] })).toThrow(/contextWords/);
  });

  it('hash() throws PASSWORD_POLICY with the problems; enforcePolicy:false still refuses too long', async () => {
    const error = await hasher.hash('password1').catch((e: unknown) => e);
    expect(isPasswordPolicyError(error)).toBe(true);
    expect((error as { code: string }).code).toBe(SECURITY_ERROR_CODES.PASSWORD_POLICY);
    expect((error as Error).message).not.toContain('password1');
    expect(await hasher.hash('password1', { enforcePolicy: false })).toMatch(/^\$argon2id\$/);
    await expect(hasher.hash('y'.repeat(129), { enforcePolicy: false })).rejects.toSatisfy(
      isPasswordPolicyError,
    );
  });

  it('answers false and logs, never throws, for garbled or unknown hashes', async () => {
    const logs = new RecordingLogger();
    const logged = new PasswordHasher({ logger: logs });
    for (const bad of [
      '',
      'plain',
      '$2b$10$abcdefghijklmnopqrstuv',
      '$argon2id$v=19$m=x$$',
      '$md5$a=1$c2FsdA$aGFzaA',
      '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$!!!',
    ]) {
      expect(await logged.verify(bad, 'whatever you like')).toBe(false);
    }
    expect(await logged.verify(null as unknown as string, 'x')).toBe(false);
    expect(logs.lines.length).toBeGreaterThanOrEqual(5);
    expect(logs.text()).not.toContain('whatever you like');
  });

  it('verifyUnknownAccount() takes about as long as a real verify and answers false', async () => {
    const hash = await hasher.hash('a real password');
    await hasher.verifyUnknownAccount('warm up');
    const time = async (fn: () => Promise<unknown>) => {
      const started = performance.now();
      await fn();
      return performance.now() - started;
    };
    const real = await time(() => hasher.verify(hash, 'a wrong password'));
    const unknown = await time(() => hasher.verifyUnknownAccount('a wrong password'));
    expect(await hasher.verifyUnknownAccount('a real password')).toBe(false);
    expect(unknown).toBeGreaterThan(real / 4);
  });

  it('needsRehash when the parameters change', async () => {
    const hash = await hasher.hash('rehash me please');
    const stronger = new PasswordHasher({ argon2: { memoryKiB: 19_456, timeCost: 3 } });
    expect(stronger.needsRehash(hash)).toBe(true);
    expect(await stronger.verify(hash, 'rehash me please')).toBe(true);
    const upgraded = await stronger.hash('rehash me please');
    expect(parsePhc(upgraded)?.params.t).toBe('3');
    expect(stronger.needsRehash(upgraded)).toBe(false);
    expect(hasher.needsRehash(upgraded)).toBe(true);
    expect(new PasswordHasher({ algorithm: 'scrypt' }).needsRehash(hash)).toBe(true);
    expect(hasher.needsRehash('garbage')).toBe(true);
  });

  it('observes security_password_hash_duration_seconds for hash and verify', async () => {
    const registry = new Registry();
    const measured = new PasswordHasher({ registry });
    const hash = await measured.hash('measure this one');
    await measured.verify(hash, 'measure this one');
    const { text } = await scrapeRegistry(registry);
    expect(text).toMatch(/security_password_hash_duration_seconds_count 2/);
  });

  it('refuses weak configuration at construction', () => {
    expect(() => new PasswordHasher({ minLength: 6 })).toThrow(/minLength/);
    expect(() => new PasswordHasher({ maxLength: 32 })).toThrow(/maxLength/);
    expect(() => new PasswordHasher({ argon2: { memoryKiB: 8_192, timeCost: 1 } })).toThrow(
      /OWASP/,
    );
    expect(() => new PasswordHasher({ scrypt: { logN: 14 } })).toThrow(/OWASP/);
    expect(() => new PasswordHasher({ pepper: 'too short' })).toThrow(
      SECURITY_ERROR_CODES.WEAK_KEY,
    );
    expect(() => new PasswordHasher({ pepper: { id: 'bad id!', secret: PEPPER } })).toThrow(
      /pepper.id/,
    );
    expect(() => new PasswordHasher({ algorithm: 'md5' as 'scrypt' })).toThrow(/algorithm/);
  });
});

describe('PasswordHasher (scrypt fallback)', () => {
  const hasher = new PasswordHasher({ algorithm: 'scrypt' });

  it('hashes into a scrypt PHC string with N=2^17 r=8 p=1 and verifies it', async () => {
    const hash = await hasher.hash('scrypt is fine too');
    expect(hash).toMatch(/^\$scrypt\$ln=17,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(await hasher.verify(hash, 'scrypt is fine too')).toBe(true);
    expect(await hasher.verify(hash, 'scrypt is fine two')).toBe(false);
    expect(hasher.needsRehash(hash)).toBe(false);
    expect(
      new PasswordHasher({ scrypt: { logN: 16, parallelism: 2 }, algorithm: 'scrypt' }).needsRehash(
        hash,
      ),
    ).toBe(true);
  });

  it('verifies argon2id hashes too, so a deployment can switch algorithms', async () => {
    const argon = await new PasswordHasher().hash('switching algorithms');
    expect(await hasher.verify(argon, 'switching algorithms')).toBe(true);
    expect(hasher.needsRehash(argon)).toBe(true);
  });

  it('refuses stored scrypt parameters that would pin the CPU', async () => {
    expect(
      await hasher.verify(
        '$scrypt$ln=30,r=8,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2g',
        'x'.repeat(10),
      ),
    ).toBe(false);
  });
});

describe('PasswordHasher pepper', () => {
  it('peppers the input: the hash does not verify without the pepper', async () => {
    const peppered = new PasswordHasher({ pepper: { id: 'k1', secret: PEPPER } });
    const hash = await peppered.hash('peppered password');
    expect(parsePhc(hash)?.params.keyid).toBe('k1');
    expect(await peppered.verify(hash, 'peppered password')).toBe(true);
    const stripped = hash.replace(',keyid=k1', '');
    expect(await peppered.verify(stripped, 'peppered password')).toBe(false);
    expect(await new PasswordHasher().verify(hash, 'peppered password')).toBe(false);
  });

  it('rotates: the previous pepper still verifies and its hashes need a rehash', async () => {
    const old = new PasswordHasher({ pepper: { id: 'k1', secret: PEPPER } });
    const hash = await old.hash('rotate the pepper');
    const rotated = new PasswordHasher({
      pepper: { id: 'k2', secret: `${PEPPER}-two` },
      previousPeppers: [{ id: 'k1', secret: PEPPER }],
    });
    expect(await rotated.verify(hash, 'rotate the pepper')).toBe(true);
    expect(rotated.needsRehash(hash)).toBe(true);
    const fresh = await rotated.hash('rotate the pepper');
    expect(parsePhc(fresh)?.params.keyid).toBe('k2');
    expect(rotated.needsRehash(fresh)).toBe(false);
    const retired = new PasswordHasher({ pepper: { id: 'k2', secret: `${PEPPER}-two` } });
    expect(await retired.verify(hash, 'rotate the pepper')).toBe(false);
    expect(await retired.verify(fresh, 'rotate the pepper')).toBe(true);
  });

  it('unpeppered hashes need a rehash once a pepper is configured', async () => {
    const hash = await new PasswordHasher().hash('adding a pepper');
    const peppered = new PasswordHasher({ pepper: PEPPER });
    expect(await peppered.verify(hash, 'adding a pepper')).toBe(true);
    expect(peppered.needsRehash(hash)).toBe(true);
  });
});
