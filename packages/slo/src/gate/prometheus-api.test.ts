import { createServer } from 'node:net';
import { isSrekitError } from '@srekit/core';
import { describe, expect, it } from 'vitest';
import { SLO_ERROR_CODES } from '../errors.js';
import { type FetchLike, prometheusQueryUrl, queryInstant } from './prometheus-api.js';

const json = (body: unknown, status = 200): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

async function rejection(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected a rejection');
}

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 1));
    });
  });
}

describe('prometheusQueryUrl', () => {
  it.each([
    ['http://localhost:9090', 'http://localhost:9090/api/v1/query'],
    ['http://localhost:9090/', 'http://localhost:9090/api/v1/query'],
    ['https://example.com/prometheus/', 'https://example.com/prometheus/api/v1/query'],
    ['http://localhost:9090/api/v1', 'http://localhost:9090/api/v1/query'],
    ['http://localhost:9090/api/v1/query?x=1', 'http://localhost:9090/api/v1/query'],
  ])('%s → %s', (input, expected) => {
    expect(prometheusQueryUrl(input)).toBe(expected);
  });

  it.each(['localhost:9090', 'not a url', 'ftp://host/'])('rejects %s with the fix', (input) => {
    let error: unknown;
    try {
      prometheusQueryUrl(input);
    } catch (caught) {
      error = caught;
    }
    expect(isSrekitError(error)).toBe(true);
    expect((error as { code: string }).code).toBe(SLO_ERROR_CODES.GATE_SOURCE);
    expect((error as Error).message).toContain('e.g. http://localhost:9090');
  });
});

describe('queryInstant', () => {
  it('POSTs the query and time form-encoded and reads NaN and ±Inf as no data', async () => {
    const seen: { url: string; init?: RequestInit }[] = [];
    const fetch: FetchLike = async (url, init) => {
      seen.push({ url, ...(init ? { init } : {}) });
      return json({
        status: 'success',
        data: {
          resultType: 'vector',
          result: [
            { metric: { __name__: 'a', slo_id: 'x' }, value: [1700000000.5, '0.25'] },
            { metric: { __name__: 'b' }, value: [1700000000.5, 'NaN'] },
            { metric: { __name__: 'c' }, value: [1700000000.5, '+Inf'] },
            { metric: { __name__: 'd' }, value: [1700000000.5, '-Inf'] },
          ],
        },
      });
    };
    const samples = await queryInstant('http://prom:9090', 'up{job="x"}', {
      fetch,
      time: new Date(1_700_000_000_500),
    });
    expect(samples.map((s) => s.value)).toEqual([0.25, undefined, undefined, undefined]);
    expect(samples[0]).toEqual({
      metric: { __name__: 'a', slo_id: 'x' },
      value: 0.25,
      timestamp: 1700000000.5,
    });
    expect(seen[0]?.url).toBe('http://prom:9090/api/v1/query');
    expect(seen[0]?.init?.method).toBe('POST');
    const form = new URLSearchParams(String(seen[0]?.init?.body));
    expect(form.get('query')).toBe('up{job="x"}');
    expect(form.get('time')).toBe('1700000000.5');
  });

  it('turns a query error into GATE_SOURCE with Prometheus’ own words', async () => {
    const fetch: FetchLike = async () =>
      json({ status: 'error', errorType: 'bad_data', error: 'parse error at char 3' }, 400);
    const error = await rejection(queryInstant('http://prom:9090', 'up{', { fetch }));
    expect(error.code).toBe(SLO_ERROR_CODES.GATE_SOURCE);
    expect(error.message).toContain('http://prom:9090/api/v1/query answered HTTP 400');
    expect(error.message).toContain('bad_data: parse error at char 3');
  });

  it('says to fix the URL on a 404', async () => {
    const fetch: FetchLike = async () => new Response('404 page not found', { status: 404 });
    const error = await rejection(queryInstant('http://prom:9090/wrong', 'up', { fetch }));
    expect(error.message).toContain('http://prom:9090/wrong/api/v1/query');
    expect(error.message).toContain('with its path prefix');
  });

  it('names an answer that is not JSON (a login page)', async () => {
    const fetch: FetchLike = async () =>
      new Response('<html>Sign in</html>', {
        status: 200,
        headers: { 'content-type': 'text/html' },
      });
    const error = await rejection(queryInstant('http://prom:9090', 'up', { fetch }));
    expect(error.code).toBe(SLO_ERROR_CODES.GATE_SOURCE);
    expect(error.message).toContain('not JSON (text/html: <html>Sign in</html>)');
  });

  it('rejects JSON that is not the Prometheus API, and non-vector results', async () => {
    const notApi = await rejection(
      queryInstant('http://prom:9090', 'up', { fetch: async () => json({ hello: 'world' }) }),
    );
    expect(notApi.message).toContain('not a Prometheus API response');
    const scalar = await rejection(
      queryInstant('http://prom:9090', '1', {
        fetch: async () =>
          json({ status: 'success', data: { resultType: 'scalar', result: [1, '1'] } }),
      }),
    );
    expect(scalar.message).toContain('answered a scalar');
  });

  it('reports nothing listening on the port, naming the URL and the fix', async () => {
    const port = await closedPort();
    const error = await rejection(queryInstant(`http://127.0.0.1:${port}`, 'up'));
    expect(error.code).toBe(SLO_ERROR_CODES.GATE_SOURCE);
    expect(error.message).toContain(
      `Cannot reach Prometheus at http://127.0.0.1:${port}/api/v1/query`,
    );
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.message).toContain('start Prometheus or pass the right host and port');
  });

  it('gives up after timeoutMs', async () => {
    const fetch: FetchLike = (_url, init) =>
      new Promise((_resolve, reject) => {
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason));
      });
    const error = await rejection(queryInstant('http://prom:9090', 'up', { fetch, timeoutMs: 20 }));
    expect(error.code).toBe(SLO_ERROR_CODES.GATE_SOURCE);
    expect(error.message).toContain('did not answer within 20 ms');
  });
});
