import { SrekitError } from '@srekit/core';
import { SLO_ERROR_CODES } from './errors.js';
import type { SloTracker } from './tracker/slo-tracker.js';

/** The parts of an HTTP request the middleware touches (express's `req` fits). */
export interface SloRequest {
  readonly method?: string;
}

/** The parts of an HTTP response the middleware touches (express's `res` fits). */
export interface SloResponse {
  readonly statusCode: number;
  once(event: 'finish', listener: () => void): unknown;
}

/** What `isGood` is asked about: one finished response. */
export interface SloOutcome<
  Req extends SloRequest = SloRequest,
  Res extends SloResponse = SloResponse,
> {
  /** The response status code. */
  readonly statusCode: number;
  /** Seconds from the middleware to the end of the response. */
  readonly durationSeconds: number;
  readonly req: Req;
  readonly res: Res;
}

/** Options of {@link sloMiddleware}. */
export interface SloMiddlewareOptions<
  Req extends SloRequest = SloRequest,
  Res extends SloResponse = SloResponse,
> {
  /** The SLO the requests count towards; must be one of the tracker's. */
  readonly sloId: string;
  /**
   * Whether a finished request was good. Default: status < 500 and, for an SLO whose SLI is
   * `latency`, a duration ≤ its threshold. Return `undefined` to leave the request out (e.g.
   * health checks).
   */
  readonly isGood?: (outcome: SloOutcome<Req, Res>) => boolean | undefined;
}

/**
 * Express middleware that records every finished request as a good or bad event of one SLO.
 *
 * The event is recorded when the response has been handed to the operating system (`finish`).
 * Requests the client aborts before the response is finished are **not** counted: the service
 * did not get to answer, and counting them either way would let clients move the SLO. A `throw`
 * inside `isGood` is caught and reported to the tracker's logger, so it never breaks a request.
 *
 * Throws `ERR_SREKIT_SLO_UNKNOWN_SLO` at once when `sloId` is not tracked (a configuration error).
 *
 * @example
 * ```ts
 * app.use(sloMiddleware(tracker, { sloId: 'checkout-availability' }));
 * app.use('/search', sloMiddleware(tracker, { sloId: 'checkout-search-latency' })); // latency SLI
 * ```
 */
export function sloMiddleware<
  Req extends SloRequest = SloRequest,
  Res extends SloResponse = SloResponse,
>(
  tracker: SloTracker,
  options: SloMiddlewareOptions<Req, Res>,
): (req: Req, res: Res, next: () => void) => void {
  const { sloId } = options;
  const spec = tracker.spec(sloId);
  if (spec === undefined) {
    throw new SrekitError(
      SLO_ERROR_CODES.UNKNOWN_SLO,
      `sloMiddleware: SLO "${sloId}" is not tracked; known ids: ${tracker.sloIds.join(', ') || '(none)'}. Pass one of them, or add its spec to the tracker`,
    );
  }
  const thresholdSeconds = spec.sli.kind === 'latency' ? spec.sli.thresholdSeconds : undefined;
  const isGood =
    options.isGood ??
    (({ statusCode, durationSeconds }: SloOutcome<Req, Res>): boolean =>
      statusCode < 500 && (thresholdSeconds === undefined || durationSeconds <= thresholdSeconds));

  return function sloRecorder(req, res, next) {
    const start = performance.now();
    res.once('finish', () => {
      const durationSeconds = (performance.now() - start) / 1000;
      let good: boolean | undefined;
      try {
        good = isGood({ statusCode: res.statusCode, durationSeconds, req, res });
      } catch (error) {
        tracker.logger.error(
          { err: error, sloId },
          `sloMiddleware: isGood threw for SLO "${sloId}"; the request is not counted`,
        );
        return;
      }
      if (good !== undefined) tracker.record(sloId, good);
    });
    next();
  };
}
