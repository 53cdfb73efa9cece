import { timingSafeEqual } from 'node:crypto';
import { routeTemplate, SrekitError } from '@srekit/core';
import type { Registry } from 'prom-client';
import { guardAuditSink } from '../audit/guard-sink.js';
import { SESSION_DEFAULTS } from '../defaults.js';
import { invalidOption, SECURITY_ERROR_CODES } from '../errors.js';
import { securityMetrics } from '../metrics.js';
import { type ProblemResponse, sendProblem } from '../problem.js';
import type { AuditSink, AuthPrincipal, SecurityLogger, SecurityRequest } from '../types.js';
import { appendSetCookie, type CookieResponse, readCookie, serializeCookie } from './cookie.js';
import { MemorySessionStore } from './memory-session-store.js';
import { Session, type SessionHost } from './session.js';
import { isWellFormedSessionId, sessionKey } from './session-id.js';
import type { SessionRecord, SessionStore } from './session-store.js';

/** CSRF settings of {@link sessions}. */
export interface CsrfOptions {
  /** Header that carries the token. Default `SESSION_DEFAULTS.csrfHeader` (`x-csrf-token`). */
  readonly header?: string;
  /** Body field that carries the token when the header is absent (needs a body parser before `sessions()`). Default `_csrf`. */
  readonly field?: string;
}

/** Options of {@link sessions}. */
export interface SessionsOptions {
  /** Where sessions live. Default a new `MemorySessionStore` (one process only). */
  readonly store?: SessionStore;
  /** Cookie name, without the `__Host-` prefix srekit adds. Default `sid`. */
  readonly cookieName?: string;
  /** A session ends after this long without a request. Default 30 min. */
  readonly idleTimeoutMs?: number;
  /** A session ends this long after its login, however active. Default 8 h. */
  readonly absoluteTimeoutMs?: number;
  /**
   * CSRF protection for unsafe methods (synchronizer token bound to the session). Default on;
   * `false` only when no browser sends the cookie to state-changing routes.
   */
  readonly csrf?: CsrfOptions | false;
  /**
   * Development over plain `http://localhost` only: drops the `__Host-` prefix and `Secure`,
   * which browsers require HTTPS for. Logs a warning (`ERR_SREKIT_SECURITY_INSECURE_DEV_COOKIE`)
   * at construction and is refused when `NODE_ENV=production`. Default `false`.
   */
  readonly insecureDevCookie?: boolean;
  /** The clock, for tests. Default `Date.now`. */
  readonly now?: () => number;
  /** Core's `telemetry.registry`: store failures count in `security_store_errors_total`. */
  readonly registry?: Registry;
  /** Where warnings and store failures are reported (core's `telemetry.logger`). */
  readonly logger?: SecurityLogger;
  /** Where session and CSRF events go (e.g. `auditLog()`). */
  readonly audit?: AuditSink;
}

/** The request fields `sessions()` reads and writes (express's `Request` satisfies it). */
export interface SessionsRequest extends SecurityRequest {
  session?: Session;
  readonly secure?: boolean;
  readonly body?: unknown;
  readonly route?: { path: unknown };
  readonly baseUrl?: string;
}

/** The response fields `sessions()` uses (express's `Response` satisfies it). */
export interface SessionsResponse extends ProblemResponse, CookieResponse {
  once(event: 'finish', listener: () => void): unknown;
}

/** The middleware `sessions()` returns, with the operations that reach beyond one request. */
export interface SessionsMiddleware {
  (req: SessionsRequest, res: SessionsResponse, next: (error?: unknown) => void): void;
  /** The cookie's full name (`__Host-sid`). */
  readonly cookieName: string;
  /** The store in use. */
  readonly store: SessionStore;
  /**
   * Ends every session of `subject` (call it when a password or second factor changes, then
   * `req.session.login()` again to keep the current device signed in). Audited as
   * `session.revoked` with `reason: 'revoke_all'`. Rejects when the store fails.
   */
  revokeAll(subject: string): Promise<number>;
}

