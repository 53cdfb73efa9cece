import http from 'node:http';
import https from 'node:https';
import { Listeners } from '@srekit/core';
import { ENGINE_DEFAULTS } from '../defaults.js';
import { invalidOption } from '../errors.js';
import { reportListenerError } from '../listener-errors.js';
import type { Clock, Disposable, Random } from '../types.js';
import { jitteredInterval } from './jitter.js';

/**
 * Health of a target. `unknown` (not checked yet) takes traffic: see
 * {@link HealthCheckerOptions.initialState}.
 */
export type HealthState = 'unknown' | 'healthy' | 'unhealthy';

/** A target to check: its id and base URL (`http:` or `https:`). */
export interface HealthCheckTarget {
  readonly id: string;
  readonly url: string;
}

/** One finished check, passed to `onCheck` listeners (e.g. to count failures in a metric). */
export interface HealthCheckResult {
  readonly id: string;
  /** Whether the check passed. */
  readonly ok: boolean;
  /** Response status, when a response arrived. */
  readonly status?: number;
  /** Why it passed or failed: `status 200`, `status 503`, `timeout`, `ECONNREFUSED`… */
  readonly reason: string;
  /** Time from sending the request to the end of the response or the failure. */
  readonly durationMs: number;
}

/** A change of a target's health, passed to `onStateChange` listeners. */
export interface HealthStateChange {
  readonly id: string;
  readonly from: HealthState;
  readonly to: HealthState;
  /** E.g. `3 consecutive failures (last: ECONNREFUSED)` or `2 consecutive successes`. */
  readonly reason: string;
}

/** Options of {@link HealthChecker}; every default is in `ENGINE_DEFAULTS.healthCheck`. */
export interface HealthCheckerOptions {
  /** Absolute path requested with GET on each target's URL. Default `'/readyz'`. */
  readonly path?: string;
  /** Time from the end of one check of a target to the start of its next. Default 2000 ms. */
  readonly intervalMs?: number;
  /**
   * Interval while a target is in transition (some failures of a healthy target, or some passes
   * of an unhealthy one, counted but short of the threshold), HAProxy's `fastinter`: a killed
   * backend is marked down after about `intervalMs + (unhealthyThreshold − 1) × fastIntervalMs`.
   * Default `intervalMs`.
   */
  readonly fastIntervalMs?: number;
  /** Each interval is drawn in `intervalMs × (1 ± jitterPercent / 100)`. Default 10. */
  readonly jitterPercent?: number;
  /** A check without a complete response after this fails and is aborted. Default 1000 ms. */
  readonly timeoutMs?: number;
  /** Inclusive `[from, to]` status ranges that pass. Default `[[200, 299]]`. */
  readonly expectedStatuses?: readonly (readonly [number, number])[];
  /** Consecutive passes that make an unhealthy target healthy (HAProxy `rise`). Default 2. */
  readonly healthyThreshold?: number;
  /** Consecutive failures that make a healthy target unhealthy (HAProxy `fall`). Default 3. */
  readonly unhealthyThreshold?: number;
  /**
   * State of a target before its first check. `unknown` (the default) takes traffic, like a
   * server in HAProxy, and its first check decides at once (one pass → healthy, one failure →
   * unhealthy, like Envoy at startup). `unhealthy` keeps a target out until `healthyThreshold`
   * passes; `healthy` needs `unhealthyThreshold` failures to go out.
   */
  readonly initialState?: HealthState;
  /** Random source for the jitter. Default `Math.random`. */
  readonly random?: Random;
  /** Clock for scheduling. Default `performance.now`. */
  readonly clock?: Clock;
  /** Receives what a listener throws. Default: a process warning. */
  readonly onListenerError?: (error: unknown) => void;
}

interface TargetRecord {
  readonly target: HealthCheckTarget;
  readonly url: URL;
  state: HealthState;
  successes: number;
  failures: number;
  /** When the next check starts (idle) — or, while a check runs, when it times out. */
  dueAt: number;
  check: AbortController | undefined;
}

