/**
 * Defaults of `@srekit/engine`, one block per part; docs and tests import them from here. Each
 * part adds its block below.
 */
export const ENGINE_DEFAULTS = {
  /** Weight of a backend that gives none. */
  weight: 1,
} as const;
