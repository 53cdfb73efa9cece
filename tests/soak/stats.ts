/** Small statistics for the soak: quantiles, medians and the quarters of a series. */

/** The `q` quantile (0..1) of `values` (nearest rank); `NaN` when empty. */
export function quantile(values: readonly number[] | Float64Array, q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] as number;
}

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** The first and the last quarter of `values` (at least one element each when not empty). */
export function firstAndLastQuarter<T>(values: readonly T[]): { first: T[]; last: T[] } {
  const size = Math.max(1, Math.floor(values.length / 4));
  return { first: values.slice(0, size), last: values.slice(values.length - size) };
}

/** Relative change of the median of the last quarter over the first quarter (0.05 = +5 %). */
export function medianGrowth(values: readonly number[]): {
  first: number;
  last: number;
  growth: number;
} {
  const { first, last } = firstAndLastQuarter(values);
  const a = median(first);
  const b = median(last);
  return { first: a, last: b, growth: b / a - 1 };
}

export function round(value: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length;
}
