import { SrekitError } from '@srekit/core';

/**
 * Stable error codes of `@srekit/engine`. Each is listed with its cause and fix in
 * `docs/error-codes.md`.
 */
export const ENGINE_ERROR_CODES = {
  /** An option or a backend definition is invalid (thrown at construction). */
  INVALID_OPTION: 'ERR_SREKIT_ENGINE_INVALID_OPTION',
  /** `breaker.execute()` refused the call because the circuit is open (or half-open and full). */
  BROKEN_CIRCUIT: 'ERR_SREKIT_ENGINE_BROKEN_CIRCUIT',
} as const;

/** Union of every error code `@srekit/engine` can produce. */
export type EngineErrorCode = (typeof ENGINE_ERROR_CODES)[keyof typeof ENGINE_ERROR_CODES];

/** Throws `ERR_SREKIT_ENGINE_INVALID_OPTION` naming the option and the fix. */
export function invalidOption(option: string, problem: string, fix: string): never {
  throw new SrekitError(
    ENGINE_ERROR_CODES.INVALID_OPTION,
    `Invalid option \`${option}\`: ${problem}. ${fix}`,
  );
}
