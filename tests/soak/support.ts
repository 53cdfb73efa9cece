/** Length of the soak in seconds: `SREKIT_SOAK_SECONDS` (120 in `npm test`, 600 in `npm run test:reliability`). */
export function soakSeconds(): number {
  const raw = process.env.SREKIT_SOAK_SECONDS ?? '120';
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds < 10) {
    throw new Error(`SREKIT_SOAK_SECONDS=${raw}: give a number of seconds ≥ 10`);
  }
  return seconds;
}

/** Request rate of the soak: `SREKIT_SOAK_RPS` (default 100 requests per second). */
export function soakRps(): number {
  const raw = process.env.SREKIT_SOAK_RPS ?? '100';
  const rps = Number(raw);
  if (!Number.isFinite(rps) || rps < 1 || rps > 500) {
    throw new Error(`SREKIT_SOAK_RPS=${raw}: give a rate from 1 to 500 requests per second`);
  }
  return rps;
}

/** Warm-up excluded from the measurements: the first 20 % of the soak, at least 30 s. */
export function warmupSeconds(seconds: number): number {
  return Math.min(seconds / 2, Math.max(30, seconds * 0.2));
}
