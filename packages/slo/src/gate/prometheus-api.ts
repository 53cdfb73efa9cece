import { SrekitError } from '@srekit/core';
import { GATE_DEFAULTS } from '../defaults.js';
import { SLO_ERROR_CODES } from '../errors.js';

/** The `fetch` function the client uses (the global one by default; tests pass a fake). */
export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** One series of an instant vector, its value already read as a number. */
export interface InstantSample {
  /** The series' labels, including `__name__` when the query keeps it. */
  readonly metric: Readonly<Record<string, string>>;
  /**
   * The sample value. Prometheus writes `NaN`, `+Inf` and `-Inf` as text; they arrive here as
   * `undefined` (0 ÷ 0 is what a ratio rule yields when there was no traffic: no data).
   */
  readonly value: number | undefined;
  /** Sample timestamp in seconds since the epoch. */
  readonly timestamp: number;
}

/** Options of {@link queryInstant}. */
export interface InstantQueryOptions {
  /** Give up after this many milliseconds. Default 10 000. */
  readonly timeoutMs?: number;
  /** Evaluation time. Default: now (Prometheus' own clock). */
  readonly time?: Date;
  /** `fetch` implementation. Default `globalThis.fetch`. */
  readonly fetch?: FetchLike;
  /** Extra request headers (e.g. `Authorization` for a Prometheus behind a proxy). */
  readonly headers?: Readonly<Record<string, string>>;
}

const API_SUFFIX = /\/api\/v1(?:\/query)?\/?$/;

/**
 * The `/api/v1/query` endpoint for a Prometheus base URL. Accepts the URL of the web UI with or
 * without a path prefix (`http://host:9090`, `https://example.com/prometheus/`) and also a URL
 * that already ends in `/api/v1` or `/api/v1/query`. Throws `ERR_SREKIT_SLO_GATE_SOURCE` for
 * anything that is not an http(s) URL.
 *
 * @example prometheusQueryUrl('http://localhost:9090') // 'http://localhost:9090/api/v1/query'
 */
export function prometheusQueryUrl(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw sourceError(
      `"${baseUrl}" is not a URL`,
      'Pass the base URL of Prometheus, e.g. http://localhost:9090.',
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw sourceError(
      `"${baseUrl}" is not an http(s) URL`,
      'Pass the base URL of Prometheus, e.g. http://localhost:9090.',
    );
  }
  const path = url.pathname.replace(API_SUFFIX, '').replace(/\/+$/, '');
  url.pathname = `${path}/api/v1/query`;
  url.search = '';
  url.hash = '';
  return url.toString();
}

/**
 * Runs an instant query through the Prometheus HTTP API (`POST /api/v1/query`) and returns the
 * vector. Every failure (bad URL, nothing listening, timeout, HTTP error, an answer that is not
 * the Prometheus API, a query error) rejects with a `SrekitError` of code
 * `ERR_SREKIT_SLO_GATE_SOURCE` whose message names the URL and the fix.
 *
 * @example
 * const samples = await queryInstant('http://localhost:9090', 'slo:error_budget:ratio');
 */
