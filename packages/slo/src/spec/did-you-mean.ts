/**
 * Edit distance between two strings: insertions, deletions, substitutions and transpositions of
 * two adjacent characters each cost 1 (optimal string alignment, the Damerau–Levenshtein variant
 * that typo checkers use). `editDistance('objetcive', 'objective')` is 1.
 */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  // Three rolling rows are enough: the transposition step looks two rows back.
  let before = new Array<number>(b.length + 1).fill(0);
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  let current = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i += 1) {
    current[0] = i;
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, (before[j - 2] as number) + 1);
      }
      current[j] = best;
    }
    [before, previous, current] = [previous, current, before];
  }
  return previous[b.length] as number;
}

/** Options of {@link didYouMean}. */
export interface DidYouMeanOptions {
  /**
   * Largest edit distance still offered as a suggestion. Default: a third of the input's length,
   * at least 1 and at most 3, so `nme` finds `name` but `x` does not find `id`.
   */
  readonly maxDistance?: number;
}

/**
 * The candidate closest to `input` by {@link editDistance}, compared case-insensitively, or
 * `undefined` when none is close enough. Ties go to the earlier candidate.
 *
 * @example didYouMean('objectve', ['name', 'objective', 'labels']) // 'objective'
 */
export function didYouMean(
  input: string,
  candidates: Iterable<string>,
  options: DidYouMeanOptions = {},
): string | undefined {
  const needle = input.toLowerCase();
  const limit = options.maxDistance ?? Math.min(3, Math.max(1, Math.floor(needle.length / 3)));
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    // The distance is at least the difference in length: a candidate that far off can never be
    // offered, and skipping it keeps a huge input (a 100 kB value) from costing O(n·m) per candidate.
    const lowered = candidate.toLowerCase();
    if (Math.abs(lowered.length - needle.length) > Math.min(limit, bestDistance)) continue;
    const distance = editDistance(needle, lowered);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= limit ? best : undefined;
}
