import type { CalendarWindow } from '../types.js';

/** The calendar period an instant falls into, as epoch milliseconds `[startMs, endMs)`. */
export interface CalendarPeriodBounds {
  readonly startMs: number;
  readonly endMs: number;
}

const DAY_MS = 86_400_000;
// 1970-01-05 was a Monday; weeks start on Monday (ISO 8601).
const FIRST_MONDAY_DAY = 4;
const MONTHS_PER_UNIT = { month: 1, quarter: 3, year: 12 } as const;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Wall-clock fields of an instant in a time zone, as a UTC timestamp (local "as if UTC"). */
function localAsUtc(ms: number, timeZone: string): number {
  const fields: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(ms)) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  return Date.UTC(
    fields.year ?? 1970,
    (fields.month ?? 1) - 1,
    fields.day ?? 1,
    fields.hour ?? 0,
    fields.minute ?? 0,
    fields.second ?? 0,
  );
}

/** The offset of the zone from UTC at an instant, in milliseconds (local − UTC). */
function offsetAt(ms: number, timeZone: string): number {
  const whole = Math.floor(ms / 1000) * 1000;
  return localAsUtc(whole, timeZone) - whole;
}

/**
 * The instant of local midnight of a day (given as days since 1970-01-01) in a time zone. When a
 * daylight-saving change skips midnight, the first instant of the local day is returned.
 */
function localMidnight(day: number, timeZone: string): number {
  const local = day * DAY_MS;
  const first = local - offsetAt(local, timeZone);
  const second = local - offsetAt(first, timeZone);
  if (second === first) return first;
  // Offsets disagree around a transition: take the earlier candidate that is still on this day.
  const candidates = [first, second].sort((a, b) => a - b);
  for (const candidate of candidates) {
    if (Math.floor(localAsUtc(candidate, timeZone) / DAY_MS) === day) return candidate;
  }
  return candidates[1] ?? first;
}

function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}

function monthStartDay(monthIndex: number): number {
  const year = 1970 + Math.floor(monthIndex / 12);
  return Date.UTC(year, mod(monthIndex, 12), 1) / DAY_MS;
}

/**
 * The calendar period of `window` that contains `atMs`, in the window's time zone. Days start at
 * local midnight, weeks on Monday, months on the 1st, quarters in January, April, July and
 * October, years on 1 January. A period of several units (`count` > 1, e.g. two weeks) is aligned
 * to the Unix epoch: the first starts with the unit that contains 1 January 1970 (for weeks, the
 * Monday 5 January 1970).
 *
 * @example calendarPeriod({ kind: 'calendar', unit: 'month', count: 1, timeZone: 'UTC', … }, Date.UTC(2026, 1, 14))
 * // { startMs: Date.UTC(2026, 1, 1), endMs: Date.UTC(2026, 2, 1) }
 */
export function calendarPeriod(window: CalendarWindow, atMs: number): CalendarPeriodBounds {
  const count = Math.max(1, Math.floor(window.count));
  const { timeZone, unit } = window;
  const day = Math.floor(localAsUtc(atMs, timeZone) / DAY_MS);
  let startDay: number;
  let endDay: number;
  if (unit === 'day') {
    startDay = day - mod(day, count);
    endDay = startDay + count;
  } else if (unit === 'week') {
    const week = Math.floor((day - FIRST_MONDAY_DAY) / 7);
    const first = week - mod(week, count);
    startDay = FIRST_MONDAY_DAY + first * 7;
    endDay = startDay + 7 * count;
  } else {
    const date = new Date(day * DAY_MS);
    const month = (date.getUTCFullYear() - 1970) * 12 + date.getUTCMonth();
    const span = MONTHS_PER_UNIT[unit] * count;
    const first = month - mod(month, span);
    startDay = monthStartDay(first);
    endDay = monthStartDay(first + span);
  }
  return { startMs: localMidnight(startDay, timeZone), endMs: localMidnight(endDay, timeZone) };
}
