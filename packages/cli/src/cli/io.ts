import type { FetchLike } from '@srekit/slo';
import type { Mixin, MixinOptions } from '../mixins/types.js';

/** Something text can be written to (`process.stdout`, or a buffer in tests). */
export interface CliWritable {
  write(chunk: string): unknown;
}

/**
 * The process around one run of `srekit`: its streams, working directory and environment.
 * `bin.ts` passes the real ones; tests pass buffers, a temporary directory and a fixed env.
 */
export interface CliIo {
  readonly stdout: CliWritable;
  readonly stderr: CliWritable;
  /** Relative paths on the command line are resolved against it. */
  readonly cwd: string;
  /** Environment variables (`NO_COLOR`, `FORCE_COLOR`). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Whether the output goes to a terminal: colour and the progress line only then. */
  readonly isTTY: boolean;
}

/** Replaceable collaborators of a run; the defaults are the real ones. */
export interface CliDependencies {
  /**
   * The mixins `generate` writes. Default: `allMixins()` of `@srekit/cli` (core, slo, security,
   * engine).
   */
  readonly mixins?: (options: MixinOptions) => readonly Mixin[];
  /** `fetch` for Prometheus queries (`gate`, `report`). Default `globalThis.fetch`. */
  readonly fetch?: FetchLike;
  /** The time reports and budgets count from. Default: now. */
  readonly now?: () => Date;
}
