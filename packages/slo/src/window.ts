import { DAY_SECONDS, formatDuration, parseDuration } from './duration.js';
import { invalidArgument } from './errors.js';
import type { SloWindow } from './types.js';

/**
 * Length of a window in seconds: a `SloWindow` (calendar windows give their nominal length), a
 * Prometheus duration such as `30d`, or a number of seconds.
 */
export function windowSeconds(window: SloWindow | string | number): number {
  if (typeof window === 'number') {
    if (!Number.isFinite(window) || window <= 0) {
      invalidArgument(
        'window',
        `${window} is not a positive number of seconds`,
        'Pass e.g. 2592000 or "30d".',
      );
    }
    return window;
  }
  if (typeof window === 'string') {
    const seconds = parseDuration(window);
    if (seconds === undefined) {
      invalidArgument(
        'window',
        `"${window}" is not a Prometheus duration`,
        'Write it like "30d", "28d", "4w" or "1h30m".',
      );
    }
    return seconds;
  }
  return window.seconds;
}

/** A rolling `SloWindow` from a duration or seconds (`rollingWindow('28d')`). */
export function rollingWindow(window: string | number): SloWindow {
  const seconds = windowSeconds(window);
  return { kind: 'rolling', seconds, text: formatDuration(seconds) };
}

/** Length of a window in days, as `slo:time_period:days` records it. */
export function windowDays(window: SloWindow | string | number): number {
  return windowSeconds(window) / DAY_SECONDS;
}
