import type { NextFunction, Request, RequestHandler, Response } from 'express';
import {
  MemoryStore,
  type RateLimitInfo,
  type Store,
  type Options as StoreOptions,
} from 'express-rate-limit';
import type { Registry } from 'prom-client';
import { guardAuditSink } from '../audit/guard-sink.js';
import {
  GLOBAL_RATE_LIMIT_LAYERS,
  RATE_LIMIT_DEFAULTS,
  RATE_LIMIT_PRESETS,
  type RateLimitPresetDefinition,
} from '../defaults.js';
import { invalidOption, SECURITY_ERROR_CODES } from '../errors.js';
import { type SecurityMetrics, securityMetrics } from '../metrics.js';
import { sendProblem } from '../problem.js';
import type { AuditSink, SecurityLogger } from '../types.js';
import { type AccountResolver, clientKey } from './client-key.js';
import { appendDraft8Headers, type LimitState, resetSeconds } from './draft8-headers.js';
import {
  GuardedStore,
  isStoreUnavailable,
  type RedisCommandClient,
  redisStore,
} from './guarded-store.js';
import { requestTrustProxyProblem } from './trust-proxy.js';

/** Names of the built-in presets (see `RATE_LIMIT_PRESETS`); `global` is 50/h and 200/day. */
export type RateLimitPreset = keyof typeof RATE_LIMIT_PRESETS | 'global';

/** Options of {@link rateLimit}. With a preset every field is optional and adjusts the preset. */
export interface RateLimitOptions {
  /**
   * Name of the limit: metric label `policy`, draft-8 policy name, Redis key prefix
   * (`srekit:rl:<policy>:`). Default: the preset's name; required without a preset.
   */
  readonly policy?: string;
  /** Requests admitted per window and client. Default: the preset's. */
  readonly limit?: number;
  /** Window length. Default: the preset's. */
  readonly windowMs?: number;
  /**
   * When the store fails or does not answer within `storeTimeoutMs`: `true` admits the request
   * (availability first), `false` answers 503 (nothing unmetered). Default: closed for `login`,
   * `register`, `passwordReset` and `otp` (an outage must not open unlimited guessing), open for
   * the others and for custom policies.
   */
  readonly failOpen?: boolean;
  /**
   * The account a request is about (e.g. `(req) => req.body?.username`); when it returns a name
   * the key is account + address, otherwise address only. Body parsing must run before the
   * limiter for `req.body` to be there. Default: none (address only).
   */
  readonly account?: AccountResolver<Request>;
  /**
   * An ioredis `Redis` client for a limit shared by every instance of the service (tested against
   * a standalone server; Redis Cluster is not supported). Each limiter gets its own store and key
   * prefix. Create the client with
   * `enableOfflineQueue: false` so commands fail at once while Redis is down. Default: an
   * in-memory store per limiter.
   */
  readonly redis?: RedisCommandClient;
  /** Redis key prefix before the policy name. Default `'srekit:rl:'`. */
  readonly redisPrefix?: string;
  /** Longest wait for one Redis call before `failOpen` decides. Default 500 ms. */
  readonly storeTimeoutMs?: number;
  /** IPv6 network size that counts as one client. Default 56. */
  readonly ipv6Subnet?: number;
  /**
   * Warn (code `ERR_SREKIT_SECURITY_TRUST_PROXY`, once) when a request shows that express's
   * `trust proxy` does not fit the deployment. Default `true`.
   */
  readonly trustProxyCheck?: boolean;
  /** Requests that do not count and are never limited (health checks). Default: none. */
  readonly skip?: (req: Request) => boolean;
  /** Registry for `security_rate_limited_requests_total` and `security_store_errors_total`. */
  readonly registry?: Registry;
  /** Where warnings and store failures are logged. Default: none. */
  readonly logger?: SecurityLogger;
  /** Where `rate_limited` and `rate_limit.store_error` events go. Default: none. */
  readonly audit?: AuditSink;
}

/** What {@link rateLimit} returns: an express middleware that knows its policy. */
export interface RateLimitMiddleware extends RequestHandler {
  /** The policy name (metric label). */
  readonly policy: string;
  /** The limits it enforces, shortest window first. */
  readonly layers: readonly {
    readonly id: string;
    readonly limit: number;
    readonly windowMs: number;
  }[];
  /**
   * Forgets the count of the client (and account) of `req` in every layer, e.g. after a
   * successful login. Never rejects: a store failure is logged.
   */
  reset(req: Request): Promise<void>;
}

