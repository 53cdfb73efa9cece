import { formatNumber } from '../decimal.js';
import { DAY_SECONDS } from '../duration.js';
import type { CalendarUnit, CalendarWindow } from '../types.js';

/**
 * PromQL for calendar-aligned SLO periods ("this month so far"). Prometheus range selectors
 * take fixed lengths only, so the period SLI is a subquery over the longest possible period
 * whose steps are kept only when they fall in the same calendar period as the evaluation time.
 * The evaluation time inside the subquery comes from `timestamp(<series> @ end())`; each step
 * reads a rate recorded over exactly one step, so steps tile the period without overlap.
 *
 * Time zones are applied as a fixed UTC offset: the zone's offset on 1 January 2001 (standard
 * time north of the equator). Across a daylight-saving change the period boundary is off by the
 * DST shift (one hour) until the zone returns to that offset.
 */

/** Subquery range, step (= the recorded rate window) of each unit, in seconds. */
const UNIT_PLAN: Readonly<Record<CalendarUnit, { rangeSeconds: number; stepSeconds: number }>> = {
  day: { rangeSeconds: DAY_SECONDS, stepSeconds: 300 },
  week: { rangeSeconds: 7 * DAY_SECONDS, stepSeconds: 1_800 },
  month: { rangeSeconds: 31 * DAY_SECONDS, stepSeconds: 3_600 },
  quarter: { rangeSeconds: 92 * DAY_SECONDS, stepSeconds: 3_600 },
  year: { rangeSeconds: 366 * DAY_SECONDS, stepSeconds: DAY_SECONDS },
};

/** Subquery range and step for a calendar window. */
export function calendarPlan(window: CalendarWindow): {
  rangeSeconds: number;
  stepSeconds: number;
} {
  return UNIT_PLAN[window.unit];
}

/** The fixed UTC offset (seconds) used for a time zone; 0 for `UTC` or an unknown zone. */
const OFFSETS = new Map<string, number>();

export function zoneOffsetSeconds(timeZone: string): number {
  let offset = OFFSETS.get(timeZone);
  if (offset === undefined) {
    offset = computeOffset(timeZone);
    OFFSETS.set(timeZone, offset);
  }
  return offset;
}

function computeOffset(timeZone: string): number {
  if (timeZone === 'UTC' || timeZone === 'Etc/UTC') return 0;
  try {
    const part = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
      .formatToParts(new Date(Date.UTC(2001, 0, 1)))
      .find((p) => p.type === 'timeZoneName')?.value;
    const match = /GMT([+-])(\d{2}):(\d{2})/.exec(part ?? '');
    if (!match) return 0;
    const seconds = Number(match[2]) * 3_600 + Number(match[3]) * 60;
    return match[1] === '-' ? -seconds : seconds;
  } catch {
    return 0;
  }
}

function shifted(timestamps: string, offsetSeconds: number): string {
  if (offsetSeconds === 0) return timestamps;
  return `${timestamps} ${offsetSeconds < 0 ? '-' : '+'} ${Math.abs(offsetSeconds)}`;
}

/**
 * An expression giving a number that is equal for two timestamps exactly when they fall in the
 * same calendar period. `timestamps` is an instant-vector expression of Unix timestamps.
 * Weeks start on Monday (ISO 8601); 1970-01-01 was a Thursday, hence the `+ 3` days.
 */
export function periodIdExpr(
  unit: CalendarUnit,
  timestamps: string,
  offsetSeconds: number,
): string {
  const local = shifted(timestamps, offsetSeconds);
  switch (unit) {
    case 'day':
      return `floor((${local}) / ${DAY_SECONDS})`;
    case 'week':
      return `floor(((${local}) / ${DAY_SECONDS} + 3) / 7)`;
    case 'month':
      return `(year(${local}) * 12 + month(${local}))`;
    case 'quarter':
      return `(year(${local}) * 4 + floor((month(${local}) - 1) / 3))`;
    case 'year':
      return `year(${local})`;
  }
}

/**
 * `selector` restricted to the subquery steps whose rate window lies in the current calendar
 * period. `anchor` is a series present at the evaluation time whose timestamp gives "now".
 */
export function inCurrentPeriod(
  selector: string,
  anchor: string,
  window: CalendarWindow,
  stepSeconds: number,
): string {
  const offset = zoneOffsetSeconds(window.timeZone);
  const stepStart = periodIdExpr(window.unit, `vector(time() - ${stepSeconds})`, offset);
  const now = periodIdExpr(window.unit, `timestamp(${anchor} @ end())`, offset);
  return `${selector} and on() (${stepStart} == on() ${now})`;
}

/** `slo:time_period:days` for a calendar window: the real length of months, nominal otherwise. */
export function calendarPeriodDaysExpr(window: CalendarWindow): string {
  if (window.unit === 'month') {
    const offset = zoneOffsetSeconds(window.timeZone);
    return `days_in_month(${shifted('vector(time())', offset)})`;
  }
  return `vector(${formatNumber(window.seconds / DAY_SECONDS)})`;
}

/** Rule-name suffix and `slo_window` value of a calendar period, e.g. `_month`. */
export function calendarSuffix(window: CalendarWindow): string {
  return `_${window.unit}`;
}
