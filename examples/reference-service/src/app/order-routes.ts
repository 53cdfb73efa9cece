import { type AuthPrincipal, rateLimit, requirePermission } from '@srekit/security';
import { type Request, type Response, Router } from 'express';
import { CATALOG, findProduct } from './catalog.js';
import type { RouteContext } from './context.js';
import type { OrderLine } from './order-repository.js';
import { problem } from './problem.js';

/** Route templates of the order API (every one is in the API SLOs). */
export const ORDER_ROUTES = {
  catalog: '/api/catalog',
  orders: '/api/orders',
  order: '/api/orders/:id',
  cancel: '/api/orders/:id/cancel',
} as const;

/** Most lines in one order, most units in one line. */
const MAX_LINES = 20;
const MAX_QUANTITY = 100;

type AuthedRequest = Request & { auth?: AuthPrincipal };

function parseLines(body: unknown): { sku: string; quantity: number }[] | string {
  const items = (body as { items?: unknown } | undefined)?.items;
  if (!Array.isArray(items) || items.length === 0 || items.length > MAX_LINES) {
    return `Send JSON { "items": [{ "sku", "quantity" }] } with 1 to ${MAX_LINES} items.`;
  }
  const lines: { sku: string; quantity: number }[] = [];
  for (const item of items as unknown[]) {
    const { sku, quantity } = (item ?? {}) as { sku?: unknown; quantity?: unknown };
    if (typeof sku !== 'string' || findProduct(sku) === undefined) {
      return `Unknown sku ${JSON.stringify(sku)}; GET ${ORDER_ROUTES.catalog} lists them.`;
    }
    if (
      !Number.isInteger(quantity) ||
      (quantity as number) < 1 ||
      (quantity as number) > MAX_QUANTITY
    ) {
      return `quantity of ${sku} must be an integer from 1 to ${MAX_QUANTITY}.`;
    }
    lines.push({ sku, quantity: quantity as number });
  }
  return lines;
}

/**
 * The order API: `GET /api/catalog` (public), `GET/POST /api/orders`, `GET /api/orders/:id` and
 * `PATCH /api/orders/:id/cancel` (authenticated, RBAC). Placing an order reserves stock in the
 * inventory service through the engine pool.
 */
export function orderRoutes(ctx: RouteContext): Router {
  const router = Router();
  const store = ctx.redis !== undefined ? { redis: ctx.redis } : {};
  const authz = { rbac: ctx.rbac, ...ctx.shared };
  // Per client on the public route, per user on the authenticated ones; generous enough for the
  // fleet's traffic generator, which sends everything from one address.
  const publicLimit = rateLimit('api', { ...ctx.shared, ...store, limit: 600 });
  const userLimit = rateLimit('api', {
    ...ctx.shared,
    ...store,
    policy: 'api-user',
    limit: 600,
    account: (req: AuthedRequest) => req.auth?.subject,
  });
  const isAdminOrOperator = (req: AuthedRequest): boolean =>
    ctx.rbac.can(req.auth?.roles ?? [], 'orders:cancel');

  router.get(
    ORDER_ROUTES.catalog,
    ctx.faults.middleware(ORDER_ROUTES.catalog),
    publicLimit,
    (_req, res) => {
      res.json({ products: CATALOG });
    },
  );

  router.get(
    ORDER_ROUTES.orders,
    ctx.faults.middleware(ORDER_ROUTES.orders),
    ctx.authenticate,
    userLimit,
    requirePermission('orders:read', authz),
    async (req: AuthedRequest, res: Response) => {
      // Viewers see their own orders; operators and admins see everyone's.
      const owner = isAdminOrOperator(req) ? undefined : req.auth?.subject;
      res.json({ orders: await ctx.orders.list(owner !== undefined ? { owner } : {}) });
    },
  );

  router.post(
    ORDER_ROUTES.orders,
    ctx.faults.middleware(ORDER_ROUTES.orders),
    ctx.authenticate,
    userLimit,
    requirePermission('orders:create', authz),
    async (req: AuthedRequest, res: Response) => {
      const parsed = parseLines(req.body);
      if (typeof parsed === 'string') return problem(res, 400, 'Bad Request', parsed);
      const reservationIds: string[] = [];
      const lines: OrderLine[] = [];
      for (const line of parsed) {
        const result = await ctx.inventory.reserve(line.sku, line.quantity);
        if (!result.ok) {
          await Promise.all(reservationIds.map((id) => ctx.inventory.release(id)));
          if (result.reason === 'insufficient_stock') {
            return problem(res, 409, 'Conflict', `Not enough stock of ${line.sku}.`);
          }
          ctx.logger.warn(
            { reason: result.reason, detail: result.detail },
            'inventory call failed',
          );
          return problem(res, 503, 'Service Unavailable', 'The inventory service is unavailable.');
        }
        reservationIds.push(result.reservation.reservationId);
        lines.push({ ...line, unitPriceCents: findProduct(line.sku)?.unitPriceCents ?? 0 });
      }
      const order = await ctx.orders.create({
        owner: req.auth?.subject ?? 'anonymous',
        lines,
        reservationIds,
      });
      ctx.logger.info({ orderId: order.id, lines: lines.length }, 'order placed');
      res.status(201).location(`${ORDER_ROUTES.orders}/${order.id}`).json(order);
    },
  );

  router.get(
    ORDER_ROUTES.order,
    ctx.faults.middleware(ORDER_ROUTES.order),
    ctx.authenticate,
    userLimit,
    requirePermission('orders:read', authz),
    async (req: AuthedRequest, res: Response) => {
      const order = await ctx.orders.get(String(req.params.id));
      // Someone else's order is as absent as a missing one (no IDOR, no existence leak).
      if (order === undefined || (!isAdminOrOperator(req) && order.owner !== req.auth?.subject)) {
        return problem(res, 404, 'Not Found', 'No such order.');
      }
      res.json(order);
    },
  );

  router.patch(
    ORDER_ROUTES.cancel,
    ctx.faults.middleware(ORDER_ROUTES.cancel),
    ctx.authenticate,
    userLimit,
    requirePermission('orders:cancel', authz),
    async (req: AuthedRequest, res: Response) => {
      const order = await ctx.orders.get(String(req.params.id));
      if (order === undefined) return problem(res, 404, 'Not Found', 'No such order.');
      if (order.status === 'cancelled') return void res.json(order);
      await Promise.all(order.reservationIds.map((id) => ctx.inventory.release(id)));
      const updated = await ctx.orders.updateStatus(order.id, 'cancelled');
      ctx.logger.info({ orderId: order.id }, 'order cancelled');
      res.json(updated);
    },
  );
  return router;
}
