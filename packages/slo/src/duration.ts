/**
 * Prometheus duration notation (`5m`, `1h30m`, `4w`, `30d`), parsed to and formatted from
 * seconds exactly as Prometheus does, so rule names built from windows match Sloth's
 * (`ratio_rate30d`, `ratio_rate4w` for 28 days).
 */

const UNIT_SECONDS = {
  y: 365 * 86_400,
  w: 7 * 86_400,
  d: 86_400,
  h: 3_600,
  m: 60,
  s: 1,
  ms: 0.001,
} as const;

type Unit = keyof typeof UNIT_SECONDS;

// Units must appear from largest to smallest, each at most once (Prometheus' own rule).
const DURATION_PATTERN =
  /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const PATTERN_UNITS: readonly Unit[] = ['y', 'w', 'd', 'h', 'm', 's', 'ms'];

/** Seconds in one day. */
export const DAY_SECONDS = 86_400;

/**
 * Parses a Prometheus duration (`30d`, `1h30m`, `500ms`) into seconds. Returns `undefined` for
 * anything else (empty strings, negative or fractional numbers, unknown units, units out of
 * order, zero).
 *
 * @example parseDuration('1h30m') // 5400
 */
export function parseDuration(text: string): number | undefined {
  if (typeof text !== 'string' || text.length === 0) return undefined;
  const match = DURATION_PATTERN.exec(text.trim());
  if (!match) return undefined;
  let milliseconds = 0;
  let any = false;
  PATTERN_UNITS.forEach((unit, index) => {
    const value = match[index + 1];
    if (value === undefined) return;
    any = true;
    milliseconds += Number(value) * UNIT_SECONDS[unit] * 1000;
  });
  if (!any || milliseconds <= 0 || !Number.isSafeInteger(Math.round(milliseconds))) {
    return undefined;
  }
  return Math.round(milliseconds) / 1000;
}

/**
 * Formats seconds the way Prometheus formats a duration: years and weeks only when they divide
 * exactly, then days, hours, minutes, seconds and milliseconds (`2592000` → `30d`,
 * `2419200` → `4w`, `5400` → `1h30m`).
 */
export function formatDuration(seconds: number): string {
  let milliseconds = Math.round(seconds * 1000);
  if (milliseconds <= 0) return '0s';
  let out = '';
  const take = (unit: Unit, exactOnly: boolean): void => {
    const size = Math.round(UNIT_SECONDS[unit] * 1000);
    if (exactOnly && milliseconds % size !== 0) return;
    const count = Math.floor(milliseconds / size);
    if (count > 0) {
      out += `${count}${unit}`;
      milliseconds -= count * size;
    }
  };
  take('y', true);
  take('w', true);
  for (const unit of ['d', 'h', 'm', 's', 'ms'] as const) take(unit, false);
  return out;
}

/**
 * Human form of a duration for reports and messages: the two largest non-zero units
 * (`2592` → `43m 12s`, `180000` → `2d 2h`, `26` → `26s`).
 */
export function humanDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return seconds > 0 ? 'forever' : 'n/a';
  if (seconds < 1) return `${Math.round(seconds * 1000)}ms`;
  const parts: string[] = [];
  let rest = Math.round(seconds);
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    const count = Math.floor(rest / size);
    if (count > 0) parts.push(`${count}${unit}`);
    rest -= count * size;
  }
  return parts.slice(0, 2).join(' ') || '0s';
}
