import type { Response } from 'express';

/** Answers an RFC 9457 problem. */
export function problem(
  res: Response,
  status: number,
  title: string,
  detail: string,
  extensions: Record<string, unknown> = {},
): void {
  res
    .status(status)
    .type('application/problem+json')
    .setHeader('cache-control', 'no-store')
    .send(JSON.stringify({ type: 'about:blank', title, status, detail, ...extensions }));
}
