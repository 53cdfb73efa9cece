import { createHash } from 'node:crypto';

/** What a limiter knows about a client after counting its request. */
export interface LimitState {
  readonly limit: number;
  readonly remaining: number;
  readonly resetTime: Date | undefined;
}

/** The response surface the headers need (express's `Response` has it). */
export interface HeaderTarget {
  readonly headersSent: boolean;
  append(name: string, value: string): unknown;
}

const PARTITION_CACHE_MAX = 10_000;
const partitionKeys = new Map<string, string>();

/**
 * The draft-8 `pk` of a bucket key, computed as express-rate-limit does (the first 12 hex digits
 * of its SHA-256, base64) so clients see the same value whichever writes the header. Cached: the
 * hash was a fifth of a decision's time, and the same clients come back.
 */
export function partitionKey(key: string): string {
  let pk = partitionKeys.get(key);
  if (pk === undefined) {
    pk = Buffer.from(createHash('sha256').update(key).digest('hex').slice(0, 12)).toString(
      'base64',
    );
    if (partitionKeys.size >= PARTITION_CACHE_MAX) partitionKeys.clear();
    partitionKeys.set(key, pk);
  }
  return pk;
}

/** Seconds until the window of `state` resets (the whole window when the store gives no time). */
export function resetSeconds(windowMs: number, resetTime: Date | undefined): number {
  if (resetTime === undefined) return Math.ceil(windowMs / 1000);
  return Math.max(0, Math.ceil((resetTime.getTime() - Date.now()) / 1000));
}

/**
 * Appends the IETF draft-8 (draft-ietf-httpapi-ratelimit-headers-08) fields for one policy:
 * `RateLimit-Policy: "<name>"; q=<limit>; w=<window s>; pk=:<pk>:` and
 * `RateLimit: "<name>"; r=<remaining>; t=<reset s>`. Several policies append several items.
 */
export function appendDraft8Headers(
  res: HeaderTarget,
  name: string,
  windowMs: number,
  key: string,
  state: LimitState,
): void {
  if (res.headersSent) return;
  const reset = resetSeconds(windowMs, state.resetTime);
  res.append(
    'RateLimit-Policy',
    `"${name}"; q=${state.limit}; w=${Math.ceil(windowMs / 1000)}; pk=:${partitionKey(key)}:`,
  );
  res.append('RateLimit', `"${name}"; r=${state.remaining}; t=${reset}`);
}
