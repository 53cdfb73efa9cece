/**
 * Defaults of `@srekit/security`, one block per part; docs and tests import them from here.
 * Each part adds its block below.
 */
export const SECURITY_DEFAULTS = {
  /** Shortest accepted HMAC secret for HS* JWTs, in bytes (RFC 7518 §3.2: ≥ the hash size). */
  minHmacSecretBytes: 32,
} as const;

/** Defaults of `Rbac`, `requirePermission()` and `requireRole()`. */
export const RBAC_DEFAULTS = {
  /** `WWW-Authenticate` challenge sent with a 401 when `req.auth` is missing (RFC 9110 §11.6.1). */
  wwwAuthenticate: 'Bearer',
  /**
   * Action of the override permission of an ownership check: the principal may act on resources
   * it does not own when it holds `<resource>:<overrideAction>` (e.g. `orders:*`).
   */
  overrideAction: '*',
} as const;

/** Defaults of `sessions()`. */
export const SESSION_DEFAULTS = {
  /** Cookie name without its prefix; the cookie is `__Host-sid`. */
  cookieName: 'sid',
  /** Bytes of randomness in a session id (256 bits; ASVS asks ≥ 128). */
  idBytes: 32,
  /** A session ends after this long without a request (OWASP: 15–30 min for most apps). */
  idleTimeoutMs: 30 * 60 * 1000,
  /** A session ends this long after login, however active (OWASP: 4–8 h). */
  absoluteTimeoutMs: 8 * 60 * 60 * 1000,
  /** Request header carrying the CSRF token on unsafe methods. */
  csrfHeader: 'x-csrf-token',
  /** Form field carrying the CSRF token when the header is absent (needs a body parser first). */
  csrfField: '_csrf',
  /** Methods that never change state and so are not CSRF-checked (RFC 9110 §9.2.1). */
  safeMethods: ['GET', 'HEAD', 'OPTIONS', 'TRACE'],
  /** Prefix of the Redis keys of `RedisSessionStore`. */
  redisPrefix: 'srekit:session:',
  /**
   * How long a store keeps a session past its timeout, so a client coming back just after it
   * expired is told (and audited as `session.expired`) rather than treated as a stranger. The
   * timeouts themselves are enforced exactly by the middleware.
   */
  expiredRetentionMs: 5 * 60 * 1000,
} as const;

/** Defaults of `auditLog()`. */
export const AUDIT_DEFAULTS = {
  /**
   * Key fragments whose values never reach an audit line, matched case-insensitively after
   * dropping `-`, `_` and `.` (so `accessToken`, `x-api-key` and `session_id` are all caught).
   */
  secretKeyFragments: [
    'password',
    'passwd',
    'passphrase',
    'token',
    'secret',
    'otp',
    'cookie',
    'authorization',
    'session',
    'apikey',
    'privatekey',
    'credential',
    'pepper',
    'csrf',
  ],
  /** Keys redacted only when they match exactly (after normalising), since `code` alone is common. */
  secretKeys: [
    'code',
    'authcode',
    'recoverycode',
    'backupcode',
    'mfacode',
    'totpcode',
    'verificationcode',
    'pin',
    'sid',
  ],
  /** Longest string kept in an audit line; longer ones are cut. */
  maxValueLength: 1024,
  /** How deep `details` is walked; deeper values are replaced. */
  maxDepth: 6,
  /** Most items kept of one array in `details`. */
  maxArrayItems: 50,
  /** `prev_hash` of the first event of a chain. */
  genesisHash: '0'.repeat(64),
} as const;

/**
 * `PasswordHasher` defaults: OWASP Password Storage Cheat Sheet (2026) parameters and ASVS 5.0
 * length bounds.
 */
export const PASSWORD_DEFAULTS = {
  /** Hash algorithm. */
  algorithm: 'argon2id',
  /** argon2id memory cost in KiB (19 MiB). */
  argon2MemoryKiB: 19_456,
  /** argon2id passes. */
  argon2TimeCost: 2,
  /** argon2id lanes. */
  argon2Parallelism: 1,
  /** scrypt cost as log2(N): N = 2^17. */
  scryptLogN: 17,
  /** scrypt block size r. */
  scryptBlockSize: 8,
  /** scrypt parallelism p. */
  scryptParallelism: 1,
  /** Shortest accepted password, in Unicode code points (ASVS 5.0 6.2.1). */
  minLength: 8,
  /** Longest accepted password, in code points; longer ones are refused, never truncated. */
  maxLength: 128,
  /** Salt length in bytes. */
  saltBytes: 16,
  /** Derived hash length in bytes. */
  hashBytes: 32,
} as const;

/**
 * `LoginThrottle` defaults. Three subjects: the account seen from one client address (pair), the
 * client address across all accounts (ip), and the account across all addresses (account). Only
 * the last can lock a user out, and only when the failures come from several sources.
 */
