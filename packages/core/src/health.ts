import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { DEFAULTS } from './defaults.js';
import { ERROR_CODES, SrekitError } from './errors.js';
import type {
  HealthCheck,
  HealthCheckOptions,
  HealthCheckReport,
  HealthReport,
  Probe,
} from './types.js';

/** A probe endpoint handler (express-compatible). */
export type ProbeHandler = (req: IncomingMessage, res: ServerResponse) => void;

interface RegisteredCheck {
  readonly name: string;
  readonly check: HealthCheck;
  readonly critical: boolean;
  readonly timeoutMs: number;
  readonly probes: ReadonlySet<Probe>;
  /** The run in progress, shared by concurrent probes so hung checks do not pile up. */
  running: Promise<HealthCheckReport> | undefined;
}

const PROBES: readonly Probe[] = ['liveness', 'readiness', 'startup'];
const CONTENT_TYPE = 'application/health+json; charset=utf-8';

/**
 * Named health checks and the liveness, readiness and startup probe handlers built on them.
 *
 * - A check passes when it resolves (to anything but `false` or `{ status: 'fail' }`), fails
 *   when it throws, rejects, returns `false`, or does not settle within its `timeoutMs`.
 * - A probe answers 200 with `status: pass|warn`, or 503 when a critical check fails.
 *   Non-critical failures report `warn` and keep the probe at 200.
 * - Readiness answers 503 from the moment shutdown begins.
 * - Startup latches: once it has passed, it answers 200 without running checks again.
 *
 * @example
 * ```ts
 * telemetry.health.register('db', () => pool.query('select 1'), { timeoutMs: 500 });
 * app.get('/readyz', telemetry.health.readiness());
 * ```
 */
export class Health {
  readonly #checks = new Map<string, RegisteredCheck>();
  readonly #service: string;
  readonly #defaultTimeoutMs: number;
  readonly #logger: Logger;
  #shuttingDown = false;
  #started = false;

  constructor(options: { service: string; defaultTimeoutMs?: number; logger: Logger }) {
    this.#service = options.service;
    this.#defaultTimeoutMs = options.defaultTimeoutMs ?? DEFAULTS.healthCheckTimeoutMs;
    this.#logger = options.logger;
  }

