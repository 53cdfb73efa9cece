import { rateLimit } from '@srekit/security';
import { type Request, type Response, Router } from 'express';
import type { RouteContext } from './context.js';
import { problem } from './problem.js';

/** Route templates of the authentication endpoints (the login one is an SLO's). */
export const AUTH_ROUTES = { login: '/auth/login', token: '/auth/token' } as const;

function field(body: unknown, name: string): string | undefined {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' && value.length <= 1024 ? value : undefined;
}

/**
 * `POST /auth/login` (password + TOTP → access and refresh tokens) and `POST /auth/token`
 * (refresh-token rotation with reuse detection).
 */
export function authRoutes(ctx: RouteContext): Router {
  const router = Router();
  const store = ctx.redis !== undefined ? { redis: ctx.redis } : {};

  router.post(
    AUTH_ROUTES.login,
    ctx.faults.middleware(AUTH_ROUTES.login),
    rateLimit('login', {
      ...ctx.shared,
      ...store,
      account: (req: Request) => field(req.body, 'username'),
    }),
    ctx.throttle.middleware(),
    async (req: Request, res: Response) => {
      const username = field(req.body, 'username');
      const password = field(req.body, 'password');
      const code = field(req.body, 'code');
      if (username === undefined || password === undefined || code === undefined) {
        return problem(
          res,
          400,
          'Bad Request',
          'Send JSON { "username", "password", "code" } (code: the 6-digit TOTP).',
        );
      }
      const attempt = { account: username, ip: req.ip };
      const user = await ctx.users.findByUsername(username);
      const passwordOk = user
        ? await ctx.passwords.verify(user.passwordHash, password)
        : await ctx.passwords.verifyUnknownAccount(password);
      const mfa =
        user && passwordOk
          ? await ctx.totp.verify(user.username, code, user.totpSecret, { ip: req.ip })
          : undefined;
      if (!user || !passwordOk || !mfa?.valid) {
        await ctx.throttle.recordFailure(attempt);
        return problem(res, 401, 'Unauthorized', 'Invalid username, password or code.');
      }
      await ctx.throttle.recordSuccess(attempt);
      const tokens = await ctx.issuer.issueTokens(user.id, { roles: user.roles });
      res.setHeader('cache-control', 'no-store');
      res.json({
        accessToken: tokens.accessToken,
        refreshToken: tokens.refreshToken,
        tokenType: tokens.tokenType,
        expiresIn: tokens.expiresIn,
      });
    },
  );

  router.post(
    AUTH_ROUTES.token,
    ctx.faults.middleware(AUTH_ROUTES.token),
    rateLimit({ policy: 'token', limit: 60, windowMs: 60_000, ...ctx.shared, ...store }),
    async (req: Request, res: Response) => {
      const refreshToken = field(req.body, 'refreshToken');
      if (refreshToken === undefined) {
        return problem(res, 400, 'Bad Request', 'Send JSON { "refreshToken" }.');
      }
      const result = await ctx.issuer.rotate(refreshToken);
      if (!result.ok) {
        if (result.reason === 'store_unavailable') {
          return problem(res, 503, 'Service Unavailable', 'Try again shortly.');
        }
        const detail =
          result.reason === 'reused'
            ? 'This refresh token was already used: every token of its family is now revoked. Log in again.'
            : result.reason === 'revoked'
              ? 'This refresh token was revoked. Log in again.'
              : 'The refresh token is invalid or expired. Log in again.';
        return problem(res, 401, 'Unauthorized', detail, { reason: result.reason });
      }
      res.setHeader('cache-control', 'no-store');
      res.json({
        accessToken: result.tokens.accessToken,
        refreshToken: result.tokens.refreshToken,
        tokenType: result.tokens.tokenType,
        expiresIn: result.tokens.expiresIn,
      });
    },
  );
  return router;
}