export const LOGIN_THROTTLE_DEFAULTS = {
  /** Failures are forgotten once this long passes without a new one. */
  windowSeconds: 900,
  /** Failures of one account from one address before backoff starts. */
  pairFreeFailures: 3,
  /** Failures of one account from one address that lock that pair. */
  pairLockAfter: 10,
  /** Failures from one address (any account) before backoff starts. */
  ipFreeFailures: 10,
  /** Failures from one address (any account) that lock the address. */
  ipLockAfter: 50,
  /** Failures of one account (all addresses) that may lock the account ... */
  accountLockAfter: 20,
  /** ... but only when they came from at least this many distinct sources. */
  accountLockMinSources: 5,
  /** First backoff delay; doubles with each further failure. */
  baseDelaySeconds: 1,
  /** Longest backoff delay. */
  maxDelaySeconds: 900,
  /** How long a lock lasts. */
  lockoutSeconds: 900,
  /** IPv6 addresses are grouped by this prefix length (one host often owns a /64 or /56). */
  ipv6Subnet: 56,
  /** When the store fails: refuse the attempt (`false`) or let it through (`true`). */
  failOpen: false,
  /** Redis store: key prefix. */
  redisPrefix: 'srekit:throttle:',
  /** Redis store: give up on a command after this long (the store's fail-open/closed choice applies). */
  redisTimeoutMs: 500,
} as const;

/** `Totp` defaults (RFC 6238; what authenticator apps expect). */
export const TOTP_DEFAULTS = {
  /** HMAC hash. */
  algorithm: 'SHA1',
  /** Code length. */
  digits: 6,
  /** Time step in seconds. */
  stepSeconds: 30,
  /** Steps accepted either side of the current one (clock drift). */
  window: 1,
  /** Random bytes in a generated secret (160 bits, RFC 4226 §4 R6). */
  secretBytes: 20,
  /** Recovery codes generated per enrolment. */
  recoveryCodes: 10,
  /** Random bytes per recovery code (120 bits: SHA-256 is an adequate hash at ≥ 112 bits). */
  recoveryCodeBytes: 15,
  /** Redis store: key prefix. */
  redisPrefix: 'srekit:totp:',
  /** Redis store: give up on a command after this long (verification then fails closed). */
  redisTimeoutMs: 500,
} as const;

/**
 * Content-Security-Policy directives of the `web` preset of `securityHeaders()`: same-origin
 * resources only, no plugins, no `<base>` rewriting, no framing, no inline script attributes.
 * ASVS 5.0 3.4.3 asks for `object-src 'none'` and `base-uri 'none'`; `frame-ancestors 'none'`
 * makes clickjacking impossible in every browser that reads CSP.
 */