const COOKIE_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

/**
 * Server-side sessions for express: opaque 256-bit ids in a `__Host-` cookie (`Secure`,
 * `HttpOnly`, `SameSite=Lax`, `Path=/`, no `Domain`), idle and absolute timeouts, id rotation
 * at login and on privilege change, revoke-all per user, and CSRF checks on unsafe methods.
 *
 * Puts a {@link Session} on `req.session` and, for an authenticated session, the principal on
 * `req.auth` (`method: 'session'`) unless an earlier middleware (`jwtAuth()`) set one. A cookie
 * whose id the store does not know is never adopted: the client gets a fresh id at its next
 * login. When the store fails, the request goes on without a session (fail closed), logged and
 * counted in `security_store_errors_total{component="sessions",decision="fail_closed"}`.
 *
 * @example
 * ```ts
 * const audit = auditLog({ logger: telemetry.logger });
 * const auth = sessions({ store: new RedisSessionStore(redis), registry: telemetry.registry, audit });
 * app.use(express.urlencoded({ extended: false }), auth);
 * app.post('/login', async (req, res) => {
 *   const user = await checkPassword(req.body.email, req.body.password);
 *   await req.session.login(user.id, { roles: user.roles });
 *   res.redirect('/');
 * });
 * app.post('/password', async (req, res) => {
 *   await changePassword(req.auth.subject, req.body.password);
 *   await auth.revokeAll(req.auth.subject); // every device signs in again
 *   await req.session.login(req.auth.subject, { roles: req.auth.roles });
 *   res.sendStatus(204);
 * });
 * ```
 */
