import { SECURITY_ERROR_CODES } from '../errors.js';
import type { SecurityLogger } from '../types.js';
import { type KeyEntry, KeySet } from './key-set.js';
import type { JwtRejectionReason } from './rejection.js';

/** Options of {@link RemoteJwks}; every duration is required here, defaults live in the verifier. */
export interface RemoteJwksOptions {
  readonly url: URL;
  readonly algorithms: readonly string[];
  readonly cacheMaxAgeSeconds: number;
  readonly cooldownSeconds: number;
  readonly rotationOverlapSeconds: number;
  readonly timeoutMs: number;
  readonly maxBytes: number;
  /** Clock in epoch milliseconds. */
  readonly now: () => number;
  readonly logger?: SecurityLogger | undefined;
}

/**
 * A JWKS fetched from a URL and kept in memory. Refetched when older than the cache age, or when
 * a token names an unknown `kid` (at most once per cooldown, so junk `kid`s cannot make the
 * verifier hammer the identity provider). Keys that disappear from the set stay trusted for the
 * rotation overlap, so tokens signed just before a rotation still verify. A failed fetch keeps the
 * keys already known and is logged as `ERR_SREKIT_SECURITY_JWKS_UNAVAILABLE`.
 */
export class RemoteJwks {
  readonly #options: RemoteJwksOptions;
  #current: KeySet | undefined;
  #retired: { set: KeySet; until: number }[] = [];
  #fetchedAt = Number.NEGATIVE_INFINITY;
  #attemptedAt = Number.NEGATIVE_INFINITY;
  #inflight: Promise<void> | undefined;

  constructor(options: RemoteJwksOptions) {
    this.#options = options;
  }

  /** The key for `kid` and `alg`, refetching the set when it is stale or the `kid` is new. */
  async find(kid: string | undefined, alg: string): Promise<KeyEntry | JwtRejectionReason> {
    const { cacheMaxAgeSeconds, cooldownSeconds, now } = this.#options;
    // A fetch under way (started by a concurrent request) is awaited rather than counted
    // against the cooldown.
    const mayFetch = () =>
      this.#inflight !== undefined || now() - this.#attemptedAt >= cooldownSeconds * 1000;
    if ((!this.#current || now() - this.#fetchedAt > cacheMaxAgeSeconds * 1000) && mayFetch()) {
      await this.refresh();
    }
    if (!this.#current) return 'jwks_unavailable';
    let found = this.#lookup(kid, alg);
    if (found === 'unknown_kid' && kid !== undefined && mayFetch()) {
      await this.refresh();
      found = this.#lookup(kid, alg);
    }
    return found;
  }

  /** Fetches the set now (concurrent callers share one fetch). Never throws. */
  refresh(): Promise<void> {
    this.#inflight ??= this.#fetch().finally(() => {
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  /** The `kid`s currently trusted, including those kept for the rotation overlap. */
  kids(): string[] {
    const at = this.#options.now();
    const retired = this.#retired.filter((r) => r.until > at).flatMap((r) => r.set.kids());
    return [...new Set([...(this.#current?.kids() ?? []), ...retired])];
  }

  #lookup(kid: string | undefined, alg: string): KeyEntry | JwtRejectionReason {
    const found = this.#current?.find(kid, alg) ?? 'unknown_kid';
    if (found !== 'unknown_kid' || kid === undefined) return found;
    const at = this.#options.now();
    this.#retired = this.#retired.filter((r) => r.until > at);
    for (const retired of this.#retired) {
      if (retired.set.has(kid)) return retired.set.find(kid, alg);
    }
    return found;
  }

  async #fetch(): Promise<void> {
    const { url, timeoutMs, maxBytes, algorithms, now, logger } = this.#options;
    this.#attemptedAt = now();
    try {
      const response = await fetch(url, {
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'error',
        headers: { accept: 'application/jwk-set+json, application/json' },
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const declared = Number(response.headers.get('content-length') ?? 0);
      if (declared > maxBytes) throw new Error(`response of ${declared} bytes exceeds ${maxBytes}`);
      const text = await response.text();
      if (Buffer.byteLength(text) > maxBytes) throw new Error(`response exceeds ${maxBytes} bytes`);
      const set = KeySet.from(JSON.parse(text) as unknown, algorithms, 'jwks', (problem) =>
        logger?.warn({ code: SECURITY_ERROR_CODES.JWKS_UNAVAILABLE, problem }, 'JWKS key skipped'),
      );
      if (set.size === 0) throw new Error('the JWKS holds no usable key');
      const fetchedAt = now();
      const previous = this.#current;
      if (previous) {
        this.#retired.push({
          set: previous,
          until: fetchedAt + this.#options.rotationOverlapSeconds * 1000,
        });
      }
      this.#current = set;
      this.#fetchedAt = fetchedAt;
    } catch (error) {
      logger?.warn(
        {
          code: SECURITY_ERROR_CODES.JWKS_UNAVAILABLE,
          jwks: `${url.origin}${url.pathname}`,
          err: error instanceof Error ? error.message : String(error),
          cachedKeys: this.#current?.size ?? 0,
        },
        this.#current
          ? 'JWKS refetch failed; verifying with the keys already known'
          : 'JWKS could not be fetched; tokens are refused until it can',
      );
    }
  }
}