export const WEB_CSP_DIRECTIVES: Readonly<Record<string, readonly string[]>> = {
  'default-src': ["'self'"],
  'base-uri': ["'none'"],
  'frame-ancestors': ["'none'"],
  'object-src': ["'none'"],
  'form-action': ["'self'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'font-src': ["'self'"],
  'connect-src': ["'self'"],
  'upgrade-insecure-requests': [],
};

/**
 * Content-Security-Policy directives of the `api` preset: a JSON response loads nothing, has no
 * document base and may not be framed.
 */
export const API_CSP_DIRECTIVES: Readonly<Record<string, readonly string[]>> = {
  'default-src': ["'none'"],
  'base-uri': ["'none'"],
  'frame-ancestors': ["'none'"],
};

/**
 * Browser features the default `Permissions-Policy` turns off (`feature=()`): the powerful ones
 * (devices, sensors, payment, screen capture) and ad tracking. `publickey-credentials-get`
 * (WebAuthn) and `fullscreen` stay allowed: login pages and video players need them.
 */
export const DISABLED_BROWSER_FEATURES: readonly string[] = [
  'accelerometer',
  'bluetooth',
  'browsing-topics',
  'camera',
  'display-capture',
  'geolocation',
  'gyroscope',
  'hid',
  'idle-detection',
  'magnetometer',
  'microphone',
  'midi',
  'payment',
  'screen-wake-lock',
  'serial',
  'usb',
  'xr-spatial-tracking',
];

/** Defaults of `securityHeaders()`. */
export const HEADER_DEFAULTS = {
  /** Preset when none is given. */
  preset: 'web',
  /** `Strict-Transport-Security` max-age: one year, the HSTS preload list's minimum. */
  hstsMaxAgeSeconds: 31_536_000,
  /** HSTS covers subdomains (a cookie set on a subdomain cannot be stripped of TLS). */
  hstsIncludeSubDomains: true,
  /** HSTS `preload` is opt-in: submitting a domain to the preload list is hard to undo. */
  hstsPreload: false,
  /** `Referrer-Policy`. */
  referrerPolicy: 'strict-origin-when-cross-origin',
  /** `Cross-Origin-Opener-Policy`. */
  crossOriginOpenerPolicy: 'same-origin',
  /** `Cross-Origin-Resource-Policy`. */
  crossOriginResourcePolicy: 'same-origin',
  /** `Cache-Control: no-store` on every response: on for `api` (personal data), off for `web`. */
  noStore: { api: true, web: false },
} as const;

/** One rate-limit preset: `limit` requests per `windowMs` per client. */
export interface RateLimitPresetDefinition {
  readonly limit: number;
  readonly windowMs: number;
  /**
   * When the store (Redis) fails: `true` lets the request through, `false` answers 503. Presets
   * that guard credentials fail closed: an outage must not open an unlimited guessing window.
   */
  readonly failOpen: boolean;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/**
 * The rate-limit presets of `rateLimit(preset)`. `global` is two limiters in one middleware
 * (50 per hour and 200 per day), see `GLOBAL_RATE_LIMIT_LAYERS`.
 */
export const RATE_LIMIT_PRESETS = {
  login: { limit: 5, windowMs: MINUTE_MS, failOpen: false },
  register: { limit: 3, windowMs: HOUR_MS, failOpen: false },
  passwordReset: { limit: 3, windowMs: HOUR_MS, failOpen: false },
  otp: { limit: 5, windowMs: 5 * MINUTE_MS, failOpen: false },
  api: { limit: 60, windowMs: MINUTE_MS, failOpen: true },
  upload: { limit: 10, windowMs: HOUR_MS, failOpen: true },
  report: { limit: 20, windowMs: HOUR_MS, failOpen: true },
} as const satisfies Record<string, RateLimitPresetDefinition>;

/** The layers of `rateLimit('global')`, shortest window first; both must admit a request. */
export const GLOBAL_RATE_LIMIT_LAYERS = [
  { id: 'global-1h', limit: 50, windowMs: HOUR_MS, failOpen: true },
  { id: 'global-1d', limit: 200, windowMs: DAY_MS, failOpen: true },
] as const;

/** Defaults of `rateLimit()`. */
export const RATE_LIMIT_DEFAULTS = {
  /** IPv6 clients are keyed by their /56 (one customer site, RIPE-690). */
  ipv6Subnet: 56,
  /** Redis key prefix; the policy and a colon follow: `srekit:rl:login:`. */
  redisPrefix: 'srekit:rl:',
  /** Longest wait for one store call before the fail-open/closed decision applies. */
  storeTimeoutMs: 500,
  /** `Retry-After` of a fail-closed 503 while the store is down. */
  storeUnavailableRetryAfterSeconds: 5,
  /** At most one store-error log line per limiter per this many ms (the metric counts all). */
  storeErrorLogIntervalMs: 10_000,
} as const;

/** Defaults of `JwtVerifier`, `jwtAuth()` and `JwtIssuer`. */
export const JWT_DEFAULTS = {
  /** `typ` header of access tokens (RFC 9068 §2.1). */
  accessTokenType: 'at+jwt',
  /** `typ` header of refresh tokens: anything but `at+jwt`, so one can never pass for the other. */
  refreshTokenType: 'refresh+jwt',
  /** Clock skew accepted on `exp`, `nbf` and `iat`, in seconds. */
  clockToleranceSeconds: 30,
  /** Longest accepted token in bytes, checked before any parsing. */
  maxTokenBytes: 8192,
  /** Claim holding the principal's roles (a dot path such as `realm_access.roles` works too). */
  rolesClaim: 'roles',
  /** `realm` of the `WWW-Authenticate: Bearer` challenge. */
  realm: 'api',
  /** Longest `kid` accepted; longer ones are refused before any key lookup. */
  maxKidLength: 128,
  /** A fetched JWKS is refetched once it is older than this, in seconds. */
  jwksCacheMaxAgeSeconds: 600,
  /** At most one JWKS refetch per this many seconds for unknown `kid`s. */
  jwksCooldownSeconds: 30,
  /** A key gone from a refetched JWKS is still accepted for this many seconds (rotation overlap). */
  jwksRotationOverlapSeconds: 600,
  /** Time limit of one JWKS fetch, in milliseconds. */
  jwksTimeoutMs: 5000,
  /** Largest JWKS response accepted, in bytes. */
  jwksMaxBytes: 512 * 1024,
  /** Lifetime of an access token issued by `JwtIssuer`, in seconds (15 minutes). */
  accessTokenTtlSeconds: 900,
  /** Lifetime of a refresh token issued by `JwtIssuer`, in seconds (14 days). */
  refreshTokenTtlSeconds: 14 * 24 * 3600,
  /** Redis key prefix of `RedisRevocationStore`. */
  revocationRedisPrefix: 'srekit:jwt:revoked:',
  /** Time limit of one `RedisRevocationStore` command, in milliseconds. */
  revocationRedisTimeoutMs: 500,
  /** Redis key prefix of `RedisRefreshTokenStore`. */
  refreshRedisPrefix: 'srekit:jwt:refresh:',
  /** Time limit of one `RedisRefreshTokenStore` command, in milliseconds. */
  refreshRedisTimeoutMs: 500,
} as const;
