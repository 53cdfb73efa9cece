import { formatDuration, parseDuration } from '../duration.js';
import type { CalendarUnit, CalendarWindow, RollingWindow } from '../types.js';

const CALENDAR_DAYS: Record<CalendarUnit, number> = {
  day: 1,
  week: 7,
  month: 30,
  quarter: 91,
  year: 365,
};

/** Calendar units in the order they are listed in messages. */
export const CALENDAR_UNITS: readonly CalendarUnit[] = ['day', 'week', 'month', 'quarter', 'year'];

/** A rolling window of `seconds`, its text in Prometheus notation (`30d`, `4w`). */
export function rollingWindow(seconds: number): RollingWindow {
  return { kind: 'rolling', seconds, text: formatDuration(seconds) };
}

/**
 * A calendar window; `seconds` is the nominal length (month 30 d, quarter 91 d, year 365 d)
 * times `count`.
 */
export function calendarWindow(
  unit: CalendarUnit,
  count: number,
  timeZone: string,
): CalendarWindow {
  const plural = count === 1 ? unit : `${unit}s`;
  return {
    kind: 'calendar',
    unit,
    count,
    timeZone,
    seconds: CALENDAR_DAYS[unit] * count * 86_400,
    text: `${count} ${plural} (${timeZone})`,
  };
}

/** Whether `timeZone` is an IANA time zone this runtime knows. */
export function isValidTimeZone(timeZone: string): boolean {
  if (timeZone.length === 0) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** Parses a duration that may be zero (`0`, `0s`, `0m`): the form of `for:` and `alertAfter`. */
export function parseDurationOrZero(text: string): number | undefined {
  if (/^0+(?:ms|s|m|h|d|w|y)?$/.test(text.trim())) return 0;
  return parseDuration(text);
}

/** Whether `seconds` is a whole multiple of `stepSeconds` (tolerant of millisecond rounding). */
export function isMultipleOf(seconds: number, stepSeconds: number): boolean {
  const ms = Math.round(seconds * 1000);
  const step = Math.round(stepSeconds * 1000);
  return step > 0 && ms % step === 0;
}
