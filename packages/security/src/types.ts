/**
 * Types shared by every part of `@srekit/security`: the authenticated principal, the audit event
 * every part emits, and the small logger and request shapes the middleware relies on.
 */

/**
 * Who made the request, once authenticated. `jwtAuth()` and `sessions()` put it on `req.auth`;
 * `requirePermission()` / `requireRole()` read it.
 */
export interface AuthPrincipal {
  /** Stable subject id (JWT `sub`, the session's user id). */
  readonly subject: string;
  /** Role names, resolved through the RBAC policy's inheritance. */
  readonly roles: readonly string[];
  /** OAuth scopes, when the token carries them. */
  readonly scopes: readonly string[];
  /** Every verified claim (JWT) or the session's data. */
  readonly claims: Readonly<Record<string, unknown>>;
  /** How the principal was established. */
  readonly method: 'jwt' | 'session';
}

/** Names of the security events srekit audits. */
export type AuditEventName =
  | 'login.success'
  | 'login.failure'
  | 'login.locked'
  | 'lockout'
  | 'mfa.success'
  | 'mfa.failure'
  | 'mfa.replay'
  | 'mfa.recovery_code_used'
  | 'token.rejected'
  | 'token.revoked'
  | 'token.refresh_reuse'
  | 'permission.denied'
  | 'rate_limited'
  | 'rate_limit.store_error'
  | 'session.created'
  | 'session.rotated'
  | 'session.revoked'
  | 'session.expired'
  | 'csrf.rejected'
  | 'password.rehashed'
  | 'password.rejected';

/** Outcome of an audited action. */
export type AuditOutcome = 'success' | 'failure' | 'denied' | 'blocked';

/**
 * One audit event. Never put secrets (passwords, tokens, codes, session ids, cookies) in it:
 * `auditLog()` also strips known secret keys from `details` before writing.
 */
export interface AuditEvent {
  readonly event: AuditEventName;
  readonly outcome: AuditOutcome;
  /** Subject or account name the event is about, when known. */
  readonly actor?: string;
  /** Client address (`req.ip`), when the event comes from a request. */
  readonly ip?: string;
  /** Extra, non-secret facts: the policy, the permission, the reason, the token family. */
  readonly details?: Readonly<Record<string, unknown>>;
}

/**
 * Where security parts send audit events. `auditLog()` returns one; tests can pass a recorder.
 * `record` must not throw (a failing sink is the sink's problem, never the request's).
 */
export interface AuditSink {
  record(event: AuditEvent): void;
}

/** The part of a pino logger the security parts use. */
export interface SecurityLogger {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
}

/** The request fields the middleware reads (express's `Request` satisfies it). */
export interface SecurityRequest {
  readonly method: string;
  readonly path?: string;
  readonly originalUrl?: string;
  readonly ip?: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  auth?: AuthPrincipal;
}
