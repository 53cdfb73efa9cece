import type { CliIo } from './io.js';

/** ANSI styling that is a no-op when colour is off. */
export interface Style {
  readonly enabled: boolean;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  bold(text: string): string;
  dim(text: string): string;
}

/**
 * Whether to colour output: never with `NO_COLOR` set to anything non-empty (no-color.org),
 * always with `FORCE_COLOR` set (other than `0`), otherwise only on a terminal.
 */
export function colourEnabled(io: Pick<CliIo, 'env' | 'isTTY'>): boolean {
  const noColor = io.env.NO_COLOR;
  if (noColor !== undefined && noColor !== '') return false;
  const force = io.env.FORCE_COLOR;
  if (force !== undefined && force !== '0' && force !== 'false') return true;
  return io.isTTY;
}

function wrap(enabled: boolean, open: number, close: number): (text: string) => string {
  return enabled ? (text) => `\u001b[${open}m${text}\u001b[${close}m` : (text) => text;
}

/** The style for a run: colours when {@link colourEnabled}, plain text otherwise. */
export function createStyle(io: Pick<CliIo, 'env' | 'isTTY'>): Style {
  const enabled = colourEnabled(io);
  return {
    enabled,
    red: wrap(enabled, 31, 39),
    green: wrap(enabled, 32, 39),
    yellow: wrap(enabled, 33, 39),
    bold: wrap(enabled, 1, 22),
    dim: wrap(enabled, 2, 22),
  };
}

/** A one-line progress indicator on stderr, rewritten in place; silent when not on a terminal. */
export interface Progress {
  update(message: string): void;
  /** Erases the line, so the final output starts on a clean line. */
  done(): void;
}

/**
 * Progress for long work (reading specs, querying Prometheus, writing files). Only on a TTY:
 * in CI logs and pipes a rewritten line is noise, and `--json` output must stay clean.
 */
export function createProgress(io: CliIo, enabled: boolean): Progress {
  if (!enabled || !io.isTTY) return { update: () => {}, done: () => {} };
  let shown = false;
  return {
    update(message) {
      shown = true;
      io.stderr.write(`\r\u001b[2K${message}`);
    },
    done() {
      if (shown) io.stderr.write('\r\u001b[2K');
      shown = false;
    },
  };
}
