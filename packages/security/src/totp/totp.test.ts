import { startRedisServer, type TestRedis } from '@srekit/core/testing';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBinary } from '../../../../tests/support/system-deps.js';
import { RecordingAudit, RecordingLogger } from '../../test/support/auth-recorders.js';
import { securityMetrics } from '../metrics.js';
import { generateTotp, generateTotpSecret } from './otp.js';
import { hashRecoveryCode } from './recovery-codes.js';
import { RedisTotpStore } from './redis-totp-store.js';
import { Totp } from './totp.js';
import { MemoryTotpStore } from './totp-store.js';

const T0 = 1_700_000_000_000 - (1_700_000_000_000 % 30_000) + 10_000; // 10 s into a step
const SECRET = generateTotpSecret();
const codeAt = (ms: number) => generateTotp(SECRET, { time: ms });

async function attempts(registry: Registry, method: string, outcome: string): Promise<number> {
  const metric = await securityMetrics(registry).authAttempts.get();
  return (
    metric.values.find((v) => v.labels.method === method && v.labels.outcome === outcome)?.value ??
    0
  );
}

describe('Totp.verify', () => {
  it('accepts the current code once; the same code again is a replay', async () => {
    const registry = new Registry();
    const audit = new RecordingAudit();
    const totp = new Totp({ now: () => T0, registry, audit });
    expect(await totp.verify('alice', codeAt(T0), SECRET, { ip: '192.0.2.1' })).toEqual({
      valid: true,
      drift: 0,
    });
    expect(await totp.verify('alice', codeAt(T0), SECRET)).toMatchObject({
      valid: false,
      reason: 'replay',
    });
    expect(audit.names()).toEqual(['mfa.success', 'mfa.replay']);
    expect(audit.events[0]).toMatchObject({ actor: 'alice', ip: '192.0.2.1', outcome: 'success' });
    expect(JSON.stringify(audit.events)).not.toContain(codeAt(T0));
    expect(await attempts(registry, 'totp', 'success')).toBe(1);
    expect(await attempts(registry, 'totp', 'replay')).toBe(1);
  });

  it('the replay rule is per account', async () => {
    const totp = new Totp({ now: () => T0 });
    expect((await totp.verify('alice', codeAt(T0), SECRET)).valid).toBe(true);
    expect((await totp.verify('bob', codeAt(T0), SECRET)).valid).toBe(true);
  });

  it('accepts ±1 step and refuses ±2', async () => {
    for (const [offset, valid] of [
      [-30_000, true],
      [30_000, true],
      [-60_000, false],
      [60_000, false],
    ] as const) {
      const totp = new Totp({ now: () => T0 });
      const result = await totp.verify('alice', codeAt(T0 + offset), SECRET);
      expect(result.valid, `offset ${offset}`).toBe(valid);
      if (valid) expect(result.drift).toBe(offset / 30_000);
    }
  });

  it('after a step is used, an older still-valid code is refused too', async () => {
    let now = T0;
    const totp = new Totp({ now: () => now });
    expect((await totp.verify('alice', codeAt(T0 + 30_000), SECRET)).valid).toBe(true);
    now = T0 + 20_000;
    expect(await totp.verify('alice', codeAt(T0), SECRET)).toMatchObject({
      valid: false,
      reason: 'replay',
    });
    now = T0 + 60_000;
    expect((await totp.verify('alice', codeAt(T0 + 60_000), SECRET)).valid).toBe(true);
  });

  it('refuses wrong and malformed codes without throwing', async () => {
    const registry = new Registry();
    const totp = new Totp({ now: () => T0, registry });
    const right = codeAt(T0);
    const wrong = String((Number(right) + 1) % 1_000_000).padStart(6, '0');
    expect(await totp.verify('alice', wrong, SECRET)).toEqual({ valid: false, reason: 'invalid' });
    for (const bad of ['', '12345', '1234567', 'abcdef', null as unknown as string]) {
      expect(await totp.verify('alice', bad, SECRET)).toEqual({
        valid: false,
        reason: 'malformed',
      });
    }
    expect(await totp.verify('alice', right.replace(/^(...)/, '$1 '), 'not base32!')).toEqual({
      valid: false,
      reason: 'invalid',
    });
    expect(
      (await totp.verify('alice', `${right.slice(0, 3)} ${right.slice(3)}`, SECRET)).valid,
    ).toBe(true);
    expect(await attempts(registry, 'totp', 'failure')).toBe(7);
  });

  it('fails closed, logs and counts when the store fails', async () => {
    const registry = new Registry();
    const logger = new RecordingLogger();
    const broken = new MemoryTotpStore();
    broken.useStep = () => Promise.reject(new Error('connection refused'));
    const totp = new Totp({ now: () => T0, registry, logger, store: broken });
    expect(await totp.verify('alice', codeAt(T0), SECRET)).toEqual({
      valid: false,
      reason: 'store_unavailable',
    });
    expect(logger.lines[0]?.object).toMatchObject({
      code: 'ERR_SREKIT_SECURITY_STORE_UNAVAILABLE',
      decision: 'fail_closed',
    });
    const errors = await securityMetrics(registry).storeErrors.get();
    expect(errors.values[0]).toMatchObject({
      value: 1,
      labels: { component: 'totp', decision: 'fail_closed' },
    });
  });

  it('supports 8 digits and SHA-512', async () => {
    const totp = new Totp({ now: () => T0, digits: 8, algorithm: 'SHA512' });
    const code = generateTotp(SECRET, { time: T0, digits: 8, algorithm: 'SHA512' });
    expect((await totp.verify('alice', code, SECRET)).valid).toBe(true);
    expect(() => new Totp({ window: 3 })).toThrow(/window/);
  });

  it('enrolment() returns a secret and an otpauth URI with the verifier parameters', () => {
    const totp = new Totp({ issuer: 'Checkout', digits: 8, algorithm: 'SHA256' });
    const { secret, uri } = totp.enrolment('alice@example.com');
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(uri).toBe(
      `otpauth://totp/Checkout:alice%40example.com?secret=${secret}&issuer=Checkout&algorithm=SHA256&digits=8&period=30`,
    );
    expect(() => new Totp().enrolment('alice')).toThrow(/issuer/);
  });
});

