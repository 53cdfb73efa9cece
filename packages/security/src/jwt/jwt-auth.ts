import type { Registry } from 'prom-client';
import { guardAuditSink } from '../audit/guard-sink.js';
import { JWT_DEFAULTS } from '../defaults.js';
import { type SecurityMetrics, securityMetrics } from '../metrics.js';
import { type ProblemResponse, sendProblem } from '../problem.js';
import type { AuditSink, SecurityLogger, SecurityRequest } from '../types.js';
import { JwtVerifier, type JwtVerifierOptions } from './jwt-verifier.js';
import { principalFromClaims } from './principal.js';
import type { JwtRejectionReason } from './rejection.js';

/** How `jwtAuth()` behaves around the verifier. */
export interface JwtAuthBehaviour {
  /** Answer 401 when no bearer token is sent (`true`), or pass the request on without `req.auth`. Default `true`. A bad token is always a 401. */
  readonly credentialsRequired?: boolean;
  /** Claim (or dot path) holding the roles. Default `roles`. */
  readonly rolesClaim?: string;
  /** `realm` of the `WWW-Authenticate` challenge. Default `api`. */
  readonly realm?: string;
  /** Where `token.rejected` events go. */
  readonly audit?: AuditSink;
  /** Registry to count in (core's `telemetry.registry`). */
  readonly registry?: Registry;
  /** Logger for unexpected failures. */
  readonly logger?: SecurityLogger;
}

/** Options of {@link jwtAuth}: the verifier's options, or a verifier built already. */
export type JwtAuthOptions = JwtAuthBehaviour &
  (JwtVerifierOptions | { readonly verifier: JwtVerifier });

/** The middleware `jwtAuth()` returns (an express `RequestHandler`). */
export type JwtAuthMiddleware = (
  req: SecurityRequest,
  res: ProblemResponse,
  next: (error?: unknown) => void,
) => void;

const BEARER = /^Bearer[ \t]+([A-Za-z0-9\-._~+/]+=*)[ \t]*$/i;

function description(reason: JwtRejectionReason): string {
  if (reason === 'expired') return 'The access token expired';
  return 'The access token is invalid';
}

function quoted(value: string): string {
  return `"${value.replace(/[\\"]/g, '\\$&').replace(/[^\x20-\x7e]/g, '')}"`;
}

/**
 * Express middleware that authenticates `Authorization: Bearer <jwt>` with a strict
 * {@link JwtVerifier} and puts the principal on `req.auth` (`subject` from `sub`, `roles` from
 * `rolesClaim`, `scopes` from `scope`/`scp`, every claim, `method: 'jwt'`).
 *
 * A missing or bad token gets a 401 `application/problem+json` with
 * `WWW-Authenticate: Bearer realm="api", error="invalid_token", error_description="…"` (RFC 6750;
 * the description says "expired" or "invalid", never more). Each rejection is counted in
 * `security_jwt_rejections_total{reason}` and audited as `token.rejected` with the reason.
 *
 * @example
 * ```ts
 * app.use(jwtAuth({
 *   algorithms: ['ES256'],
 *   issuer: 'https://id.example.com',
 *   audience: 'orders-api',
 *   jwks: new URL('https://id.example.com/.well-known/jwks.json'),
 *   registry: telemetry.registry,
 *   audit,
 * }));
 * app.get('/orders', (req, res) => res.json({ user: req.auth?.subject }));
 * ```
 */
export function jwtAuth(options: JwtAuthOptions): JwtAuthMiddleware {
  const verifier = 'verifier' in options ? options.verifier : new JwtVerifier(options);
  const credentialsRequired = options.credentialsRequired ?? true;
  const rolesClaim = options.rolesClaim ?? JWT_DEFAULTS.rolesClaim;
  const realm = quoted(options.realm ?? JWT_DEFAULTS.realm);
  const metrics: SecurityMetrics | undefined = options.registry
    ? securityMetrics(options.registry)
    : undefined;
  const { logger } = options;
  const audit = guardAuditSink(options.audit, logger);

  const refuse = (req: SecurityRequest, res: ProblemResponse, reason: JwtRejectionReason): void => {
    metrics?.authAttempts.inc({ method: 'jwt', outcome: 'failure' });
    if (reason === 'missing') {
      metrics?.jwtRejections.inc({ reason });
      sendProblem(res, {
        status: 401,
        title: 'Unauthorized',
        detail: 'A bearer access token is required',
        headers: { 'www-authenticate': `Bearer realm=${realm}` },
      });
      return;
    }
    const detail = description(reason);
    audit?.record({
      event: 'token.rejected',
      outcome: 'denied',
      ...(req.ip === undefined ? {} : { ip: req.ip }),
      details: { reason, method: 'jwt' },
    });
    sendProblem(res, {
      status: 401,
      title: 'Unauthorized',
      detail,
      headers: {
        'www-authenticate': `Bearer realm=${realm}, error="invalid_token", error_description=${quoted(detail)}`,
      },
    });
  };

  return (req, res, next) => {
    const header = req.headers.authorization;
    const match = typeof header === 'string' ? BEARER.exec(header) : null;
    if (!match) {
      if (header === undefined && !credentialsRequired) {
        next();
        return;
      }
      if (typeof header === 'string' && /^Bearer(\s|$)/i.test(header)) {
        // A Bearer header that is not a token is a bad token, not a missing one.
        refuse(req, res, 'malformed');
        metrics?.jwtRejections.inc({ reason: 'malformed' });
        return;
      }
      if (!credentialsRequired) {
        next();
        return;
      }
      refuse(req, res, 'missing');
      return;
    }
    verifier.verify(match[1]).then(
      (result) => {
        if (!result.ok) {
          refuse(req, res, result.reason);
          return;
        }
        req.auth = principalFromClaims(result.claims, rolesClaim);
        metrics?.authAttempts.inc({ method: 'jwt', outcome: 'success' });
        next();
      },
      (error: unknown) => {
        logger?.error(
          { err: error instanceof Error ? error.message : String(error) },
          'JWT verification failed unexpectedly',
        );
        refuse(req, res, 'malformed');
      },
    );
  };
}
