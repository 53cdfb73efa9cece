/**
 * @srekit/security — express security middleware with secure defaults: headers, rate limits,
 * JWT, RBAC, passwords, login throttling, TOTP, sessions and an audit log, every security event
 * visible in metrics and logs.
 *
 * @packageDocumentation
 */
export { SECURITY_DEFAULTS } from './defaults.js';
export type { SecurityErrorCode } from './errors.js';
export { SECURITY_ERROR_CODES } from './errors.js';
export type { SecurityMetrics } from './metrics.js';
export { LABELS, METRICS, securityMetrics } from './metrics.js';
export type { ProblemResponse, SecurityProblem } from './problem.js';
export { sendProblem } from './problem.js';
export type {
  AuditEvent,
  AuditEventName,
  AuditOutcome,
  AuditSink,
  AuthPrincipal,
  SecurityLogger,
  SecurityRequest,
} from './types.js';
