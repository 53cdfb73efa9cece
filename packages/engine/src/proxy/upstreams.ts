import { Pool as UndiciPool } from 'undici';
import type { ProxyTlsOptions } from './types.js';

/** Connection settings shared by every backend's connection pool. */
export interface UpstreamSettings {
  readonly connections: number;
  readonly keepAliveTimeoutMs: number;
  readonly headersTimeoutMs: number;
  readonly bodyTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly tls: ProxyTlsOptions | undefined;
}

/**
 * One keep-alive undici `Pool` per backend origin, created on first use. Pools of origins that
 * left the load-balancing pool are closed by {@link Upstreams.retain}.
 */
export class Upstreams {
  readonly #settings: UpstreamSettings;
  readonly #pools = new Map<string, UndiciPool>();
  readonly #onNewOrigin: () => void;

  /** `onNewOrigin` runs after a pool is created: membership changed, a good time to sweep. */
  constructor(settings: UpstreamSettings, onNewOrigin: () => void = () => undefined) {
    this.#settings = settings;
    this.#onNewOrigin = onNewOrigin;
  }

  /** The connection pool of `origin` (e.g. `https://10.0.0.7:8443`). */
  get(origin: string): UndiciPool {
    let pool = this.#pools.get(origin);
    if (pool === undefined) {
      pool = this.#create(origin);
      this.#pools.set(origin, pool);
      this.#onNewOrigin();
    }
    return pool;
  }

  /** Origins with an open connection pool. */
  get origins(): readonly string[] {
    return [...this.#pools.keys()];
  }

  /** Closes (gracefully: running requests finish) the pools of origins not in `keep`. */
  retain(keep: ReadonlySet<string>): void {
    for (const [origin, pool] of this.#pools) {
      if (keep.has(origin)) continue;
      this.#pools.delete(origin);
      pool.close().catch(() => undefined);
    }
  }

  /** Closes every pool: gracefully, or at once with `destroy`. */
  async closeAll(destroy: boolean): Promise<void> {
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    await Promise.all(
      pools.map((pool) => (destroy ? pool.destroy() : pool.close()).catch(() => undefined)),
    );
  }

  #create(origin: string): UndiciPool {
    const s = this.#settings;
    const tls = origin.startsWith('https:') ? s.tls : undefined;
    return new UndiciPool(origin, {
      connections: s.connections,
      keepAliveTimeout: s.keepAliveTimeoutMs,
      headersTimeout: s.headersTimeoutMs,
      bodyTimeout: s.bodyTimeoutMs,
      connect: {
        timeout: s.connectTimeoutMs,
        ...tlsConnectOptions(tls),
      },
    });
  }
}

/**
 * The proxy's `tls` option as Node's TLS connect options (undici's `connect`, `https.request`):
 * only the fields given, so Node's defaults hold for the rest.
 */
export function tlsConnectOptions(tls: ProxyTlsOptions | undefined): {
  ca?: string | Buffer | (string | Buffer)[];
  cert?: string | Buffer;
  key?: string | Buffer;
  servername?: string;
  rejectUnauthorized?: boolean;
} {
  return {
    ...(tls?.ca !== undefined ? { ca: tls.ca as string | Buffer | (string | Buffer)[] } : {}),
    ...(tls?.cert !== undefined ? { cert: tls.cert } : {}),
    ...(tls?.key !== undefined ? { key: tls.key } : {}),
    ...(tls?.servername !== undefined ? { servername: tls.servername } : {}),
    ...(tls?.rejectUnauthorized !== undefined
      ? { rejectUnauthorized: tls.rejectUnauthorized }
      : {}),
  };
}
