import type { Telemetry } from '@srekit/core';
import type {
  AuditLog,
  JwtAuthMiddleware,
  JwtIssuer,
  LoginThrottle,
  PasswordHasher,
  Rbac,
  Totp,
} from '@srekit/security';
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import type { UserRepository } from './demo-users.js';
import type { FaultInjector } from './faults.js';
import type { InventoryClient } from './inventory-client.js';
import type { OrderRepository } from './order-repository.js';

type Logger = Telemetry['logger'];

/** What the route modules share. */
export interface RouteContext {
  /** Passed to every security part: metrics, logs and audit events. */
  readonly shared: {
    readonly registry: Registry;
    readonly logger: Logger;
    readonly audit: AuditLog;
  };
  /** Shared store of the rate limits when set (a fleet). */
  readonly redis: Redis | undefined;
  readonly faults: FaultInjector;
  readonly authenticate: JwtAuthMiddleware;
  readonly rbac: Rbac;
  readonly users: UserRepository;
  readonly passwords: PasswordHasher;
  readonly throttle: LoginThrottle;
  readonly totp: Totp;
  readonly issuer: JwtIssuer;
  readonly inventory: InventoryClient;
  readonly orders: OrderRepository;
  readonly logger: Logger;
}
