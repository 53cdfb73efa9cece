import { describe, expect, it } from 'vitest';
import { RecordingLogger } from '../../test/support/auth-recorders.js';
import { SECURITY_ERROR_CODES } from '../errors.js';
import { checkTrustProxy, requestTrustProxyProblem, trustProxyProblem } from './trust-proxy.js';

const app = (setting: unknown) => ({ get: () => setting });

describe('checkTrustProxy', () => {
  it.each([
    [false, false],
    [undefined, false],
    [1, 1],
    [2, 2],
    ['loopback', 1],
    ['10.0.0.0/8', true],
    [1, true],
  ])('accepts trust proxy %j for behindProxy %j', (setting, behindProxy) => {
    const logger = new RecordingLogger();
    expect(checkTrustProxy(app(setting), { behindProxy, logger })).toEqual({ ok: true });
    expect(logger.lines).toEqual([]);
  });

  it.each([
    [false, 1, /off behind a proxy.*'trust proxy', 1/],
    [undefined, true, /off behind a proxy/],
    [1, false, /no proxy is in front/],
    [true, 1, /client can pick its own rate-limit key/],
    [true, false, /client can pick its own rate-limit key/],
    [2, 1, /is 2 but 1 proxy is.*an address the client wrote/],
    [1, 2, /is 1 but 2 proxies are.*a proxy/],
  ])('warns on trust proxy %j for behindProxy %j', (setting, behindProxy, message) => {
    const logger = new RecordingLogger();
    const result = checkTrustProxy(app(setting), { behindProxy, logger });
    expect(result.ok).toBe(false);
    expect(result.problem).toMatch(message);
    expect(logger.lines).toEqual([
      {
        level: 'warn',
        object: { code: SECURITY_ERROR_CODES.TRUST_PROXY },
        message: result.problem,
      },
    ]);
  });
});

describe('requestTrustProxyProblem', () => {
  it('flags X-Forwarded-For while trust proxy is off', () => {
    expect(requestTrustProxyProblem(false, { 'x-forwarded-for': '198.51.100.1' })).toMatch(
      /X-Forwarded-For but `trust proxy` is off/,
    );
  });

  it('flags trust proxy = true on any request', () => {
    expect(requestTrustProxyProblem(true, {})).toMatch(/true/);
  });

  it('is quiet on a direct request or a configured proxy', () => {
    expect(requestTrustProxyProblem(false, {})).toBeUndefined();
    expect(requestTrustProxyProblem(1, { 'x-forwarded-for': '198.51.100.1' })).toBeUndefined();
    expect(trustProxyProblem('loopback', 1)).toBeUndefined();
  });
});
