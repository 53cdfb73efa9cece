import { generateTotp } from '@srekit/security';
import { CATALOG } from '../app/catalog.js';

/** Options of the traffic generator. */
export interface TrafficOptions {
  /** Base URL of the proxy. */
  readonly baseUrl: string;
  /** Requests per second, bounded to 0..100. Default 5. */
  readonly rps?: number;
  /** Demo user to log in as. Default `operator`. */
  readonly username?: string;
  readonly password?: string;
  /** Base32 TOTP secret of the user; without it the generator calls the public routes only. */
  readonly totpSecret?: string;
  /** Per-request timeout. Default 2 000 ms. */
  readonly timeoutMs?: number;
  /** Stop after this many requests (tests). Default unbounded until `stop()`. */
  readonly maxRequests?: number;
}

/** Counts of what the generator sent and got. */
export interface TrafficCounts {
  sent: number;
  ok: number;
  clientErrors: number;
  serverErrors: number;
  failures: number;
  loggedIn: boolean;
}

/** A running traffic generator. */
export interface TrafficGenerator {
  readonly counts: Readonly<TrafficCounts>;
  /** Stops sending and waits for the requests in flight. */
  stop(): Promise<void>;
}

export const TRAFFIC_MAX_RPS = 100;

/**
 * Sends a modest, bounded stream of API calls through the proxy: logs in as a demo user (password
 * + TOTP) when it can, then mixes public reads, order reads and, now and then, an order placement.
 */
export function startTraffic(options: TrafficOptions): TrafficGenerator {
  const rps = Math.min(TRAFFIC_MAX_RPS, Math.max(0, options.rps ?? 5));
  const timeoutMs = options.timeoutMs ?? 2_000;
  const username = options.username ?? 'operator';
  const password = options.password ?? `srekit-demo-${username}`;
  const counts: TrafficCounts = {
    sent: 0,
    ok: 0,
    clientErrors: 0,
    serverErrors: 0,
    failures: 0,
    loggedIn: false,
  };
  const inFlight = new Set<Promise<void>>();
  let token: string | undefined;
  let refreshToken: string | undefined;
  let loggingIn: Promise<void> | undefined;
  let lastLoginAttempt = 0;
  let stopped = false;
  const orderIds: string[] = [];

  const call = async (
    method: string,
    path: string,
    body?: unknown,
    auth = true,
  ): Promise<Response | undefined> => {
    counts.sent += 1;
    try {
      const headers: Record<string, string> = { accept: 'application/json' };
      if (body !== undefined) headers['content-type'] = 'application/json';
      if (auth && token) headers.authorization = `Bearer ${token}`;
      const res = await fetch(`${options.baseUrl}${path}`, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (res.status >= 500) counts.serverErrors += 1;
      else if (res.status >= 400) counts.clientErrors += 1;
      else counts.ok += 1;
      return res;
    } catch {
      counts.failures += 1;
      return undefined;
    }
  };

  const login = async () => {
    if (!options.totpSecret) return;
    lastLoginAttempt = Date.now();
    if (refreshToken) {
      const res = await call('POST', '/auth/token', { refreshToken }, false);
      if (res?.ok) {
        const pair = (await res.json()) as { accessToken: string; refreshToken: string };
        token = pair.accessToken;
        refreshToken = pair.refreshToken;
        return;
      }
      await res?.body?.cancel();
    }
    const code = generateTotp(options.totpSecret, { time: Date.now() });
    const res = await call('POST', '/auth/login', { username, password, code }, false);
    if (res?.ok) {
      const pair = (await res.json()) as { accessToken: string; refreshToken: string };
      token = pair.accessToken;
      refreshToken = pair.refreshToken;
      counts.loggedIn = true;
    } else {
      await res?.body?.cancel();
      token = undefined;
    }
  };

  const one = async (n: number) => {
    if (options.totpSecret && !token && !loggingIn && Date.now() - lastLoginAttempt > 30_000) {
      loggingIn = login().finally(() => {
        loggingIn = undefined;
      });
    }
    if (loggingIn) await loggingIn;
    let res: Response | undefined;
    if (!token || n % 4 === 0) {
      res = await call('GET', '/api/catalog', undefined, false);
    } else if (n % 10 === 1) {
      res = await call('POST', '/api/orders', {
        items: [{ sku: CATALOG[n % CATALOG.length]?.sku, quantity: 1 + (n % 3) }],
      });
      if (res?.ok) {
        const order = (await res.json().catch(() => ({}))) as { id?: string };
        if (order.id) orderIds.push(order.id);
        if (orderIds.length > 50) orderIds.shift();
        return;
      }
    } else if (orderIds.length > 0 && n % 2 === 0) {
      res = await call(
        'GET',
        `/api/orders/${encodeURIComponent(orderIds[n % orderIds.length] as string)}`,
      );
    } else {
      res = await call('GET', '/api/orders');
    }
    if (res?.status === 401) {
      token = undefined;
      lastLoginAttempt = 0;
    }
    await res?.body?.cancel().catch(() => undefined);
  };

  let n = 0;
  const timer =
    rps > 0
      ? setInterval(() => {
          if (stopped) return;
          if (options.maxRequests !== undefined && counts.sent >= options.maxRequests) return;
          const p = one(n++).finally(() => inFlight.delete(p));
          inFlight.add(p);
        }, 1000 / rps)
      : undefined;
  timer?.unref();

  return {
    counts,
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await Promise.allSettled([...inFlight]);
    },
  };
}