describe('recovery codes', () => {
  it('are 120-bit, stored hashed, and each works once', async () => {
    const registry = new Registry();
    const audit = new RecordingAudit();
    const store = new MemoryTotpStore();
    const totp = new Totp({ store, registry, audit });
    const codes = await totp.createRecoveryCodes('alice', 3);
    expect(codes).toHaveLength(3);
    for (const code of codes) expect(code).toMatch(/^[a-z2-7]{4}(-[a-z2-7]{4}){5}$/);
    expect(new Set(codes).size).toBe(3);
    expect(await store.consumeRecoveryCode('alice', codes[2] as string)).toBe(false);
    expect(
      await totp.verifyRecoveryCode(
        'alice',
        (codes[0] as string).toUpperCase().replaceAll('-', ' '),
      ),
    ).toEqual({ valid: true, remaining: 2 });
    expect(await totp.verifyRecoveryCode('alice', codes[0] as string)).toEqual({
      valid: false,
      reason: 'invalid',
      remaining: 2,
    });
    expect(await totp.verifyRecoveryCode('bob', codes[1] as string)).toMatchObject({
      valid: false,
    });
    expect(await attempts(registry, 'recovery_code', 'success')).toBe(1);
    expect(await attempts(registry, 'recovery_code', 'failure')).toBe(2);
    expect(audit.names()).toEqual(['mfa.recovery_code_used', 'mfa.failure', 'mfa.failure']);
    expect(JSON.stringify(audit.events)).not.toContain(codes[0]);
    await totp.createRecoveryCodes('alice', 2);
    expect(await totp.verifyRecoveryCode('alice', codes[1] as string)).toMatchObject({
      valid: false,
    });
  });

  it('hashes normalised codes with SHA-256', () => {
    expect(hashRecoveryCode('ABCD-efgh')).toBe(hashRecoveryCode('abcd efgh'));
    expect(hashRecoveryCode('abcd-efgh')).toMatch(/^[0-9a-f]{64}$/);
  });
});

const bin = requireBinary('redis-server');

describe.skipIf(!bin)('Totp with RedisTotpStore (real Redis)', () => {
  let redis: TestRedis;
  let a: Redis;
  let b: Redis;

  beforeAll(async () => {
    redis = await startRedisServer({ bin });
    a = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    b = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    // The crash test below makes every client report connection errors; they are expected.
    for (const client of [a, b]) client.on('error', () => {});
  });
  afterAll(async () => {
    a.disconnect();
    b.disconnect();
    await redis.stop();
  });

  it('a code used on one instance is refused on another; concurrent uses admit exactly one', async () => {
    const one = new Totp({ now: () => T0, store: new RedisTotpStore(a) });
    const two = new Totp({ now: () => T0, store: new RedisTotpStore(b) });
    expect((await one.verify('alice', codeAt(T0), SECRET)).valid).toBe(true);
    expect(await two.verify('alice', codeAt(T0), SECRET)).toMatchObject({
      valid: false,
      reason: 'replay',
    });

    const next = T0 + 30_000;
    const three = new Totp({ now: () => next, store: new RedisTotpStore(a) });
    const four = new Totp({ now: () => next, store: new RedisTotpStore(b) });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? three : four).verify('alice', codeAt(next), SECRET),
      ),
    );
    expect(results.filter((r) => r.valid)).toHaveLength(1);
  });

  it('the replay record expires with the window', async () => {
    await new RedisTotpStore(a).useStep('carol', 5, 60_000);
    const ttl = await a.pttl('srekit:totp:step:carol');
    expect(ttl).toBeGreaterThan(55_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('recovery codes are shared and single-use across instances, even when raced', async () => {
    const one = new Totp({ store: new RedisTotpStore(a) });
    const two = new Totp({ store: new RedisTotpStore(b) });
    const codes = await one.createRecoveryCodes('dave', 4);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        (i % 2 ? one : two).verifyRecoveryCode('dave', codes[0] as string),
      ),
    );
    expect(results.filter((r) => r.valid)).toHaveLength(1);
    expect((await two.verifyRecoveryCode('dave', codes[1] as string)).remaining).toBe(2);
    expect(await a.smembers('srekit:totp:rc:dave')).not.toContain(codes[2]);
  });

  it('fails closed within the timeout when Redis is down', async () => {
    const client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    client.on('error', () => {});
    const logger = new RecordingLogger();
    const totp = new Totp({
      now: () => T0 + 90_000,
      store: new RedisTotpStore(client, { timeoutMs: 300 }),
      logger,
    });
    await redis.kill();
    const started = Date.now();
    expect(await totp.verify('erin', codeAt(T0 + 90_000), SECRET)).toEqual({
      valid: false,
      reason: 'store_unavailable',
    });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(logger.lines).toHaveLength(1);
    client.disconnect();
    await redis.restart();
  });
});
