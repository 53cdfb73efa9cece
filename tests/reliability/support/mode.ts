/**
 * How big the reliability suite runs: bounded in `npm test` (CI), full with
 * `SREKIT_RELIABILITY=full` (`npm run test:reliability`).
 */
export const FULL = process.env.SREKIT_RELIABILITY === 'full';

/** `bounded` in `npm test`, `full` in `npm run test:reliability`. */
export function scaled<T>(bounded: T, full: T): T {
  return FULL ? full : bounded;
}