export function sessions(options: SessionsOptions = {}): SessionsMiddleware {
  const baseName = options.cookieName ?? SESSION_DEFAULTS.cookieName;
  if (!COOKIE_NAME.test(baseName) || baseName.startsWith('__')) {
    invalidOption(
      'sessions.cookieName',
      `"${baseName}" is not a plain cookie name`,
      'Use letters, digits, `-` or `_`; srekit adds the `__Host-` prefix',
    );
  }
  const idleTimeoutMs = options.idleTimeoutMs ?? SESSION_DEFAULTS.idleTimeoutMs;
  const absoluteTimeoutMs = options.absoluteTimeoutMs ?? SESSION_DEFAULTS.absoluteTimeoutMs;
  for (const [name, value] of [
    ['idleTimeoutMs', idleTimeoutMs],
    ['absoluteTimeoutMs', absoluteTimeoutMs],
  ] as const) {
    if (!Number.isFinite(value) || value <= 0)
      invalidOption(
        `sessions.${name}`,
        `${value} is not a positive number of milliseconds`,
        'Pass e.g. `30 * 60_000`',
      );
  }
  if (idleTimeoutMs > absoluteTimeoutMs) {
    invalidOption(
      'sessions.idleTimeoutMs',
      'it is longer than `absoluteTimeoutMs`',
      'Make the idle timeout the shorter one',
    );
  }
  const insecure = options.insecureDevCookie === true;
  if (insecure) {
    if (process.env.NODE_ENV === 'production') {
      invalidOption(
        'sessions.insecureDevCookie',
        'it is set while NODE_ENV=production',
        'Remove it and serve the application over HTTPS',
      );
    }
    const message = `sessions({ insecureDevCookie: true }): the session cookie is "${baseName}" without the __Host- prefix and without Secure, so it travels over plain HTTP. Use this for local development only (${SECURITY_ERROR_CODES.INSECURE_DEV_COOKIE}).`;
    options.logger?.warn({ code: SECURITY_ERROR_CODES.INSECURE_DEV_COOKIE }, message);
    process.emitWarning(message, { code: SECURITY_ERROR_CODES.INSECURE_DEV_COOKIE });
  }
  const cookieName = insecure ? baseName : `__Host-${baseName}`;
  const store =
    options.store ?? new MemorySessionStore(options.now === undefined ? {} : { now: options.now });
  const now = options.now ?? Date.now;
  const csrf = options.csrf === false ? undefined : (options.csrf ?? {});
  const csrfHeader = (csrf?.header ?? SESSION_DEFAULTS.csrfHeader).toLowerCase();
  const csrfField = csrf?.field ?? SESSION_DEFAULTS.csrfField;
  const safeMethods = new Set<string>(SESSION_DEFAULTS.safeMethods);
  const metrics = options.registry === undefined ? undefined : securityMetrics(options.registry);
  const { logger } = options;
  const audit = guardAuditSink(options.audit, logger);
  let warnedHttp = false;

  const ttlMs = (record: SessionRecord): number =>
    Math.max(1, Math.min(idleTimeoutMs, record.createdAtMs + absoluteTimeoutMs - now())) +
    SESSION_DEFAULTS.expiredRetentionMs;

  const storeFailed = (error: unknown, operation: string): void => {
    metrics?.storeErrors.inc({ component: 'sessions', decision: 'fail_closed' });
    logger?.error(
      {
        code: SECURITY_ERROR_CODES.STORE_UNAVAILABLE,
        operation,
        err: { name: (error as Error)?.name, message: (error as Error)?.message },
      },
      `sessions: the session store failed (${operation}); the request continues without a session`,
    );
  };

  const expiry = (record: SessionRecord, at: number): 'idle' | 'absolute' | undefined => {
    if (at - record.createdAtMs >= absoluteTimeoutMs) return 'absolute';
    if (at - record.lastSeenAtMs >= idleTimeoutMs) return 'idle';
    return undefined;
  };

  const csrfTokenOf = (req: SessionsRequest): string | undefined => {
    const header = req.headers[csrfHeader];
    if (typeof header === 'string') return header;
    const body = req.body;
    if (body !== null && typeof body === 'object') {
      const field = (body as Record<string, unknown>)[csrfField];
      if (typeof field === 'string') return field;
    }
    return undefined;
  };

  const handle = async (
    req: SessionsRequest,
    res: SessionsResponse,
    next: (error?: unknown) => void,
  ): Promise<void> => {
    if (req.session !== undefined) return next();
    if (!insecure && req.secure === false && !warnedHttp) {
      warnedHttp = true;
      logger?.warn(
        { code: SECURITY_ERROR_CODES.COOKIE_OVER_HTTP },
        'sessions: a request arrived over plain HTTP; browsers drop the Secure __Host- session cookie. Serve over HTTPS (behind a proxy: set express `trust proxy`), or use `insecureDevCookie` in development',
      );
    }
    const actorIp = req.ip === undefined ? {} : { ip: req.ip };
    const setCookie = (id: string) =>
      appendSetCookie(res, cookieName, serializeCookie(cookieName, id, { secure: !insecure }));
    const clearCookie = () =>
      appendSetCookie(
        res,
        cookieName,
        serializeCookie(cookieName, '', { secure: !insecure, maxAgeSeconds: 0 }),
      );
    const host: SessionHost = {
      now,
      write: async (key, record, onlyIfExists) => {
        try {
          return await store.set(key, record, ttlMs(record), { onlyIfExists });
        } catch (error) {
          storeFailed(error, 'write');
          throw new SrekitError(
            SECURITY_ERROR_CODES.STORE_UNAVAILABLE,
            'sessions: the session could not be stored',
            { cause: error },
          );
        }
      },
      remove: async (key) => {
        try {
          await store.delete(key);
        } catch (error) {
          storeFailed(error, 'delete');
          throw new SrekitError(
            SECURITY_ERROR_CODES.STORE_UNAVAILABLE,
            'sessions: the session could not be removed',
            { cause: error },
          );
        }
      },
      setCookie,
      clearCookie,
      principalChanged: (principal) => {
        if (principal !== undefined) req.auth = principal;
        else if (req.auth?.method === 'session') req.auth = undefined;
      },
      audited: (event, actor, details) =>
        audit?.record({
          event,
          outcome: 'success',
          ...(actor === undefined ? {} : { actor }),
          ...actorIp,
          details,
        }),
    };

    const raw = readCookie(req.headers.cookie, cookieName);
    let id: string | undefined;
    let record: SessionRecord | undefined;
    if (raw !== undefined && raw !== '') {
      if (isWellFormedSessionId(raw)) {
        try {
          record = await store.get(sessionKey(raw));
        } catch (error) {
          storeFailed(error, 'read');
        }
        const expired = record === undefined ? undefined : expiry(record, now());
        if (record !== undefined && expired !== undefined) {
          audit?.record({
            event: 'session.expired',
            outcome: 'success',
            ...(record.subject === undefined ? {} : { actor: record.subject }),
            ...actorIp,
            details: { reason: expired },
          });
          record = undefined;
          clearCookie();
          store.delete(sessionKey(raw)).catch((error: unknown) => storeFailed(error, 'delete'));
        }
        // An unknown id is ignored rather than answered with a deletion: it may be the old id
        // of a request racing a rotation, and deleting the cookie would log the user out.
        if (record !== undefined) id = raw;
      } else {
        clearCookie();
      }
    }

    if (record !== undefined && csrf !== undefined && !safeMethods.has(req.method.toUpperCase())) {
      const presented = csrfTokenOf(req);
      if (presented === undefined || !sameToken(presented, record.csrfToken)) {
        audit?.record({
          event: 'csrf.rejected',
          outcome: 'blocked',
          ...(record.subject === undefined ? {} : { actor: record.subject }),
          ...actorIp,
          details: {
            reason: presented === undefined ? 'missing' : 'mismatch',
            method: req.method,
            route: routeTemplate(req) ?? req.path ?? '',
          },
        });
        sendProblem(res, {
          status: 403,
          title: 'Forbidden',
          detail: `The CSRF token is ${presented === undefined ? 'missing' : 'invalid'}. Send the session's token in the ${csrfHeader} header or the ${csrfField} form field.`,
        });
        return;
      }
    }

    if (record !== undefined && id !== undefined) {
      record = { ...record, lastSeenAtMs: now() };
      try {
        if (!(await store.set(sessionKey(id), record, ttlMs(record), { onlyIfExists: true }))) {
          record = undefined;
          id = undefined;
        }
      } catch (error) {
        // The session was read a moment ago; a failed touch only shortens its idle window.
        storeFailed(error, 'touch');
      }
    }

    const session = new Session(host, id, record);
    req.session = session;
    if (record?.subject !== undefined && req.auth === undefined) {
      req.auth = principalOf(record as SessionRecord & { subject: string });
    }
    res.once('finish', () => {
      if (session.pending) session.save().catch(() => {});
    });
    next();
  };

  const middleware = ((req, res, next) => {
    handle(req, res, next).catch(next);
  }) as SessionsMiddleware;
  Object.defineProperties(middleware, {
    cookieName: { value: cookieName, enumerable: true },
    store: { value: store, enumerable: true },
    revokeAll: {
      enumerable: true,
      value: async (subject: string): Promise<number> => {
        let count: number;
        try {
          count = await store.revokeAll(subject);
        } catch (error) {
          storeFailed(error, 'revoke_all');
          throw new SrekitError(
            SECURITY_ERROR_CODES.STORE_UNAVAILABLE,
            'sessions: the sessions could not be revoked',
            { cause: error },
          );
        }
        audit?.record({
          event: 'session.revoked',
          outcome: 'success',
          actor: subject,
          details: { reason: 'revoke_all', count },
        });
        return count;
      },
    },
  });
  return middleware;
}

function principalOf(record: SessionRecord & { subject: string }): AuthPrincipal {
  return {
    subject: record.subject,
    roles: record.roles,
    scopes: [],
    claims: record.data,
    method: 'session',
  };
}

function sameToken(presented: string, expected: string): boolean {
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
