import { humanDuration } from '@srekit/slo';

/*
 * Number wording for the terminal. @srekit/slo words its gate reasons and reports the same way
 * but does not export its helpers; these stay consistent with them (`12.5 %`, `14.4×`, `43m 12s`)
 * and, like them, print `no data` rather than NaN or Infinity.
 */

/** Text shown where a number is missing (no traffic, no series). */
export const NO_DATA = 'no data';

function trim(fixed: string): string {
  return fixed.includes('.') ? fixed.replace(/0+$/, '').replace(/\.$/, '') : fixed;
}

function finite(value: number | undefined): value is number {
  return value !== undefined && Number.isFinite(value);
}

/** A ratio as a percentage (`0.125` → `12.5 %`). */
export function percent(ratio: number | undefined, digits = 2): string {
  if (!finite(ratio)) return NO_DATA;
  const text = trim((ratio * 100).toFixed(digits));
  return `${text === '-0' ? '0' : text} %`;
}

/** A burn rate (`14.4×`). */
export function burn(rate: number | undefined): string {
  if (!finite(rate)) return NO_DATA;
  const digits = rate >= 100 ? 0 : rate >= 10 ? 1 : 2;
  return `${trim(rate.toFixed(digits))}×`;
}

/** An error ratio as a percentage with more digits for tiny ratios (`0.001` → `0.1 %`). */
export function errorRatio(ratio: number | undefined): string {
  if (!finite(ratio)) return NO_DATA;
  return ratio !== 0 && Math.abs(ratio) < 0.0001 ? percent(ratio, 6) : percent(ratio, 4);
}

/** A duration in its two largest units (`43m 12s`); 0 or less is `0s`. */
export function seconds(value: number | undefined): string {
  if (!finite(value)) return NO_DATA;
  return value <= 0 ? '0s' : humanDuration(value);
}

/** Visible width of a string: ANSI colour codes take no room. */
function width(text: string): number {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes are what is stripped
  return text.replace(/\u001b\[[0-9;]*m/g, '').length;
}

/**
 * A plain-text table: columns padded to their widest cell, two spaces apart, a header row, no
 * trailing spaces. Right-aligns the columns listed in `right`.
 */
export function table(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  right: readonly number[] = [],
): string {
  const all = [header, ...rows];
  const widths = header.map((_, column) => Math.max(...all.map((row) => width(row[column] ?? ''))));
  return `${all
    .map((row) =>
      row
        .map((cell, column) => {
          const pad = ' '.repeat((widths[column] ?? 0) - width(cell));
          return right.includes(column) ? pad + cell : cell + pad;
        })
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}
