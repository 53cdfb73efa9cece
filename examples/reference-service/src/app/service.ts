import { createPublicKey } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createTelemetry, type LoggingOptions, type Telemetry } from '@srekit/core';
import {
  type AuditLog,
  auditLog,
  type JsonWebKeySet,
  JwtIssuer,
  jwtAuth,
  LoginThrottle,
  MemoryRefreshTokenStore,
  MemoryRevocationStore,
  MemoryThrottleStore,
  MemoryTotpStore,
  PasswordHasher,
  Rbac,
  RedisRefreshTokenStore,
  RedisRevocationStore,
  RedisThrottleStore,
  RedisTotpStore,
  securityHeaders,
  Totp,
} from '@srekit/security';
import { loadSloSpecs, SloTracker, sloMiddleware } from '@srekit/slo';
import express, { type Express, type Request, type Response } from 'express';
import { Redis } from 'ioredis';
import type { InstanceConfig } from '../config.js';
import { adminRoutes } from './admin-routes.js';
import { authRoutes } from './auth-routes.js';
import type { RouteContext } from './context.js';
import { DemoUserRepository, type UserRepository } from './demo-users.js';
import { FaultInjector } from './faults.js';
import { InventoryClient } from './inventory-client.js';
import { DEV_KEY_WARNING, resolveSigningKey } from './jwt-keys.js';
import { MemoryOrderRepository, type OrderRepository } from './order-repository.js';
import { orderRoutes } from './order-routes.js';
import { RedisOrderRepository } from './redis-order-repository.js';
import { SecurityCounters } from './security-counters.js';

/** The SLO spec files the tracker reads (the same ones `srekit generate` turns into rules). */
export const SLO_FILES = ['orders-availability.sloth.yaml', 'orders-latency.openslo.yaml'].map(
  (file) => fileURLToPath(new URL(`../../slos/${file}`, import.meta.url)),
);

/** SLO ids of the specs, as the tracker knows them. */
export const SLO_IDS = {
  apiAvailability: 'orders-api-availability',
  loginAvailability: 'orders-login-availability',
  apiLatency: 'orders-api-latency',
} as const;

/** Latency threshold of `orders-api-latency` (the 0.25 s bucket its SLI reads). */
export const API_LATENCY_THRESHOLD_SECONDS = 0.25;

/** JWT issuer and audience of the reference service's tokens. */
export const TOKEN_ISSUER = 'urn:srekit:reference-service';
export const TOKEN_AUDIENCE = 'orders-api';

/** Roles and their permissions. */
export const RBAC_ROLES = {
  viewer: { permissions: ['orders:read', 'orders:create'] },
  operator: { inherits: ['viewer'], permissions: ['orders:cancel'] },
  admin: { inherits: ['operator'], permissions: ['orders:*', 'faults:write'] },
} as const;

/** Options of {@link createService} that are not configuration (tests, embedding). */
export interface ServiceOptions {
  /** Log level (pino). Default `LOG_LEVEL`, else `info`. */
  readonly logLevel?: NonNullable<LoggingOptions['level']>;
  /** Where the dev-key warning goes. Default standard error. */
  readonly warn?: (message: string) => void;
}

/** The wired service: the express app and the parts a test or the instance program uses. */
export interface Service {
  readonly app: Express;
  readonly telemetry: Telemetry;
  readonly tracker: SloTracker;
  readonly audit: AuditLog;
  readonly faults: FaultInjector;
  readonly inventory: InventoryClient;
  readonly orders: OrderRepository;
  readonly issuer: JwtIssuer;
  /** Readiness off, drain requests, then stop the pool, the tracker and Redis. */
  close(): Promise<void>;
}

