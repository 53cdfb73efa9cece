import { ENGINE_DEFAULTS } from '../defaults.js';
import { invalidOption } from '../errors.js';
import type { TryContext } from './retry-async.js';

/** Options of {@link hedge}. */
export interface HedgeOptions {
  /** Time after which another try starts if none has answered yet. Required. */
  readonly delayMs: number;
  /** Extra tries at most (so `1 + maxHedges` in all). Default `ENGINE_DEFAULTS.retry.maxHedges` (1). */
  readonly maxHedges?: number;
  /** The caller's signal: aborting it aborts every try and rejects with its reason. */
  readonly signal?: AbortSignal;
  /** Called when a hedge (attempt ≥ 1) starts; e.g. to count it. */
  readonly onHedge?: (attempt: number) => void;
}

/**
 * Hedged requests ("The Tail at Scale"): starts `fn`; if it has not answered after `delayMs`,
 * starts another try, up to `maxHedges` extra tries. The first success wins and the others are
 * aborted through their signal. A try that fails while no other is in flight starts the next one
 * at once instead of waiting. When every try failed, rejects with the last error.
 *
 * Only hedge idempotent work: two tries may both reach the backend. Pick another backend per
 * `attempt` in `fn`.
 *
 * @example
 * ```ts
 * const res = await hedge(({ attempt, signal }) => fetch(`${pool.pick()!.url}/item`, { signal }), {
 *   delayMs: 50, // about the p95 latency
 * });
 * ```
 */
export function hedge<T>(
  fn: (context: TryContext) => Promise<T>,
  options: HedgeOptions,
): Promise<T> {
  const { delayMs } = options;
  const maxHedges = options.maxHedges ?? ENGINE_DEFAULTS.retry.maxHedges;
  if (!(Number.isFinite(delayMs) && delayMs >= 0)) {
    invalidOption(
      'delayMs',
      `${delayMs} is not a number ≥ 0`,
      'Give the delay, e.g. the p95 latency.',
    );
  }
  if (!(Number.isInteger(maxHedges) && maxHedges >= 0)) {
    invalidOption('maxHedges', `${maxHedges} is not an integer ≥ 0`, 'Give e.g. 1.');
  }
  const total = 1 + maxHedges;
  const { signal } = options;
  return new Promise<T>((resolve, reject) => {
    const controllers: AbortController[] = [];
    let started = 0;
    let inFlight = 0;
    let settled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;

    // The winner's signal is left alone: aborting it would cut a response body still streaming.
    // `reason` reaches the tries' signals: the caller's reason when the caller aborted (so a
    // deadline reads as a timeout to every try), none for the losers of a race.
    const finish = (settle: () => void, winner?: AbortController, reason?: unknown): void => {
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      for (const controller of controllers) {
        if (controller !== winner && !controller.signal.aborted) controller.abort(reason);
      }
      settle();
    };
    const onAbort = (): void => finish(() => reject(signal?.reason), undefined, signal?.reason);

    const launch = (): void => {
      clearTimeout(timer);
      const attempt = started++;
      const controller = new AbortController();
      controllers.push(controller);
      inFlight++;
      if (attempt > 0) options.onHedge?.(attempt);
      Promise.resolve()
        .then(() => fn({ attempt, signal: controller.signal }))
        .then(
          (value) => {
            inFlight--;
            if (!settled) finish(() => resolve(value), controller);
          },
          (error: unknown) => {
            inFlight--;
            if (settled) return;
            if (started < total) {
              if (inFlight === 0) launch();
            } else if (inFlight === 0) {
              finish(() => reject(error));
            }
          },
        );
      if (started < total) timer = setTimeout(launch, delayMs);
    };

    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    launch();
  });
}
