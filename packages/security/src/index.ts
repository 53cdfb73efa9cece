/**
 * @srekit/security — express security middleware with secure defaults: headers, rate limits,
 * strict JWT, RBAC, passwords, login throttling, TOTP, sessions with CSRF protection and an audit
 * log, every security event visible in metrics and logs.
 *
 * @packageDocumentation
 */
export type {
  AuditChainBreak,
  AuditChainVerdict,
  ChainLink,
  VerifyAuditChainOptions,
} from './audit/audit-chain.js';
export { GENESIS_HASH, verifyAuditChain } from './audit/audit-chain.js';
export type {
  AuditLog,
  AuditLogOptions,
  AuditRecord,
  AuditSubscription,
} from './audit/audit-log.js';
export { auditLog } from './audit/audit-log.js';
export type { RateLimitPresetDefinition } from './defaults.js';
export {
  API_CSP_DIRECTIVES,
  AUDIT_DEFAULTS,
  DISABLED_BROWSER_FEATURES,
  GLOBAL_RATE_LIMIT_LAYERS,
  HEADER_DEFAULTS,
  JWT_DEFAULTS,
  LOGIN_THROTTLE_DEFAULTS,
  PASSWORD_DEFAULTS,
  RATE_LIMIT_DEFAULTS,
  RATE_LIMIT_PRESETS,
  RBAC_DEFAULTS,
  SECURITY_DEFAULTS,
  SESSION_DEFAULTS,
  TOTP_DEFAULTS,
  WEB_CSP_DIRECTIVES,
} from './defaults.js';
export type { SecurityErrorCode } from './errors.js';
export { SECURITY_ERROR_CODES } from './errors.js';
export type { PermissionsPolicyDirectives } from './headers/permissions-policy.js';
export { permissionsPolicyHeader } from './headers/permissions-policy.js';
export type {
  CspDirectives,
  HeaderMiddleware,
  HeaderPreset,
  HstsOptions,
  SecurityHeadersMiddleware,
  SecurityHeadersOptions,
} from './headers/security-headers.js';
export { securityHeaders } from './headers/security-headers.js';
export type { JwtAlgorithm } from './jwt/algorithms.js';
export { JWT_ALGORITHMS } from './jwt/algorithms.js';
export type { JwtAuthBehaviour, JwtAuthMiddleware, JwtAuthOptions } from './jwt/jwt-auth.js';
export { jwtAuth } from './jwt/jwt-auth.js';
export type { JwtIssuerOptions, RotateFailure, RotateResult, TokenPair } from './jwt/jwt-issuer.js';
export { JwtIssuer } from './jwt/jwt-issuer.js';
export type { JwksInput, JwtVerifierOptions, JwtVerifyResult } from './jwt/jwt-verifier.js';
export { DEFAULT_KID_PATTERN, JwtVerifier } from './jwt/jwt-verifier.js';
export type { JsonWebKeySet } from './jwt/key-set.js';
export { principalFromClaims } from './jwt/principal.js';
export type { RedisRefreshTokenStoreOptions } from './jwt/redis-refresh-token-store.js';
export { RedisRefreshTokenStore } from './jwt/redis-refresh-token-store.js';
export type { RedisRevocationStoreOptions } from './jwt/redis-revocation-store.js';
export { RedisRevocationStore } from './jwt/redis-revocation-store.js';
export type {
  MemoryRefreshTokenStoreOptions,
  RefreshConsumeOutcome,
  RefreshTokenStore,
  TrackedAccessToken,
} from './jwt/refresh-token-store.js';
export { MemoryRefreshTokenStore } from './jwt/refresh-token-store.js';
export type { JwtRejectionReason } from './jwt/rejection.js';
export { JWT_REJECTION_REASONS } from './jwt/rejection.js';
export type { MemoryRevocationStoreOptions, RevocationStore } from './jwt/revocation-store.js';
export { MemoryRevocationStore } from './jwt/revocation-store.js';
export type { SecurityMetrics } from './metrics.js';
export { LABELS, METRICS, securityMetrics } from './metrics.js';
export { COMMON_PASSWORDS, isCommonPassword } from './password/common-passwords.js';
export type {
  Argon2Parameters,
  HashOptions,
  PasswordHasherOptions,
  PasswordPepper,
  ScryptParameters,
} from './password/password-hasher.js';
export {
  isPasswordPolicyError,
  PasswordHasher,
  PasswordPolicyError,
} from './password/password-hasher.js';
export type { PasswordProblem, PasswordProblemCode } from './password/policy.js';
export type { ProblemResponse, SecurityProblem } from './problem.js';
export { sendProblem } from './problem.js';
export type { AccountResolver } from './rate-limit/client-key.js';
export type { RedisCommandClient } from './rate-limit/guarded-store.js';
export type {
  RateLimitMiddleware,
  RateLimitOptions,
  RateLimitPreset,
} from './rate-limit/rate-limit.js';
export { rateLimit } from './rate-limit/rate-limit.js';
export type {
  CheckTrustProxyOptions,
  TrustProxyApp,
  TrustProxyCheck,
} from './rate-limit/trust-proxy.js';
export { checkTrustProxy } from './rate-limit/trust-proxy.js';
export type { RbacPolicy, RoleDefinition } from './rbac/rbac.js';
export { Rbac } from './rbac/rbac.js';
export type {
  AuthzMiddleware,
  AuthzOptions,
  AuthzRequest,
  RequirePermissionOptions,
} from './rbac/require-permission.js';
export { requirePermission, requireRole } from './rbac/require-permission.js';
export type { MemorySessionStoreOptions } from './session/memory-session-store.js';
export { MemorySessionStore } from './session/memory-session-store.js';
export type { RedisSessionStoreOptions } from './session/redis-session-store.js';
export { RedisSessionStore } from './session/redis-session-store.js';
export type { Session, SessionLoginOptions } from './session/session.js';
export type { SessionRecord, SessionSetOptions, SessionStore } from './session/session-store.js';
export type {
  CsrfOptions,
  SessionsMiddleware,
  SessionsOptions,
  SessionsRequest,
  SessionsResponse,
} from './session/sessions.js';
export { sessions } from './session/sessions.js';
export type {
  LoginAttempt,
  LoginRequest,
  LoginThrottleMiddlewareOptions,
  LoginThrottleOptions,
  ThrottleDecision,
  ThrottleReason,
} from './throttle/login-throttle.js';
export { LoginThrottle } from './throttle/login-throttle.js';
export type { RedisThrottleStoreOptions } from './throttle/redis-throttle-store.js';
export { RedisThrottleStore } from './throttle/redis-throttle-store.js';
export type {
  ThrottleCounter,
  ThrottleKeys,
  ThrottleScope,
  ThrottleState,
  ThrottleStore,
} from './throttle/throttle-store.js';
export { MemoryThrottleStore } from './throttle/throttle-store.js';
export { base32Decode, base32Encode } from './totp/base32.js';
export type {
  GenerateTotpOptions,
  HotpOptions,
  OtpAlgorithm,
  OtpSecret,
  TotpUriOptions,
} from './totp/otp.js';
export {
  generateTotp,
  generateTotpSecret,
  hotp,
  totpUri,
} from './totp/otp.js';
export { generateRecoveryCodes, hashRecoveryCode } from './totp/recovery-codes.js';
export type { RedisTotpStoreOptions } from './totp/redis-totp-store.js';
export { RedisTotpStore } from './totp/redis-totp-store.js';
export type {
  MfaContext,
  RecoveryCodeVerification,
  TotpFailureReason,
  TotpOptions,
  TotpVerification,
} from './totp/totp.js';
export { Totp } from './totp/totp.js';
export type { TotpStore } from './totp/totp-store.js';
export { MemoryTotpStore } from './totp/totp-store.js';
export type {
  AuditEvent,
  AuditEventName,
  AuditOutcome,
  AuditSink,
  AuthPrincipal,
  SecurityLogger,
  SecurityRequest,
} from './types.js';
