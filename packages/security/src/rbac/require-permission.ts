import { routeTemplate } from '@srekit/core';
import type { Registry } from 'prom-client';
import { guardAuditSink } from '../audit/guard-sink.js';
import { RBAC_DEFAULTS } from '../defaults.js';
import { invalidOption } from '../errors.js';
import { securityMetrics } from '../metrics.js';
import { type ProblemResponse, sendProblem } from '../problem.js';
import type { AuditSink, SecurityLogger, SecurityRequest } from '../types.js';
import { parsePermission } from './permission.js';
import type { Rbac } from './rbac.js';

/** The request fields the authorisation middleware reads (express's `Request` satisfies it). */
export interface AuthzRequest extends SecurityRequest {
  /** Route parameters (`req.params.id`), for the ownership hook. */
  readonly params: Readonly<Record<string, string>>;
  route?: { path: unknown };
  baseUrl?: string;
}

/** An express-style middleware. */
export type AuthzMiddleware<Req extends AuthzRequest = AuthzRequest> = (
  req: Req,
  res: ProblemResponse,
  next: (error?: unknown) => void,
) => void;

/** Options shared by {@link requirePermission} and {@link requireRole}. */
export interface AuthzOptions {
  /** The policy that resolves the principal's roles. */
  readonly rbac: Rbac;
  /**
   * The `WWW-Authenticate` challenge of a 401 (RFC 9110 requires one). Default
   * `RBAC_DEFAULTS.wwwAuthenticate` (`Bearer`); set e.g. `Bearer realm="orders"`.
   */
  readonly wwwAuthenticate?: string;
  /** Core's `telemetry.registry`: refusals count in `security_authz_denied_total{permission}`. */
  readonly registry?: Registry;
  /** Where failures of the ownership hook are reported. */
  readonly logger?: SecurityLogger;
  /** Where `permission.denied` events go (e.g. `auditLog()`). */
  readonly audit?: AuditSink;
}

/** Options of {@link requirePermission}. */
export interface RequirePermissionOptions<Req extends AuthzRequest = AuthzRequest>
  extends AuthzOptions {
  /**
   * Data-level check against insecure direct object references (IDOR): resolves the subject
   * that owns the resource the request is about, or `undefined` when there is none. The request
   * passes only when the principal is that owner or holds `overridePermission`. A resource
   * without an owner (not found) is refused like someone else's, so the answer does not reveal
   * which ids exist.
   */
  readonly owner?: (req: Req) => string | undefined | Promise<string | undefined>;
  /**
   * The permission that lets a principal act on resources it does not own. Default
   * `<resource>:*` (`orders:*` for `orders:read`).
   */
  readonly overridePermission?: string;
}

function forbidden(res: ProblemResponse, detail: string): void {
  sendProblem(res, { status: 403, title: 'Forbidden', detail });
}

function unauthenticated(res: ProblemResponse, challenge: string): void {
  sendProblem(res, {
    status: 401,
    title: 'Unauthorized',
    detail: 'This resource needs an authenticated principal.',
    headers: { 'WWW-Authenticate': challenge },
  });
}

function denyReporter(options: AuthzOptions) {
  const metrics = options.registry === undefined ? undefined : securityMetrics(options.registry);
  const audit = guardAuditSink(options.audit, options.logger);
  return (req: AuthzRequest, label: string, details: Record<string, string>): void => {
    metrics?.authzDenied.inc({ permission: label });
    audit?.record({
      event: 'permission.denied',
      outcome: 'denied',
      ...(req.auth?.subject !== undefined ? { actor: req.auth.subject } : {}),
      ...(req.ip !== undefined ? { ip: req.ip } : {}),
      details: { ...details, method: req.method, route: routeTemplate(req) ?? '(unmatched)' },
    });
  };
}

/**
 * Express middleware that lets a request through only when `req.auth` (set by `jwtAuth()` or
 * `sessions()`) holds `permission` through the RBAC policy, and, with `owner`, only for the
 * principal's own resources unless it holds the override permission.
 *
 * Answers 401 (problem+json with `WWW-Authenticate`) when there is no principal and 403 when
 * it is not allowed; each 403 counts in `security_authz_denied_total{permission}` and is
 * audited as `permission.denied` with the actor, permission and route template. An `owner`
 * hook that throws is logged and answered 503: the request is never let through unchecked.
 *
 * Throws `ERR_SREKIT_SECURITY_INVALID_OPTION` at construction for a malformed permission.
 *
 * @example
 * ```ts
 * app.delete('/orders/:id', requirePermission('orders:delete', { rbac, registry, audit }));
 * app.get(
 *   '/orders/:id',
 *   requirePermission('orders:read', { rbac, owner: async (req) => (await db.order(req.params.id))?.userId }),
 * );
 * ```
 */