/**
 * Active HTTP health checks over a set of targets, with HAProxy's rise/fall thresholds, jitter,
 * a per-check timeout and keep-alive connections. One timer drives every target (it fires at the
 * earliest due check or timeout); it is unref'd, so a checker never keeps a process alive.
 *
 * It never throws once built: a failing check is a result, and listener errors go to
 * `onListenerError`.
 *
 * @example
 * ```ts
 * const checker = new HealthChecker([{ id: 'a', url: 'http://10.0.0.7:8080' }], { intervalMs: 2_000 });
 * checker.onStateChange(({ id, from, to, reason }) => log.warn({ id, from, to }, reason));
 * checker.start();
 * checker.isHealthy('a'); // true until proven otherwise
 * await checker.close();
 * ```
 */
export class HealthChecker {
  readonly #path: string;
  readonly #intervalMs: number;
  readonly #fastIntervalMs: number;
  readonly #jitterPercent: number;
  readonly #timeoutMs: number;
  readonly #expected: readonly (readonly [number, number])[];
  readonly #rise: number;
  readonly #fall: number;
  readonly #initialState: HealthState;
  readonly #random: Random;
  readonly #clock: Clock;
  readonly #targets = new Map<string, TargetRecord>();
  readonly #inFlight = new Set<Promise<void>>();
  readonly #stateChanges: Listeners<HealthStateChange>;
  readonly #checks: Listeners<HealthCheckResult>;
  readonly #httpAgent = new http.Agent({ keepAlive: true });
  readonly #httpsAgent = new https.Agent({ keepAlive: true });
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerAt = Number.POSITIVE_INFINITY;
  #started = false;
  #closed = false;

  constructor(targets: readonly HealthCheckTarget[] = [], options: HealthCheckerOptions = {}) {
    const d = ENGINE_DEFAULTS.healthCheck;
    this.#path = options.path ?? d.path;
    this.#intervalMs = options.intervalMs ?? d.intervalMs;
    this.#fastIntervalMs = options.fastIntervalMs ?? this.#intervalMs;
    this.#jitterPercent = options.jitterPercent ?? d.jitterPercent;
    this.#timeoutMs = options.timeoutMs ?? d.timeoutMs;
    this.#expected = options.expectedStatuses ?? d.expectedStatuses;
    this.#rise = options.healthyThreshold ?? d.healthyThreshold;
    this.#fall = options.unhealthyThreshold ?? d.unhealthyThreshold;
    this.#initialState = options.initialState ?? d.initialState;
    this.#random = options.random ?? Math.random;
    this.#clock = options.clock ?? (() => performance.now());
    const onError = options.onListenerError ?? reportListenerError;
    this.#stateChanges = new Listeners(onError);
    this.#checks = new Listeners(onError);
    this.#validate();
    for (const target of targets) this.add(target);
  }

