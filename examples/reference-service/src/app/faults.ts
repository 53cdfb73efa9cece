import type { NextFunction, Request, Response } from 'express';

/** A fault injected on one route template (or `*` for every route). */
export interface Fault {
  /** Express route template such as `/api/orders/:id`, or `*`. */
  readonly route: string;
  /** Share of requests answered with a 500, 0..1. */
  readonly errorRatio: number;
  /** Latency added before the request is handled, in milliseconds. */
  readonly latencyMs: number;
}

/** Longest latency a fault may add. */
export const MAX_FAULT_LATENCY_MS = 30_000;

/** Checks a request body; returns the fault or the problems with it. */
export function parseFault(body: unknown): { fault: Fault } | { problems: string[] } {
  const problems: string[] = [];
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const route = b.route;
  if (typeof route !== 'string' || !(route === '*' || /^\/[\w\-/:.]*$/.test(route))) {
    problems.push('`route` must be an express route template such as "/api/orders/:id", or "*"');
  }
  const errorRatio = b.errorRatio ?? 0;
  if (typeof errorRatio !== 'number' || !(errorRatio >= 0 && errorRatio <= 1)) {
    problems.push('`errorRatio` must be a number from 0 to 1');
  }
  const latencyMs = b.latencyMs ?? 0;
  if (
    typeof latencyMs !== 'number' ||
    !Number.isFinite(latencyMs) ||
    latencyMs < 0 ||
    latencyMs > MAX_FAULT_LATENCY_MS
  ) {
    problems.push(
      `\`latencyMs\` must be a number of milliseconds from 0 to ${MAX_FAULT_LATENCY_MS}`,
    );
  }
  if (problems.length > 0) return { problems };
  return {
    fault: {
      route: route as string,
      errorRatio: errorRatio as number,
      latencyMs: latencyMs as number,
    },
  };
}

/** An error the fault injector throws; core's error handler answers it as a 500. */
export class InjectedFaultError extends Error {
  readonly status = 500;
  readonly injected = true;

  constructor(route: string) {
    super(`fault injected on ${route}`);
    this.name = 'InjectedFaultError';
  }
}

/**
 * Faults set at run time by an admin: per route template, a ratio of 500 answers and an added
 * latency. `middleware(route)` goes first in each route's handler chain.
 */
export class FaultInjector {
  readonly #faults = new Map<string, Fault>();
  readonly #random: () => number;
  readonly #timers = new Set<NodeJS.Timeout>();

  constructor(options: { random?: () => number } = {}) {
    this.#random = options.random ?? Math.random;
  }

  set(fault: Fault): void {
    this.#faults.set(fault.route, fault);
  }

  /** Removes the fault of `route`, or every fault. */
  clear(route?: string): void {
    if (route === undefined) this.#faults.clear();
    else this.#faults.delete(route);
  }

  list(): Fault[] {
    return [...this.#faults.values()];
  }

  /** The fault that applies to `route`: its own, else the `*` one. */
  faultFor(route: string): Fault | undefined {
    return this.#faults.get(route) ?? this.#faults.get('*');
  }

  /** Middleware for the route declared as `route`. */
  middleware(route: string): (req: Request, res: Response, next: NextFunction) => void {
    return (_req, res, next) => {
      const fault = this.faultFor(route);
      if (fault === undefined) return next();
      const fail = fault.errorRatio > 0 && this.#random() < fault.errorRatio;
      const go = (): void => next(fail ? new InjectedFaultError(route) : undefined);
      if (fault.latencyMs <= 0) return go();
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        if (!res.writableEnded && !res.destroyed) go();
      }, fault.latencyMs);
      this.#timers.add(timer);
      res.once('close', () => {
        clearTimeout(timer);
        this.#timers.delete(timer);
      });
    };
  }

  /** Cancels pending delays (shutdown). */
  close(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }
}