export function requirePermission<Req extends AuthzRequest = AuthzRequest>(
  permission: string,
  options: RequirePermissionOptions<Req>,
): AuthzMiddleware<Req> {
  const parsed = parsePermission(permission);
  if (parsed === undefined) {
    invalidOption(
      'requirePermission(permission)',
      `"${String(permission)}" is not a \`resource:action\` permission`,
      'Use lower-case `resource:action`, e.g. `orders:delete`',
    );
  }
  const { rbac, owner } = requireRbac(options, 'requirePermission');
  const override =
    options.overridePermission ?? `${parsed.resource}:${RBAC_DEFAULTS.overrideAction}`;
  if (owner !== undefined && parsePermission(override) === undefined) {
    invalidOption(
      'requirePermission.overridePermission',
      `"${override}" is not a permission`,
      'Use `resource:action`',
    );
  }
  if (!rbac.roles.some((role) => rbac.can([role], permission))) {
    options.logger?.warn(
      { permission },
      `requirePermission: no role of the policy grants ${permission}; every request to this route will be refused`,
    );
  }
  const challenge = options.wwwAuthenticate ?? RBAC_DEFAULTS.wwwAuthenticate;
  const deny = denyReporter(options);

  return (req, res, next) => {
    const principal = req.auth;
    if (principal === undefined) {
      unauthenticated(res, challenge);
      return;
    }
    if (!rbac.can(principal.roles, permission)) {
      deny(req, permission, { permission, reason: 'missing_permission' });
      forbidden(res, `The principal does not hold the permission ${permission}.`);
      return;
    }
    if (owner === undefined) {
      next();
      return;
    }
    let resolved: Promise<string | undefined>;
    try {
      resolved = Promise.resolve(owner(req));
    } catch (error) {
      resolved = Promise.reject(error);
    }
    resolved.then(
      (ownerSubject) => {
        if (ownerSubject !== undefined && ownerSubject === principal.subject) return next();
        if (rbac.can(principal.roles, override)) return next();
        deny(req, permission, { permission, reason: 'not_owner' });
        forbidden(
          res,
          `The principal does not hold the permission ${permission} on this resource.`,
        );
      },
      (error: unknown) => {
        options.logger?.error(
          { err: { name: (error as Error)?.name, message: (error as Error)?.message }, permission },
          'requirePermission: the owner hook failed; the request was refused',
        );
        sendProblem(res, {
          status: 503,
          title: 'Service Unavailable',
          detail: 'Access to this resource could not be checked. Try again later.',
        });
      },
    );
  };
}

/**
 * Express middleware that lets a request through only when `req.auth` has `role` or a role that
 * inherits it in the policy (an `admin` that inherits `viewer` passes `requireRole('viewer')`).
 * 401 without a principal, 403 otherwise (counted as `security_authz_denied_total{permission="role:<role>"}`
 * and audited as `permission.denied`). Prefer {@link requirePermission}: permissions survive
 * role reshuffles.
 *
 * Throws `ERR_SREKIT_SECURITY_INVALID_OPTION` at construction when the policy does not define `role`.
 *
 * @example
 * ```ts
 * app.use('/admin', requireRole('admin', { rbac }));
 * ```
 */
export function requireRole<Req extends AuthzRequest = AuthzRequest>(
  role: string,
  options: AuthzOptions,
): AuthzMiddleware<Req> {
  const { rbac } = requireRbac(options, 'requireRole');
  if (!rbac.hasRoleDefined(role)) {
    invalidOption(
      'requireRole(role)',
      `the policy does not define the role "${String(role)}"`,
      `Use one of: ${rbac.roles.join(', ')}`,
    );
  }
  const challenge = options.wwwAuthenticate ?? RBAC_DEFAULTS.wwwAuthenticate;
  const deny = denyReporter(options);
  const label = `role:${role}`;
  return (req, res, next) => {
    const principal = req.auth;
    if (principal === undefined) {
      unauthenticated(res, challenge);
      return;
    }
    if (!rbac.hasRole(principal.roles, role)) {
      deny(req, label, { role, reason: 'missing_role' });
      forbidden(res, `The principal does not have the role ${role}.`);
      return;
    }
    next();
  };
}

function requireRbac<T extends AuthzOptions>(options: T, name: string): T {
  if (options === undefined || typeof options.rbac?.can !== 'function') {
    invalidOption(
      `${name}.rbac`,
      'no Rbac policy was given',
      `Pass \`${name}(…, { rbac: new Rbac(policy) })\``,
    );
  }
  return options;
}