  /**
   * Registers a check. `critical` defaults to `true`, `timeoutMs` to the health default (1000),
   * `probes` to `['readiness', 'startup']`.
   *
   * @throws SrekitError `ERR_SREKIT_DUPLICATE_HEALTH_CHECK` when the name is taken,
   *   `ERR_SREKIT_INVALID_OPTION` for a bad timeout or probe name.
   */
  register(name: string, check: HealthCheck, options: HealthCheckOptions = {}): this {
    if (typeof name !== 'string' || name.trim() === '') {
      throw new SrekitError(
        ERROR_CODES.INVALID_OPTION,
        'Invalid health check name: expected a non-empty string. Name checks after what they test, e.g. "db"',
      );
    }
    if (this.#checks.has(name)) {
      throw new SrekitError(
        ERROR_CODES.DUPLICATE_HEALTH_CHECK,
        `A health check named "${name}" is already registered. Use another name or unregister the first`,
      );
    }
    if (typeof check !== 'function') {
      throw new SrekitError(
        ERROR_CODES.INVALID_OPTION,
        `Health check "${name}" must be a function`,
      );
    }
    const timeoutMs = options.timeoutMs ?? this.#defaultTimeoutMs;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
      throw new SrekitError(
        ERROR_CODES.INVALID_OPTION,
        `Invalid option \`timeoutMs\` of health check "${name}": expected a positive number of milliseconds, got ${String(timeoutMs)}`,
      );
    }
    const probes = options.probes ?? ['readiness', 'startup'];
    for (const probe of probes) {
      if (!PROBES.includes(probe)) {
        throw new SrekitError(
          ERROR_CODES.INVALID_OPTION,
          `Invalid probe "${String(probe)}" for health check "${name}": expected one of ${PROBES.join(', ')}`,
        );
      }
    }
    this.#checks.set(name, {
      name,
      check,
      critical: options.critical ?? true,
      timeoutMs,
      probes: new Set(probes),
      running: undefined,
    });
    return this;
  }

  /** Removes a check; returns whether it existed. */
  unregister(name: string): boolean {
    return this.#checks.delete(name);
  }

  /** Names of the registered checks. */
  names(): string[] {
    return [...this.#checks.keys()];
  }

  /** True once shutdown has begun. */
  get shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  /** Marks the service as shutting down: readiness answers 503 from now on. */
  markShuttingDown(): void {
    this.#shuttingDown = true;
  }

  /** Runs the checks of one probe and returns the report. */
  async evaluate(probe: Probe): Promise<HealthReport> {
    if (probe === 'readiness' && this.#shuttingDown) {
      return { status: 'fail', service: this.#service, checks: {}, reason: 'shutting down' };
    }
    if (probe === 'startup' && this.#started) {
      return { status: 'pass', service: this.#service, checks: {} };
    }
    const selected = [...this.#checks.values()].filter((c) => c.probes.has(probe));
    const reports = await Promise.all(selected.map((c) => this.#run(c)));
    const checks: Record<string, HealthCheckReport> = {};
    let failed = false;
    let degraded = false;
    selected.forEach((c, i) => {
      const report = reports[i] as HealthCheckReport;
      checks[c.name] = report;
      if (report.status === 'fail' && c.critical) failed = true;
      else if (report.status !== 'pass') degraded = true;
    });
    const status: HealthReport['status'] = failed ? 'fail' : degraded ? 'warn' : 'pass';
    if (probe === 'startup' && status !== 'fail') this.#started = true;
    return { status, service: this.#service, checks };
  }

  /** Liveness handler (`/livez`): runs only checks registered for `liveness` (none by default). */
  liveness(): ProbeHandler {
    return this.#handler('liveness');
  }

  /** Readiness handler (`/readyz`): 503 while a critical check fails and during shutdown. */
  readiness(): ProbeHandler {
    return this.#handler('readiness');
  }

  /** Startup handler (`/startupz`): 503 until the startup checks have passed once. */
  startup(): ProbeHandler {
    return this.#handler('startup');
  }

  #handler(probe: Probe): ProbeHandler {
    return (_req, res) => {
      this.evaluate(probe).then(
        (report) => send(res, report.status === 'fail' ? 503 : 200, report),
        (error: unknown) => {
          this.#logger.error({ err: error, probe }, 'health probe failed unexpectedly');
          send(res, 503, {
            status: 'fail',
            service: this.#service,
            checks: {},
            reason: 'internal error',
          });
        },
      );
    };
  }

  #run(check: RegisteredCheck): Promise<HealthCheckReport> {
    check.running ??= this.#execute(check).finally(() => {
      check.running = undefined;
    });
    return check.running;
  }

  async #execute(check: RegisteredCheck): Promise<HealthCheckReport> {
    const started = performance.now();
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new SrekitError(
          ERROR_CODES.HEALTH_CHECK_TIMEOUT,
          `Health check "${check.name}" did not settle within ${check.timeoutMs} ms`,
        );
        controller.abort(error);
        reject(error);
      }, check.timeoutMs);
      timer.unref();
    });
    const elapsed = () => Math.round((performance.now() - started) * 1000) / 1000;
    try {
      const result = await Promise.race([
        Promise.resolve().then(() => check.check(controller.signal)),
        timeout,
      ]);
      if (result === false)
        return {
          status: 'fail',
          critical: check.critical,
          durationMs: elapsed(),
          error: 'check returned false',
        };
      if (typeof result === 'object' && result !== null) {
        const status = result.status ?? 'pass';
        return {
          status,
          critical: check.critical,
          durationMs: elapsed(),
          ...(result.details !== undefined ? { details: result.details } : {}),
        };
      }
      return { status: 'pass', critical: check.critical, durationMs: elapsed() };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.#logger.warn({ check: check.name, err: error }, 'health check failed');
      return { status: 'fail', critical: check.critical, durationMs: elapsed(), error: message };
    } finally {
      clearTimeout(timer);
    }
  }
}

function send(res: ServerResponse, status: number, body: HealthReport): void {
  if (res.headersSent || res.destroyed) return;
  const json = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('content-type', CONTENT_TYPE);
  res.setHeader('cache-control', 'no-store');
  res.setHeader('content-length', Buffer.byteLength(json));
  res.end(json);
}
