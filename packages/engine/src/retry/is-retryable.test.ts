import { describe, expect, it } from 'vitest';
import { timeoutError } from '../errors.js';
import { isRetryable, parseRetryAfter } from './is-retryable.js';

const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), {
  code: 'ECONNREFUSED',
});

describe('isRetryable', () => {
  it.each(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE', 'get'])(
    'retries idempotent %s on 502/503/504 by default',
    (method) => {
      for (const status of [502, 503, 504]) {
        expect(isRetryable({ method, status })).toEqual({ retryable: true, reason: 'status' });
      }
    },
  );

  it.each(['POST', 'PATCH', 'CONNECT'])(
    'retries %s only with optIn and a replayable body',
    (method) => {
      expect(isRetryable({ method, status: 503 }).reason).toBe('not-idempotent');
      expect(isRetryable({ method, status: 503, optIn: true }).retryable).toBe(true);
      expect(isRetryable({ method, status: 503, optIn: true, bodyReplayable: false }).reason).toBe(
        'body-not-replayable',
      );
    },
  );

  it('never retries a body that cannot be replayed, even for PUT', () => {
    expect(isRetryable({ method: 'PUT', error: refused, bodyReplayable: false }).retryable).toBe(
      false,
    );
  });

  it('does not retry other statuses', () => {
    expect(isRetryable({ method: 'GET', status: 500 }).reason).toBe('status-not-retryable');
    expect(isRetryable({ method: 'GET', status: 404 }).retryable).toBe(false);
    expect(isRetryable({ method: 'GET', status: 200 }).reason).toBe('success');
    expect(isRetryable({ method: 'GET' }).reason).toBe('success');
    expect(isRetryable({ method: 'GET', status: 500 }, { statuses: [500] }).retryable).toBe(true);
  });

  it('honours Retry-After on 429 up to the cap', () => {
    expect(isRetryable({ method: 'GET', status: 429, retryAfter: '2' })).toEqual({
      retryable: true,
      reason: 'status',
      retryAfterMs: 2_000,
    });
    expect(isRetryable({ method: 'GET', status: 429, retryAfter: '11' })).toEqual({
      retryable: false,
      reason: 'retry-after-too-long',
    });
    expect(
      isRetryable({ method: 'GET', status: 429, retryAfter: '11' }, { maxRetryAfterMs: 60_000 })
        .retryable,
    ).toBe(true);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(
      isRetryable({ method: 'GET', status: 503, retryAfter: 'Thu, 01 Jan 2026 00:00:03 GMT', now }),
    ).toEqual({ retryable: true, reason: 'status', retryAfterMs: 3_000 });
    expect(isRetryable({ method: 'GET', status: 429 })).toEqual({
      retryable: true,
      reason: 'status',
    });
    expect(isRetryable({ method: 'GET', status: 429, retryAfter: 'soon' })).toEqual({
      retryable: true,
      reason: 'status',
    });
  });

  it('retries connect failures, resets before a response and engine timeouts', () => {
    expect(isRetryable({ method: 'GET', error: refused }).reason).toBe('connect-error');
    const fetchFailed = new TypeError('fetch failed', {
      cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }),
    });
    expect(isRetryable({ method: 'GET', error: fetchFailed }).retryable).toBe(true);
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(isRetryable({ method: 'GET', error: reset }).retryable).toBe(true);
    expect(isRetryable({ method: 'GET', error: reset, responseStarted: true }).reason).toBe(
      'response-started',
    );
    expect(isRetryable({ method: 'GET', error: timeoutError('try 0', 100) }).reason).toBe(
      'timeout',
    );
    expect(isRetryable({ method: 'GET', error: new Error('boom') }).reason).toBe(
      'error-not-retryable',
    );
    expect(isRetryable({ method: 'GET', error: 'a string' }).retryable).toBe(false);
  });
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds and HTTP dates, and rejects the rest', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('0', now)).toBe(0);
    expect(parseRetryAfter(' 120 ', now)).toBe(120_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:59:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('-1', now)).toBeUndefined();
    expect(parseRetryAfter('1.5', now)).toBeUndefined();
    expect(parseRetryAfter('2026-01-01', now)).toBeUndefined();
  });
});
