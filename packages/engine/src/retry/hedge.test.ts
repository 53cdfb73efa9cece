import { describe, expect, it } from 'vitest';
import { hedge } from './hedge.js';

/** A fake backend call that answers `value` after `ms`, and records whether it was aborted. */
function slow<T>(
  ms: number,
  value: T,
  log: { aborted: boolean[] },
  attempt: number,
  signal: AbortSignal,
) {
  log.aborted[attempt] = false;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => resolve(value), ms);
    signal.addEventListener('abort', () => {
      log.aborted[attempt] = true;
      clearTimeout(timer);
      reject(signal.reason);
    });
  });
}

describe('hedge', () => {
  it('does not hedge when the first try answers within the delay', async () => {
    const log = { aborted: [] as boolean[] };
    const hedges: number[] = [];
    const result = await hedge(
      ({ attempt, signal }) => slow(5, `try ${attempt}`, log, attempt, signal),
      {
        delayMs: 100,
        onHedge: (a) => hedges.push(a),
      },
    );
    expect(result).toBe('try 0');
    expect(hedges).toEqual([]);
    expect(log.aborted).toEqual([false]);
  });

  it('starts a second try after the delay; the first answer wins and the loser is aborted', async () => {
    const log = { aborted: [] as boolean[] };
    const started = performance.now();
    const result = await hedge(
      ({ attempt, signal }) =>
        slow(attempt === 0 ? 1_000 : 10, `try ${attempt}`, log, attempt, signal),
      { delayMs: 20 },
    );
    expect(result).toBe('try 1');
    expect(log.aborted).toEqual([true, false]);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('starts at most maxHedges extra tries', async () => {
    const log = { aborted: [] as boolean[] };
    const result = await hedge(
      ({ attempt, signal }) =>
        slow(attempt === 0 ? 80 : 1_000, `try ${attempt}`, log, attempt, signal),
      { delayMs: 10, maxHedges: 2 },
    );
    expect(result).toBe('try 0');
    expect(log.aborted).toEqual([false, true, true]);
  });

  it('a try that fails while none is in flight starts the next at once', async () => {
    const started = performance.now();
    const result = await hedge(
      async ({ attempt }) => {
        if (attempt === 0) throw new Error('refused');
        return 'second';
      },
      { delayMs: 1_000 },
    );
    expect(result).toBe('second');
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('rejects with the last error when every try failed', async () => {
    await expect(
      hedge(
        async ({ attempt }) => {
          throw new Error(`fail ${attempt}`);
        },
        { delayMs: 5, maxHedges: 2 },
      ),
    ).rejects.toThrow('fail 2');
  });

  it("aborts every try when the caller's signal aborts", async () => {
    const log = { aborted: [] as boolean[] };
    const controller = new AbortController();
    const call = hedge(({ attempt, signal }) => slow(1_000, attempt, log, attempt, signal), {
      delayMs: 5,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(new Error('gone')), 30);
    await expect(call).rejects.toThrow('gone');
    expect(log.aborted).toEqual([true, true]);
  });

  it('refuses bad options', () => {
    expect(() => hedge(async () => 1, { delayMs: -1 })).toThrow(/delayMs/);
    expect(() => hedge(async () => 1, { delayMs: 1, maxHedges: 0.5 })).toThrow(/maxHedges/);
  });
});
