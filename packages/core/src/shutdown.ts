import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { ERROR_CODES } from './errors.js';
import type { RequestLifecycle } from './middleware.js';

/** What {@link ShutdownCoordinator.drain} reports. */
export interface DrainResult {
  /** Requests still in flight when the drain timeout cut their connections. */
  readonly cutRequests: number;
  /** Milliseconds the drain took. */
  readonly durationMs: number;
}

/**
 * Tracks HTTP servers and in-flight requests, and drains them on shutdown: stop accepting,
 * close idle keep-alive connections, let in-flight requests finish (bounded by a timeout),
 * then cut whatever is left.
 */
export class ShutdownCoordinator implements RequestLifecycle {
  readonly #servers = new Set<Server>();
  readonly #logger: Logger;
  #inFlight = 0;
  #shuttingDown = false;
  #idleWaiters: (() => void)[] = [];

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  get shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  /** Requests being handled now. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Adds a server to drain on shutdown. */
  attach(server: Server): void {
    this.#servers.add(server);
  }

  requestStarted(server: Server | undefined): void {
    this.#inFlight++;
    if (server !== undefined && !this.#servers.has(server)) this.#servers.add(server);
  }

  requestEnded(): void {
    this.#inFlight--;
    if (this.#inFlight === 0) {
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const wake of waiters) wake();
    }
  }

  /** Stops accepting connections and waits for in-flight requests, at most `timeoutMs`. */
  async drain(timeoutMs: number): Promise<DrainResult> {
    this.#shuttingDown = true;
    const started = performance.now();
    const closed = [...this.#servers].map(
      (server) =>
        new Promise<void>((resolve) => {
          if (!server.listening) return resolve();
          server.close(() => resolve());
          // Keep-alive connections with no request in flight would hold close() open.
          server.closeIdleConnections();
        }),
    );
    const idle = new Promise<void>((resolve) => {
      if (this.#inFlight === 0) resolve();
      else this.#idleWaiters.push(resolve);
    });
    // Connections that go idle after their last response must be closed too; poll while waiting.
    const sweeper = setInterval(() => {
      for (const server of this.#servers) server.closeIdleConnections();
    }, 100);
    sweeper.unref();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
      timer.unref();
    });
    const outcome = await Promise.race([
      Promise.all([idle, ...closed]).then(() => 'drained' as const),
      timedOut,
    ]);
    clearTimeout(timer);
    clearInterval(sweeper);
    let cutRequests = 0;
    if (outcome === 'timeout') {
      cutRequests = this.#inFlight;
      for (const server of this.#servers) server.closeAllConnections();
      this.#logger.warn(
        { code: ERROR_CODES.DRAIN_TIMEOUT, cut_requests: cutRequests, drain_timeout_ms: timeoutMs },
        'drain timeout reached; remaining connections were closed',
      );
    }
    return { cutRequests, durationMs: Math.round(performance.now() - started) };
  }
}
