import { humanDuration } from '../duration.js';

/**
 * Number wording shared by the gate's reasons and the report, so both say the same thing the
 * same way. Every function takes `undefined` (no data) and answers `no data`; none can print
 * NaN or Infinity.
 */

/** Text used wherever a number is missing because there was no traffic or no series. */
export const NO_DATA = 'no data';

function trim(fixed: string): string {
  return fixed.includes('.') ? fixed.replace(/0+$/, '').replace(/\.$/, '') : fixed;
}

function finite(value: number | undefined): value is number {
  return value !== undefined && Number.isFinite(value);
}

/**
 * A ratio as a percentage with up to `digits` decimals (`0.125` → `12.5 %`, `-1.2` → `-120 %`).
 */
export function formatPercent(ratio: number | undefined, digits = 2): string {
  if (!finite(ratio)) return NO_DATA;
  const text = trim((ratio * 100).toFixed(digits));
  return `${text === '-0' ? '0' : text} %`;
}

/**
 * An SLI or objective as a percentage precise enough to compare with objectives of many nines
 * (`0.99987` → `99.987 %`): up to 4 decimals.
 */
export function formatSli(ratio: number | undefined): string {
  return formatPercent(ratio, 4);
}

/** A burn rate with a `×` (`14.4×`, `0.25×`, `1200×`). */
export function formatBurnRate(rate: number | undefined): string {
  if (!finite(rate)) return NO_DATA;
  const digits = rate >= 100 ? 0 : rate >= 10 ? 1 : 2;
  return `${trim(rate.toFixed(digits))}×`;
}

/** An error ratio as a percentage (`0.0144` → `1.44 %`), with more digits for tiny ratios. */
export function formatErrorRatio(ratio: number | undefined): string {
  if (!finite(ratio)) return NO_DATA;
  if (ratio !== 0 && Math.abs(ratio) < 0.0001) return formatPercent(ratio, 6);
  return formatPercent(ratio, 3);
}

/** A duration in the two largest units (`43m 12s`, `2d 2h`). */
export function formatSeconds(seconds: number | undefined): string {
  if (!finite(seconds)) return NO_DATA;
  return seconds <= 0 ? '0s' : humanDuration(seconds);
}

/** A date as ISO 8601 in UTC to the minute (`2024-05-01 12:00 UTC`). */
export function formatDate(date: Date): string {
  if (Number.isNaN(date.getTime())) return NO_DATA;
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
