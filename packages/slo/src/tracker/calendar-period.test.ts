import { describe, expect, it } from 'vitest';
import type { CalendarUnit, CalendarWindow } from '../types.js';
import { CalendarCounter } from './calendar-counter.js';
import { calendarPeriod } from './calendar-period.js';

function calendar(unit: CalendarUnit, timeZone = 'UTC', count = 1): CalendarWindow {
  return { kind: 'calendar', unit, count, timeZone, seconds: 30 * 86_400, text: `1 ${unit}` };
}

describe('calendarPeriod', () => {
  it('aligns days, weeks, months, quarters and years in UTC', () => {
    const at = Date.UTC(2026, 4, 14, 15, 30); // Thursday 14 May 2026
    expect(calendarPeriod(calendar('day'), at)).toEqual({
      startMs: Date.UTC(2026, 4, 14),
      endMs: Date.UTC(2026, 4, 15),
    });
    expect(calendarPeriod(calendar('week'), at)).toEqual({
      startMs: Date.UTC(2026, 4, 11), // Monday
      endMs: Date.UTC(2026, 4, 18),
    });
    expect(calendarPeriod(calendar('month'), at)).toEqual({
      startMs: Date.UTC(2026, 4, 1),
      endMs: Date.UTC(2026, 5, 1),
    });
    expect(calendarPeriod(calendar('quarter'), at)).toEqual({
      startMs: Date.UTC(2026, 3, 1),
      endMs: Date.UTC(2026, 6, 1),
    });
    expect(calendarPeriod(calendar('year'), at)).toEqual({
      startMs: Date.UTC(2026, 0, 1),
      endMs: Date.UTC(2027, 0, 1),
    });
  });

  it('starts a period at local midnight of the time zone, across daylight-saving changes', () => {
    // 15 March 2026 01:00 UTC is still 14 March in New York (EDT, UTC−4).
    expect(calendarPeriod(calendar('day', 'America/New_York'), Date.UTC(2026, 2, 15, 1))).toEqual({
      startMs: Date.UTC(2026, 2, 14, 4),
      endMs: Date.UTC(2026, 2, 15, 4),
    });
    // 8 March 2026, the day DST begins there, has 23 hours.
    expect(calendarPeriod(calendar('day', 'America/New_York'), Date.UTC(2026, 2, 8, 12))).toEqual({
      startMs: Date.UTC(2026, 2, 8, 5),
      endMs: Date.UTC(2026, 2, 9, 4),
    });
    // March in Berlin: starts at CET (UTC+1), ends at CEST (UTC+2).
    expect(calendarPeriod(calendar('month', 'Europe/Berlin'), Date.UTC(2026, 2, 20))).toEqual({
      startMs: Date.UTC(2026, 1, 28, 23),
      endMs: Date.UTC(2026, 2, 31, 22),
    });
    // 31 December 23:30 UTC is already next year in Tokyo.
    expect(calendarPeriod(calendar('year', 'Asia/Tokyo'), Date.UTC(2026, 11, 31, 23, 30))).toEqual({
      startMs: Date.UTC(2026, 11, 31, 15),
      endMs: Date.UTC(2027, 11, 31, 15),
    });
  });

  it('aligns multi-unit periods to the epoch', () => {
    const twoWeeks = calendarPeriod(calendar('week', 'UTC', 2), Date.UTC(2026, 4, 14));
    expect((twoWeeks.endMs - twoWeeks.startMs) / 86_400_000).toBe(14);
    expect(((twoWeeks.startMs - Date.UTC(1970, 0, 5)) / 86_400_000) % 14).toBe(0);
    expect(twoWeeks.startMs).toBeLessThanOrEqual(Date.UTC(2026, 4, 14));
    expect(twoWeeks.endMs).toBeGreaterThan(Date.UTC(2026, 4, 14));
  });
});

describe('CalendarCounter', () => {
  it('counts the current period and starts again in the next one', () => {
    const c = new CalendarCounter(calendar('month'));
    c.add(Date.UTC(2026, 0, 30), 10, 1);
    c.add(Date.UTC(2026, 0, 31, 23, 59), 5, 0);
    c.read(Date.UTC(2026, 0, 31, 23, 59, 59));
    expect([c.good, c.bad]).toEqual([15, 1]);
    expect(c.startMs).toBe(Date.UTC(2026, 0, 1));
    c.read(Date.UTC(2026, 1, 1));
    expect([c.good, c.bad]).toEqual([0, 0]);
    expect(c.startMs).toBe(Date.UTC(2026, 1, 1));
    c.add(Date.UTC(2026, 0, 31), 7, 7); // belongs to January, which is over
    c.add(Date.UTC(2026, 1, 2), 2, 0);
    c.read(Date.UTC(2026, 1, 3));
    expect([c.good, c.bad]).toEqual([2, 0]);
  });
});
