/** Length of the soak in seconds: `SREKIT_SOAK_SECONDS` (120 in `npm test`, 600 in `npm run test:reliability`). */
export function soakSeconds(): number {
  const raw = process.env.SREKIT_SOAK_SECONDS ?? '120';
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds < 10) {
    throw new Error(`SREKIT_SOAK_SECONDS=${raw}: give a number of seconds ≥ 10`);
  }
  return seconds;
}
