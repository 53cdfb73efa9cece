import type { CalendarWindow } from '../types.js';
import { calendarPeriod } from './calendar-period.js';

/**
 * Good and bad events since the start of the current calendar period (this month, this week…).
 * When an event or a read reaches the next period, the counts start again from zero; events
 * from an earlier period are dropped.
 */
export class CalendarCounter {
  readonly window: CalendarWindow;
  /** Good events in the current period as of the last {@link read}. */
  good = 0;
  /** Bad events in the current period as of the last {@link read}. */
  bad = 0;
  #startMs = Number.POSITIVE_INFINITY;
  #endMs = Number.NEGATIVE_INFINITY;
  #good = 0;
  #bad = 0;

  constructor(window: CalendarWindow) {
    this.window = window;
  }

  /** Start of the current period (epoch ms); undefined before the first event or read. */
  get startMs(): number | undefined {
    return Number.isFinite(this.#startMs) ? this.#startMs : undefined;
  }

  /** End (exclusive) of the current period (epoch ms); undefined before the first event or read. */
  get endMs(): number | undefined {
    return Number.isFinite(this.#endMs) ? this.#endMs : undefined;
  }

  add(at: number, good: number, bad: number): void {
    if (at >= this.#startMs && at < this.#endMs) {
      this.#good += good;
      this.#bad += bad;
      return;
    }
    // Before the current period: that period is over and its counts are gone.
    if (at < this.#endMs) return;
    this.#roll(at);
    this.#good += good;
    this.#bad += bad;
  }

  /** Moves to the period of `now` if it has started, and sets {@link good} and {@link bad}. */
  read(now: number): void {
    if (now >= this.#endMs || !Number.isFinite(this.#startMs)) this.#roll(now);
    this.good = this.#good;
    this.bad = this.#bad;
  }

  /** Forgets every event. */
  clear(): void {
    this.#startMs = Number.POSITIVE_INFINITY;
    this.#endMs = Number.NEGATIVE_INFINITY;
    this.#good = 0;
    this.#bad = 0;
    this.good = 0;
    this.bad = 0;
  }

  #roll(at: number): void {
    const { startMs, endMs } = calendarPeriod(this.window, at);
    this.#startMs = startMs;
    // A period must contain `at`, whatever the time-zone data says, or events would be lost.
    this.#endMs = endMs > at ? endMs : at + 1;
    this.#good = 0;
    this.#bad = 0;
  }
}