  /** Adds a target; while running, its first check starts at once. Throws on a bad or duplicate target. */
  add(target: HealthCheckTarget): void {
    if (this.#targets.has(target.id)) {
      invalidOption(
        'target.id',
        `"${target.id}" is already checked`,
        'Give each target a unique id.',
      );
    }
    let url: URL;
    try {
      url = new URL(this.#path, target.url);
    } catch {
      invalidOption(
        'target.url',
        `"${target.url}" is not a URL`,
        'Give e.g. http://10.0.0.7:8080.',
      );
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      invalidOption('target.url', `"${url.protocol}" is not supported`, 'Use http: or https:.');
    }
    this.#targets.set(target.id, {
      target,
      url,
      state: this.#initialState,
      successes: 0,
      failures: 0,
      dueAt: this.#clock(),
      check: undefined,
    });
    this.#arm();
  }

  /** Stops checking a target (aborting its check in flight). Returns whether it was there. */
  remove(id: string): boolean {
    const record = this.#targets.get(id);
    if (record === undefined) return false;
    this.#targets.delete(id);
    record.check?.abort();
    this.#arm();
    return true;
  }

  /**
   * Starts checking. Each target's first check starts within `intervalMs × jitterPercent / 100`
   * (at once with no jitter), then every interval. Idempotent.
   */
  start(): void {
    if (this.#started || this.#closed) return;
    this.#started = true;
    // The first checks are spread over the jitter window (HAProxy spreads them too), so a large
    // set of targets does not go out as one burst; targets added later are checked at once.
    const now = this.#clock();
    const spreadMs = (this.#intervalMs * this.#jitterPercent) / 100;
    for (const record of this.#targets.values()) record.dueAt = now + this.#random() * spreadMs;
    this.#arm();
  }

  /** Stops the timer, aborts checks in flight, waits for them and closes the connections. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const record of this.#targets.values()) record.check?.abort();
    await Promise.all([...this.#inFlight]);
    this.#httpAgent.destroy();
    this.#httpsAgent.destroy();
  }

  /** A target's health, or `undefined` for an unknown id. */
  state(id: string): HealthState | undefined {
    return this.#targets.get(id)?.state;
  }

  /** Whether a target may take traffic: `healthy` or `unknown` (not yet checked). */
  isHealthy(id: string): boolean {
    const state = this.#targets.get(id)?.state;
    return state === 'healthy' || state === 'unknown';
  }

  /** Ids of the targets checked. */
  ids(): string[] {
    return [...this.#targets.keys()];
  }

  /** Calls `listener` on every change of a target's state. */
  onStateChange(listener: (change: HealthStateChange) => void): Disposable {
    return this.#stateChanges.add(listener);
  }

  /** Calls `listener` after every check, passed or failed. */
  onCheck(listener: (result: HealthCheckResult) => void): Disposable {
    return this.#checks.add(listener);
  }

  /** Sets the one timer to the earliest due check or check timeout. */
  #arm(): void {
    if (!this.#started || this.#closed) return;
    let earliest = Number.POSITIVE_INFINITY;
    for (const record of this.#targets.values()) {
      if (record.dueAt < earliest) earliest = record.dueAt;
    }
    if (this.#timer !== undefined && this.#timerAt <= earliest) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = earliest;
    if (earliest === Number.POSITIVE_INFINITY) return;
    this.#timer = setTimeout(() => this.#tick(), Math.max(0, earliest - this.#clock()));
    this.#timer.unref();
  }

  #tick(): void {
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
    if (this.#closed) return;
    const now = this.#clock();
    for (const record of this.#targets.values()) {
      if (record.dueAt > now) continue;
      if (record.check === undefined) {
        this.#launch(record, now);
      } else {
        // Timed out: nothing is due for this target until the aborted check has settled.
        record.dueAt = Number.POSITIVE_INFINITY;
        record.check.abort('timeout');
      }
    }
    this.#arm();
  }

  #launch(record: TargetRecord, now: number): void {
    const controller = new AbortController();
    record.check = controller;
    record.dueAt = now + this.#timeoutMs;
    const running = this.#probe(record, controller.signal, now).then((result) => {
      this.#inFlight.delete(running);
      record.check = undefined;
      if (this.#closed || this.#targets.get(record.target.id) !== record) return;
      this.#apply(record, result);
      const inTransition =
        (record.state === 'healthy' && record.failures > 0) ||
        (record.state === 'unhealthy' && record.successes > 0);
      const interval = inTransition ? this.#fastIntervalMs : this.#intervalMs;
      record.dueAt = this.#clock() + jitteredInterval(interval, this.#jitterPercent, this.#random);
      this.#arm();
    });
    this.#inFlight.add(running);
  }

  /** One GET; resolves (never rejects) once the body has been read or the request failed. */
  #probe(record: TargetRecord, signal: AbortSignal, startedAt: number): Promise<HealthCheckResult> {
    const { url } = record;
    const id = record.target.id;
    return new Promise((resolve) => {
      let done = false;
      const finish = (ok: boolean, reason: string, status?: number): void => {
        if (done) return;
        done = true;
        const durationMs = this.#clock() - startedAt;
        resolve(
          status === undefined
            ? { id, ok, reason, durationMs }
            : { id, ok, status, reason, durationMs },
        );
      };
      const client = url.protocol === 'https:' ? https : http;
      const request = client.request(
        url,
        {
          method: 'GET',
          agent: url.protocol === 'https:' ? this.#httpsAgent : this.#httpAgent,
          headers: { 'user-agent': 'srekit-health-check', accept: '*/*' },
          signal,
        },
        (response) => {
          const status = response.statusCode ?? 0;
          // The body is read and dropped so the connection can be reused.
          response.resume();
          response.on('end', () => finish(this.#expects(status), `status ${status}`, status));
          response.on('error', () => finish(false, failureReason(signal, undefined), status));
        },
      );
      request.on('error', (error) => finish(false, failureReason(signal, error)));
      request.end();
    });
  }

  #expects(status: number): boolean {
    return this.#expected.some(([from, to]) => status >= from && status <= to);
  }

  /** Rise/fall: consecutive results move a target between states. */
  #apply(record: TargetRecord, result: HealthCheckResult): void {
    if (this.#checks.size > 0) this.#checks.emit(result);
    const from = record.state;
    let to = from;
    let reason = '';
    if (result.ok) {
      record.failures = 0;
      record.successes++;
      if (from === 'unknown') {
        to = 'healthy';
        reason = `first check passed (${result.reason})`;
      } else if (from === 'unhealthy' && record.successes >= this.#rise) {
        to = 'healthy';
        reason = `${record.successes} consecutive successes (last: ${result.reason})`;
      }
    } else {
      record.successes = 0;
      record.failures++;
      if (from === 'unknown') {
        to = 'unhealthy';
        reason = `first check failed (${result.reason})`;
      } else if (from === 'healthy' && record.failures >= this.#fall) {
        to = 'unhealthy';
        reason = `${record.failures} consecutive failures (last: ${result.reason})`;
      }
    }
    if (to === from) return;
    record.state = to;
    record.successes = 0;
    record.failures = 0;
    this.#stateChanges.emit({ id: record.target.id, from, to, reason });
  }

  #validate(): void {
    const positive = (name: string, value: number): void => {
      if (!(Number.isFinite(value) && value > 0)) {
        invalidOption(name, `${value} is not a positive number`, 'Give a value > 0.');
      }
    };
    positive('intervalMs', this.#intervalMs);
    positive('fastIntervalMs', this.#fastIntervalMs);
    positive('timeoutMs', this.#timeoutMs);
    if (
      !(
        Number.isFinite(this.#jitterPercent) &&
        this.#jitterPercent >= 0 &&
        this.#jitterPercent < 100
      )
    ) {
      invalidOption('jitterPercent', `${this.#jitterPercent} is not in [0, 100)`, 'Give e.g. 10.');
    }
    for (const [name, value] of [
      ['healthyThreshold', this.#rise],
      ['unhealthyThreshold', this.#fall],
    ] as const) {
      if (!(Number.isInteger(value) && value >= 1)) {
        invalidOption(name, `${value} is not an integer ≥ 1`, 'Give e.g. 2 (rise) or 3 (fall).');
      }
    }
    if (!this.#path.startsWith('/')) {
      invalidOption(
        'path',
        `"${this.#path}" does not start with /`,
        'Give an absolute path, e.g. /readyz.',
      );
    }
    if (!['unknown', 'healthy', 'unhealthy'].includes(this.#initialState)) {
      invalidOption(
        'initialState',
        `"${this.#initialState}" is not a state`,
        "Use 'unknown', 'healthy' or 'unhealthy'.",
      );
    }
    if (this.#expected.length === 0 || this.#expected.some(([from, to]) => !(from <= to))) {
      invalidOption(
        'expectedStatuses',
        'needs at least one [from, to] range with from ≤ to',
        'Give e.g. [[200, 299]].',
      );
    }
  }
}

function failureReason(signal: AbortSignal, error: Error | undefined): string {
  if (signal.aborted) return signal.reason === 'timeout' ? 'timeout' : 'aborted';
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : (error?.message ?? 'response error');
}
