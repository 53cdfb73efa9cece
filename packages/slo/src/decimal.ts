/**
 * Exact decimal arithmetic for objectives. `100 - 99.9` in binary floating point is
 * `0.09999999999999432`; budgets derived from it drift in the last digits and leak into rule files
 * and reports. Objectives are decimals as written, so the allowed error ratio is computed on
 * scaled integers and only converted to a number at the end (99.9 → 0.001 exactly as a literal).
 */

const DECIMAL_PATTERN = /^(\d+)(?:\.(\d+))?$/;

/** A non-negative decimal as an integer mantissa and a power-of-ten scale. */
interface Scaled {
  readonly mantissa: bigint;
  readonly scale: number;
}

function parseDecimal(text: string): Scaled | undefined {
  const match = DECIMAL_PATTERN.exec(text.trim());
  if (!match) return undefined;
  const whole = match[1] ?? '0';
  const fraction = match[2] ?? '';
  return { mantissa: BigInt(whole + fraction), scale: fraction.length };
}

function formatScaled({ mantissa, scale }: Scaled): string {
  if (scale === 0) return mantissa.toString();
  const digits = mantissa.toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale).replace(/0+$/, '');
  return fraction.length > 0 ? `${whole}.${fraction}` : whole;
}

/**
 * The canonical decimal text of an objective given as a number or a string (`99.9`, `"99.90"`
 * → `"99.9"`). Numbers are read through their shortest round-trip form, which is what a YAML
 * author wrote. Returns `undefined` for non-decimal input (negative, exponent form, NaN).
 */
export function objectiveText(objective: number | string): string | undefined {
  const text = typeof objective === 'number' ? numberToPlainString(objective) : objective;
  if (text === undefined) return undefined;
  const scaled = parseDecimal(text);
  return scaled ? formatScaled(scaled) : undefined;
}

function numberToPlainString(value: number): string | undefined {
  if (!Number.isFinite(value) || value < 0) return undefined;
  const text = String(value);
  if (!/e/i.test(text)) return text;
  // Small objectives such as 1e-7 are legal numbers but never sensible; expand them exactly.
  const fixed = value.toFixed(20).replace(/0+$/, '').replace(/\.$/, '');
  return fixed;
}

/**
 * The allowed error ratio of an objective in percent, computed exactly:
 * `(100 − objective) ÷ 100` as decimal text (`"99.9"` → `"0.001"`, `"99.95"` → `"0.0005"`).
 * Returns `undefined` when the text is not a decimal in (0, 100).
 */
export function errorRatioText(objective: number | string): string | undefined {
  const text = objectiveText(objective);
  if (text === undefined) return undefined;
  const scaled = parseDecimal(text);
  if (!scaled) return undefined;
  const hundred = 100n * 10n ** BigInt(scaled.scale);
  if (scaled.mantissa <= 0n || scaled.mantissa >= hundred) return undefined;
  return formatScaled({ mantissa: hundred - scaled.mantissa, scale: scaled.scale + 2 });
}

/** {@link errorRatioText} as a number: the nearest double to the exact ratio (99.9 → 0.001). */
export function allowedErrorRatio(objective: number | string): number | undefined {
  const text = errorRatioText(objective);
  return text === undefined ? undefined : Number(text);
}

/** The objective as a ratio in (0, 1), exactly rounded (`99.9` → `0.999`). */
export function objectiveRatio(objective: number | string): number | undefined {
  const text = objectiveText(objective);
  if (text === undefined) return undefined;
  const scaled = parseDecimal(text);
  if (!scaled) return undefined;
  return Number(formatScaled({ mantissa: scaled.mantissa, scale: scaled.scale + 2 }));
}

/**
 * Formats a number for a PromQL or YAML literal: the shortest text that reads back as the same
 * double, never exponent notation for ordinary magnitudes (`0.001`, `14.4`, `0.9333333333333333`).
 */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return String(value);
  const text = String(value);
  if (!/e/i.test(text)) return text;
  const abs = Math.abs(value);
  if (abs >= 1e-20 && abs < 1e21) {
    for (let digits = 1; digits <= 40; digits += 1) {
      const candidate = value.toFixed(digits);
      if (Number(candidate) === value) return candidate;
    }
  }
  return text;
}
