import { requirePermission } from '@srekit/security';
import { type Request, type Response, Router } from 'express';
import type { RouteContext } from './context.js';
import { parseFault } from './faults.js';
import { problem } from './problem.js';

/** Route template of the fault-injection API (never itself subject to faults). */
export const ADMIN_ROUTES = { faults: '/api/admin/faults' } as const;

/**
 * Admin-only fault injection at run time: `GET`, `POST` (JSON `{ route, errorRatio, latencyMs }`)
 * and `DELETE` (all faults, or `?route=` one) on `/api/admin/faults`.
 */
export function adminRoutes(ctx: RouteContext): Router {
  const router = Router();
  const admin = requirePermission('faults:write', { rbac: ctx.rbac, ...ctx.shared });

  router.get(ADMIN_ROUTES.faults, ctx.authenticate, admin, (_req, res) => {
    res.json({ faults: ctx.faults.list() });
  });

  router.post(ADMIN_ROUTES.faults, ctx.authenticate, admin, (req: Request, res: Response) => {
    const parsed = parseFault(req.body);
    if ('problems' in parsed) return problem(res, 400, 'Bad Request', parsed.problems.join('; '));
    ctx.faults.set(parsed.fault);
    ctx.logger.warn({ fault: parsed.fault }, 'fault injected');
    res.status(201).json({ faults: ctx.faults.list() });
  });

  router.delete(ADMIN_ROUTES.faults, ctx.authenticate, admin, (req: Request, res: Response) => {
    const route = typeof req.query.route === 'string' ? req.query.route : undefined;
    ctx.faults.clear(route);
    ctx.logger.warn({ route: route ?? '*all*' }, 'faults cleared');
    res.json({ faults: ctx.faults.list() });
  });
  return router;
}