export async function queryInstant(
  baseUrl: string,
  query: string,
  options: InstantQueryOptions = {},
): Promise<InstantSample[]> {
  const endpoint = prometheusQueryUrl(baseUrl);
  const timeoutMs = options.timeoutMs ?? GATE_DEFAULTS.timeoutMs;
  const doFetch: FetchLike = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const form = new URLSearchParams({ query });
  if (options.time) form.set('time', String(options.time.getTime() / 1000));

  let response: Response;
  let text: string;
  try {
    response = await doFetch(endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
        ...options.headers,
      },
      body: form.toString(),
      signal: AbortSignal.timeout(timeoutMs),
    });
    text = await response.text();
  } catch (error) {
    throw networkError(endpoint, timeoutMs, error);
  }

  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    const type = response.headers.get('content-type') ?? 'no content type';
    throw sourceError(
      `${endpoint} answered HTTP ${response.status} with something that is not JSON (${type}: ${snippet(text)})`,
      response.ok
        ? 'Check that the URL is the base URL of a Prometheus server (its web UI), not of another service or a login page.'
        : httpFix(response.status),
    );
  }

  const envelope = body as {
    status?: unknown;
    error?: unknown;
    errorType?: unknown;
    data?: { resultType?: unknown; result?: unknown };
  };
  if (envelope.status === 'error' || !response.ok) {
    const detail =
      typeof envelope.error === 'string'
        ? `${String(envelope.errorType ?? 'error')}: ${envelope.error}`
        : snippet(text);
    throw sourceError(
      `${endpoint} answered HTTP ${response.status} to the query \`${snippet(query, 200)}\` (${detail})`,
      httpFix(response.status),
    );
  }
  if (
    envelope.status !== 'success' ||
    typeof envelope.data !== 'object' ||
    envelope.data === null ||
    !Array.isArray(envelope.data.result)
  ) {
    throw sourceError(
      `${endpoint} answered JSON that is not a Prometheus API response (${snippet(text)})`,
      'Check that the URL is the base URL of a Prometheus-compatible server.',
    );
  }
  if (envelope.data.resultType !== 'vector') {
    throw sourceError(
      `${endpoint} answered a ${String(envelope.data.resultType)} to \`${snippet(query, 200)}\`, not an instant vector`,
      'Query a Prometheus-compatible server that implements /api/v1/query.',
    );
  }
  return envelope.data.result.map((entry) => readSample(endpoint, entry));
}

function httpFix(status: number): string {
  if (status === 404) {
    return 'Check the URL: give the base URL of Prometheus (e.g. http://localhost:9090), with its path prefix if it has one.';
  }
  if (status === 401 || status === 403) {
    return 'Prometheus refused the request: pass the credentials its proxy expects (headers).';
  }
  if (status === 400 || status === 422) {
    return 'Prometheus rejected the query: check the SLO ids and labels, and that Prometheus is version 2.x or later.';
  }
  return 'Check that Prometheus is healthy (its /-/ready endpoint) and try again.';
}

function readSample(endpoint: string, entry: unknown): InstantSample {
  const { metric, value } = (entry ?? {}) as { metric?: unknown; value?: unknown };
  if (
    typeof metric !== 'object' ||
    metric === null ||
    !Array.isArray(value) ||
    value.length !== 2 ||
    typeof value[1] !== 'string'
  ) {
    throw sourceError(
      `${endpoint} answered a vector sample in an unexpected shape (${snippet(JSON.stringify(entry))})`,
      'Query a Prometheus-compatible server that implements /api/v1/query.',
    );
  }
  const number = Number(value[1]);
  return {
    metric: metric as Record<string, string>,
    value: Number.isFinite(number) ? number : undefined,
    timestamp: Number(value[0]),
  };
}

function networkError(endpoint: string, timeoutMs: number, error: unknown): SrekitError {
  const name = (error as { name?: unknown })?.name;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return sourceError(
      `Prometheus at ${endpoint} did not answer within ${timeoutMs} ms`,
      'Check that the URL points at a running Prometheus, or raise the timeout (timeoutMs).',
      error,
    );
  }
  const cause = (error as { cause?: { code?: unknown; message?: unknown } })?.cause;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  const detail =
    typeof cause?.message === 'string' ? cause.message : String((error as Error)?.message ?? error);
  const fix =
    code === 'ECONNREFUSED'
      ? 'Nothing listens there: start Prometheus or pass the right host and port (the web UI URL, e.g. http://localhost:9090).'
      : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
        ? 'The host name does not resolve: check the spelling of the URL.'
        : 'Check the URL and that Prometheus is reachable from here.';
  return sourceError(`Cannot reach Prometheus at ${endpoint} (${detail})`, fix, error);
}

/** An `ERR_SREKIT_SLO_GATE_SOURCE` error: what went wrong, then the fix. */
export function sourceError(problem: string, fix: string, cause?: unknown): SrekitError {
  return new SrekitError(
    SLO_ERROR_CODES.GATE_SOURCE,
    `${problem}. ${fix}`,
    cause === undefined ? undefined : { cause },
  );
}

function snippet(text: string, max = 120): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}