interface Layer {
  readonly id: string;
  readonly limit: number;
  readonly windowMs: number;
  readonly failOpen: boolean;
  readonly store: Store;
  readonly guarded: GuardedStore | undefined;
  lastLogMs: number;
  suppressed: number;
}

const AUDIT_ACTOR_MAX = 128;

function checkNumber(option: string, value: number, min: number): void {
  if (!Number.isFinite(value) || value < min || !Number.isInteger(value)) {
    invalidOption(
      option,
      `${value} is not a whole number ≥ ${min}`,
      `Pass a whole number ≥ ${min}`,
    );
  }
}

function windowText(windowMs: number): string {
  if (windowMs % 86_400_000 === 0) return `${windowMs / 86_400_000} d`;
  if (windowMs % 3_600_000 === 0) return `${windowMs / 3_600_000} h`;
  if (windowMs % 60_000 === 0) return `${windowMs / 60_000} min`;
  return `${windowMs / 1000} s`;
}

function resolveLayers(
  preset: RateLimitPreset | undefined,
  options: RateLimitOptions,
): { policy: string; layers: (RateLimitPresetDefinition & { id: string })[] } {
  if (preset === 'global') {
    if (options.limit !== undefined || options.windowMs !== undefined) {
      invalidOption(
        'limit',
        'the `global` preset has two layers (50/h, 200/day) that one `limit`/`windowMs` cannot adjust',
        'Layer two rateLimit({ policy, limit, windowMs }) middlewares instead',
      );
    }
    const policy = options.policy ?? 'global';
    return {
      policy,
      layers: GLOBAL_RATE_LIMIT_LAYERS.map((layer) => ({
        ...layer,
        id: policy === 'global' ? layer.id : `${policy}-${layer.id.slice('global-'.length)}`,
        failOpen: options.failOpen ?? layer.failOpen,
      })),
    };
  }
  if (preset !== undefined && !Object.hasOwn(RATE_LIMIT_PRESETS, preset)) {
    invalidOption(
      'preset',
      `unknown preset \`${String(preset)}\``,
      `Use one of ${[...Object.keys(RATE_LIMIT_PRESETS), 'global'].join(', ')}, or pass options`,
    );
  }
  const base = preset === undefined ? undefined : RATE_LIMIT_PRESETS[preset];
  const policy = options.policy ?? preset;
  if (policy === undefined || !/^[A-Za-z][\w.-]{0,63}$/.test(policy)) {
    invalidOption(
      'policy',
      policy === undefined ? 'a custom limit needs a name' : `\`${policy}\` is not a short name`,
      'Pass `policy` (letters, digits, `_`, `.`, `-`; it becomes a metric label and a Redis key prefix)',
    );
  }
  const limit = options.limit ?? base?.limit;
  const windowMs = options.windowMs ?? base?.windowMs;
  if (limit === undefined || windowMs === undefined) {
    return invalidOption(
      limit === undefined ? 'limit' : 'windowMs',
      'a custom limit needs both `limit` and `windowMs`',
      'Pass both, or start from a preset: rateLimit("api", { limit: 120 })',
    );
  }
  return {
    policy,
    layers: [{ id: policy, limit, windowMs, failOpen: options.failOpen ?? base?.failOpen ?? true }],
  };
}

/**
 * Rate limiting for express, with presets from the service world: `login` 5/min, `register`
 * 3/h, `passwordReset` 3/h, `otp` 5 per 5 min, `api` 60/min, `upload` 10/h, `report` 20/h and
 * `global` (50/h and 200/day, two limits in one middleware). Counting uses express-rate-limit 8's
 * stores and IPv6 key helper (`MemoryStore`, rate-limit-redis); the decision path is srekit's own,
 * a third of the bare middleware's cost per request.
 *
 * - Clients are keyed by address (IPv6 by its /56); with `account`, by account + address.
 * - Every answer carries draft-8 `RateLimit-Policy` / `RateLimit` headers (no `X-RateLimit-*`),
 *   one item per limit; `req.rateLimit` holds `{ limit, used, remaining, resetTime, key }` of the
 *   last limit counted, as express-rate-limit documents it.
 * - A refused request gets 429 `application/problem+json` with `Retry-After`, is counted in
 *   `security_rate_limited_requests_total{policy}` and audited as `rate_limited`.
 * - The store is in memory per limiter, or Redis (`redis: client`) shared by the fleet. When Redis
 *   fails or is slower than `storeTimeoutMs`, `failOpen` decides; the decision is logged (code
 *   `ERR_SREKIT_SECURITY_STORE_UNAVAILABLE`, at most once per 10 s per limit), counted in
 *   `security_store_errors_total{component="rate_limit",decision}` and audited. Never a crash,
 *   never a hang.
 *
 * Throws `ERR_SREKIT_SECURITY_INVALID_OPTION` on an unknown preset or invalid option.
 *
 * @example
 * ```ts
 * app.use(rateLimit('global', { redis, registry: telemetry.registry, logger: telemetry.logger }));
 * app.post(
 *   '/login',
 *   express.urlencoded({ extended: false }),              // before the limiter: it reads req.body
 *   rateLimit('login', { account: (req) => req.body?.username, redis }),
 *   login,
 * );
 * app.use('/api', rateLimit({ policy: 'search', limit: 30, windowMs: 60_000 }));
 * ```
 */
