/**
 * RFC 9457 problem+json answers for the security middleware: 401, 403, 429. The body names the
 * problem and what to do; it never echoes tokens, passwords or internal errors.
 */

/** The response fields the problem writer uses (express's `Response` satisfies it). */
export interface ProblemResponse {
  headersSent: boolean;
  status(code: number): ProblemResponse;
  setHeader(name: string, value: string | number | readonly string[]): unknown;
  end(body?: string): unknown;
}

/** A problem to send. */
export interface SecurityProblem {
  readonly status: 401 | 403 | 429 | 400 | 503;
  /** Short, stable summary, e.g. `Too Many Requests`. */
  readonly title: string;
  /** Human explanation for this occurrence, without secrets. */
  readonly detail: string;
  /** Problem type URI; default `about:blank`. */
  readonly type?: string;
  /** Extra response headers (`WWW-Authenticate`, `Retry-After`). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Extension members of the body (e.g. `policy`, `retry_after`). */
  readonly extensions?: Readonly<Record<string, string | number | boolean>>;
}

/** Sends `problem` as `application/problem+json` unless a response was already started. */
export function sendProblem(res: ProblemResponse, problem: SecurityProblem): void {
  if (res.headersSent) return;
  for (const [name, value] of Object.entries(problem.headers ?? {})) res.setHeader(name, value);
  res.setHeader('content-type', 'application/problem+json; charset=utf-8');
  res.setHeader('cache-control', 'no-store');
  res.status(problem.status);
  res.end(
    JSON.stringify({
      type: problem.type ?? 'about:blank',
      title: problem.title,
      status: problem.status,
      detail: problem.detail,
      ...problem.extensions,
    }),
  );
}