/** Wires the orders API with every srekit package. */
export async function createService(
  config: InstanceConfig,
  options: ServiceOptions = {},
): Promise<Service> {
  const startedAt = Date.now();
  const telemetry = createTelemetry({
    serviceName: 'orders',
    serviceVersion: config.version,
    logging: options.logLevel !== undefined ? { level: options.logLevel } : {},
    shutdown: { drainTimeoutMs: 10_000 },
  });
  const logger = telemetry.logger.child({ instance: config.instanceId });
  const registry = telemetry.registry;
  const audit = auditLog({ logger: telemetry.logger, chain: true });
  const counters = new SecurityCounters(audit);
  const shared = { registry, logger: telemetry.logger, audit };

  const redis =
    config.redisUrl !== undefined
      ? new Redis(config.redisUrl, {
          maxRetriesPerRequest: 1,
          connectTimeout: 2_000,
          // A stalled Redis (paused, partitioned) fails a command in 1 s instead of holding the
          // request: the stores then fail open or closed as configured.
          commandTimeout: 1_000,
        })
      : undefined;
  redis?.on('error', (error: unknown) => logger.warn({ err: error }, 'redis error'));

  const signing = resolveSigningKey(config.jwtPrivateKey);
  if (signing.generated) {
    (options.warn ?? ((m: string) => process.stderr.write(`${m}\n`)))(DEV_KEY_WARNING);
    logger.warn('JWT_PRIVATE_KEY is not set: signing with a development key generated at start');
  }
  // Sign with the `kid` the configured JWKS gives this key, so that other verifiers find it.
  const publicJwk = createPublicKey(signing.key).export({ format: 'jwk' }) as Record<
    string,
    unknown
  >;
  const configuredKid = config.jwtPublicJwks?.keys.find(
    (k) => k.x === publicJwk.x && k.y === publicJwk.y && k.n === publicJwk.n,
  )?.kid;
  const revocation = redis ? new RedisRevocationStore(redis) : new MemoryRevocationStore();
  const issuer = new JwtIssuer({
    algorithm: signing.algorithm,
    key: signing.key,
    ...(typeof configuredKid === 'string' ? { kid: configuredKid } : {}),
    issuer: TOKEN_ISSUER,
    audience: TOKEN_AUDIENCE,
    refreshStore: redis ? new RedisRefreshTokenStore(redis) : new MemoryRefreshTokenStore(),
    revocation,
    ...shared,
  });
  const own = issuer.publicJwks().keys;
  const given = config.jwtPublicJwks?.keys ?? [];
  const jwks = {
    keys: [...given, ...own.filter((k) => !given.some((g) => g.kid === k.kid))],
  };
  const authenticate = jwtAuth({
    algorithms: [signing.algorithm],
    issuer: TOKEN_ISSUER,
    audience: TOKEN_AUDIENCE,
    jwks: jwks as JsonWebKeySet,
    revocation,
    ...shared,
  });

  const passwords = new PasswordHasher({ registry, logger: telemetry.logger });
  const users: UserRepository = await DemoUserRepository.create(passwords, config.demoTotpSeed);
  const throttle = new LoginThrottle({
    store: redis ? new RedisThrottleStore(redis) : new MemoryThrottleStore(),
    ...shared,
  });
  const totp = new Totp({
    issuer: 'srekit orders',
    store: redis ? new RedisTotpStore(redis) : new MemoryTotpStore(),
    ...shared,
  });
  const rbac = new Rbac({ roles: RBAC_ROLES });

  const tracker = new SloTracker(await loadSloSpecs(SLO_FILES), {
    registry,
    logger: telemetry.logger,
  });
  const faults = new FaultInjector();
  const inventory = new InventoryClient(config.inventoryUrls, { registry });
  // With Redis the fleet shares its orders; in memory each instance keeps its own.
  const orders = redis ? new RedisOrderRepository(redis) : new MemoryOrderRepository();

  const app = express();
  app.disable('x-powered-by');
  // Behind the engine proxy on loopback: req.ip is the client it forwards for.
  app.set('trust proxy', 'loopback');
  app.use(telemetry.middleware());
  app.use(securityHeaders({ preset: 'api' }));
  app.get('/metrics', telemetry.metricsHandler());
  app.get('/livez', telemetry.health.liveness());
  app.get('/readyz', telemetry.health.readiness());
  app.get('/startupz', telemetry.health.startup());
  if (redis !== undefined) {
    telemetry.health.register('redis', async () => (await redis.ping()) === 'PONG', {
      timeoutMs: 500,
    });
  }
  telemetry.health.register(
    'inventory',
    () => {
      const up = inventory.pool.pick() !== undefined;
      return { status: up ? 'pass' : 'warn' };
    },
    { critical: false },
  );

  app.get('/status.json', (_req, res) => {
    res.setHeader('cache-control', 'no-store');
    res.json({
      instance: config.instanceId,
      version: config.version,
      uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
      slos: tracker.statuses(),
      faults: faults.list(),
      security: counters.snapshot(),
    });
  });
  app.get('/.well-known/jwks.json', (_req, res) => {
    res.json(issuer.publicJwks());
  });

  // SLOs: only requests that matched a route count, as in the specs' `http_route` selectors.
  const matched = (req: Request): boolean => req.route !== undefined;
  app.use(
    '/api',
    sloMiddleware<Request, Response>(tracker, {
      sloId: SLO_IDS.apiAvailability,
      isGood: ({ req, statusCode }) => (matched(req) ? statusCode < 500 : undefined),
    }),
    sloMiddleware<Request, Response>(tracker, {
      sloId: SLO_IDS.apiLatency,
      isGood: ({ req, durationSeconds }) =>
        matched(req) ? durationSeconds <= API_LATENCY_THRESHOLD_SECONDS : undefined,
    }),
  );
  app.use(
    '/auth/login',
    sloMiddleware<Request, Response>(tracker, {
      sloId: SLO_IDS.loginAvailability,
      isGood: ({ req, statusCode }) => (matched(req) ? statusCode < 500 : undefined),
    }),
  );
  app.use(express.json({ limit: '16kb' }));

  const context: RouteContext = {
    shared,
    redis,
    faults,
    authenticate,
    rbac,
    users,
    passwords,
    throttle,
    totp,
    issuer,
    inventory,
    orders,
    logger,
  };
  app.use(authRoutes(context));
  app.use(orderRoutes(context));
  app.use(adminRoutes(context));
  app.use(telemetry.errorHandler());

  let closing: Promise<void> | undefined;
  return {
    app,
    telemetry,
    tracker,
    audit,
    faults,
    inventory,
    orders,
    issuer,
    close: () => {
      closing ??= (async () => {
        // Drain first: requests held by a latency fault finish their wait and are answered;
        // closing the faults before would cancel their timers and leave them hanging.
        await telemetry.shutdown();
        faults.close();
        await inventory.close();
        tracker.close();
        counters.close();
        redis?.disconnect();
      })();
      return closing;
    },
  };
}