export function rateLimit(preset: RateLimitPreset, options?: RateLimitOptions): RateLimitMiddleware;
export function rateLimit(options: RateLimitOptions & { policy: string }): RateLimitMiddleware;
export function rateLimit(
  presetOrOptions: RateLimitPreset | (RateLimitOptions & { policy: string }),
  maybeOptions: RateLimitOptions = {},
): RateLimitMiddleware {
  const preset = typeof presetOrOptions === 'string' ? presetOrOptions : undefined;
  const options = typeof presetOrOptions === 'string' ? maybeOptions : presetOrOptions;
  const { policy, layers: definitions } = resolveLayers(preset, options);
  const ipv6Subnet = options.ipv6Subnet ?? RATE_LIMIT_DEFAULTS.ipv6Subnet;
  const storeTimeoutMs = options.storeTimeoutMs ?? RATE_LIMIT_DEFAULTS.storeTimeoutMs;
  checkNumber('ipv6Subnet', ipv6Subnet, 1);
  if (ipv6Subnet > 128) invalidOption('ipv6Subnet', `${ipv6Subnet} > 128`, 'Use 48 to 64');
  checkNumber('storeTimeoutMs', storeTimeoutMs, 1);
  for (const layer of definitions) {
    checkNumber('limit', layer.limit, 1);
    checkNumber('windowMs', layer.windowMs, 1000);
    // The memory store sweeps with setInterval, which caps delays at 2^31 - 1 ms (24.8 days).
    if (layer.windowMs > 2_147_483_647) {
      invalidOption(
        'windowMs',
        `${layer.windowMs} ms is over 24 days`,
        'Use a window of 24 days or less',
      );
    }
  }
  if (options.redis !== undefined && typeof options.redis.call !== 'function') {
    invalidOption('redis', 'the client has no `call` method', 'Pass an ioredis Redis client');
  }
  const { logger, account } = options;
  const audit = guardAuditSink(options.audit, logger);
  const metrics: SecurityMetrics | undefined = options.registry
    ? securityMetrics(options.registry)
    : undefined;
  const redisPrefix = options.redisPrefix ?? RATE_LIMIT_DEFAULTS.redisPrefix;

  const accountOf = (req: Request): string | undefined => {
    if (account === undefined) return undefined;
    try {
      const value = account(req);
      return typeof value === 'string' && value.trim() !== '' ? value : undefined;
    } catch {
      // A resolver that throws (e.g. on a missing body) means "no account known".
      return undefined;
    }
  };

  const layers: Layer[] = definitions.map((definition) => {
    let guarded: GuardedStore | undefined;
    let store: Store;
    if (options.redis) {
      guarded = new GuardedStore(
        redisStore(options.redis, `${redisPrefix}${definition.id}:`),
        storeTimeoutMs,
        {
          onRecovered: (failures) =>
            logger?.info(
              { code: SECURITY_ERROR_CODES.STORE_UNAVAILABLE, policy: definition.id, failures },
              'rate-limit store answers again',
            ),
          onInitFailed: (error) =>
            logger?.warn(
              {
                code: SECURITY_ERROR_CODES.STORE_UNAVAILABLE,
                policy: definition.id,
                err: String(error),
              },
              'rate-limit store could not be initialised; requests retry it',
            ),
        },
      );
      store = guarded;
    } else {
      store = new MemoryStore();
    }
    // The store's init only reads windowMs (MemoryStore's sweep interval, Redis key expiry).
    const initialised = store.init?.({ windowMs: definition.windowMs } as StoreOptions);
    if (initialised instanceof Promise) initialised.catch(() => undefined);
    return { ...definition, store, guarded, lastLogMs: 0, suppressed: 0 };
  });

  const refuse = (
    req: Request,
    res: Response,
    layer: Layer,
    state: LimitState,
    name: string | undefined,
  ) => {
    const retryAfter = Math.max(1, resetSeconds(layer.windowMs, state.resetTime));
    metrics?.rateLimited.inc({ policy });
    audit?.record({
      event: 'rate_limited',
      outcome: 'blocked',
      ...(name ? { actor: name.slice(0, AUDIT_ACTOR_MAX) } : {}),
      ...(req.ip ? { ip: req.ip } : {}),
      details: { policy, limit: layer.id },
    });
    sendProblem(res, {
      status: 429,
      title: 'Too Many Requests',
      detail: `More than ${layer.limit} requests in ${windowText(layer.windowMs)} (policy ${layer.id}). Retry after ${retryAfter} s.`,
      headers: { 'Retry-After': String(retryAfter) },
      extensions: { policy: layer.id, retry_after: retryAfter },
    });
  };

  /** Applies failOpen after a store failure; true when the request was answered (503). */
  const storeFailed = (req: Request, res: Response, layer: Layer, error: Error): boolean => {
    const decision = layer.failOpen ? 'fail_open' : 'fail_closed';
    metrics?.storeErrors.inc({ component: 'rate_limit', decision });
    const now = Date.now();
    if (now - layer.lastLogMs >= RATE_LIMIT_DEFAULTS.storeErrorLogIntervalMs) {
      const suppressed = layer.suppressed;
      layer.lastLogMs = now;
      layer.suppressed = 0;
      logger?.error(
        {
          code: SECURITY_ERROR_CODES.STORE_UNAVAILABLE,
          policy: layer.id,
          decision,
          suppressed,
          err: error.message,
        },
        layer.failOpen
          ? 'rate-limit store unavailable: requests pass unlimited until it answers'
          : 'rate-limit store unavailable: requests are refused (503) until it answers',
      );
      audit?.record({
        event: 'rate_limit.store_error',
        outcome: layer.failOpen ? 'failure' : 'blocked',
        ...(req.ip ? { ip: req.ip } : {}),
        details: { policy: layer.id, decision, suppressed },
      });
    } else {
      layer.suppressed++;
    }
    if (layer.failOpen) return false;
    const retryAfter = RATE_LIMIT_DEFAULTS.storeUnavailableRetryAfterSeconds;
    sendProblem(res, {
      status: 503,
      title: 'Service Unavailable',
      detail: `The rate limit of policy ${layer.id} cannot be checked right now, so the request is refused. Retry after ${retryAfter} s.`,
      headers: { 'Retry-After': String(retryAfter) },
      extensions: { policy: layer.id, retry_after: retryAfter },
    });
    return true;
  };

  let trustProxyChecked = !(options.trustProxyCheck ?? true);
  const skip = options.skip;

  const decide = async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    if (!trustProxyChecked) {
      const problem = requestTrustProxyProblem(req.app?.get('trust proxy'), req.headers);
      if (problem !== undefined) {
        trustProxyChecked = true;
        logger?.warn({ code: SECURITY_ERROR_CODES.TRUST_PROXY, policy }, problem);
      }
    }
    if (skip?.(req)) {
      next();
      return;
    }
    const name = accountOf(req);
    const key = clientKey(req.ip, name, ipv6Subnet);
    for (const layer of layers) {
      let hits: { totalHits: number; resetTime: Date | undefined };
      try {
        hits = await layer.store.increment(key);
      } catch (error) {
        if (layer.guarded && isStoreUnavailable(error, layer.guarded)) {
          if (storeFailed(req, res, layer, error)) return;
          continue;
        }
        throw error;
      }
      const state: RateLimitInfo = {
        limit: layer.limit,
        used: hits.totalHits,
        remaining: Math.max(layer.limit - hits.totalHits, 0),
        resetTime: hits.resetTime,
        key,
      };
      (req as Request & { rateLimit?: RateLimitInfo }).rateLimit = state;
      appendDraft8Headers(res, layer.id, layer.windowMs, key, state);
      if (hits.totalHits > layer.limit) {
        refuse(req, res, layer, state, name);
        return;
      }
    }
    next();
  };

  const middleware = (req: Request, res: Response, next: NextFunction): void => {
    decide(req, res, next).catch(next);
  };

  return Object.assign(middleware, {
    policy,
    layers: layers.map(({ id, limit, windowMs }) => ({ id, limit, windowMs })),
    reset: async (req: Request) => {
      const key = clientKey(req.ip, accountOf(req), ipv6Subnet);
      await Promise.all(
        layers.map(async (layer) => {
          try {
            await layer.store.resetKey(key);
          } catch (error) {
            logger?.warn(
              {
                code: SECURITY_ERROR_CODES.STORE_UNAVAILABLE,
                policy: layer.id,
                err: String(error),
              },
              'rate-limit count could not be reset',
            );
          }
        }),
      );
    },
  });
}
