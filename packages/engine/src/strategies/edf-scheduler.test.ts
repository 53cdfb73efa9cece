import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EdfScheduler } from './edf-scheduler.js';

// O(n) reference: earliest deadline, ties to the entry scheduled first.
function referenceSequence(weights: number[], picks: number): number[] {
  let now = 0;
  let sequence = 0;
  const entries = weights.map((w, item) => ({ item, deadline: now + 1 / w, seq: sequence++ }));
  const out: number[] = [];
  for (let k = 0; k < picks; k++) {
    let best = entries[0] as (typeof entries)[number];
    for (const e of entries) {
      if (e.deadline < best.deadline || (e.deadline === best.deadline && e.seq < best.seq))
        best = e;
    }
    out.push(best.item);
    now = best.deadline;
    best.deadline = now + 1 / (weights[best.item] as number);
    best.seq = sequence++;
  }
  return out;
}

describe('EdfScheduler', () => {
  it('picks exactly as the O(n) earliest-deadline-first reference', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 40 }),
        (weights) => {
          const edf = new EdfScheduler();
          edf.reset(weights.length);
          weights.forEach((w, i) => {
            edf.add(i, w);
          });
          const got: number[] = [];
          for (let k = 0; k < 200; k++) {
            const item = edf.peek();
            got.push(item);
            edf.advance(weights[item] as number);
          }
          expect(got).toEqual(referenceSequence(weights, 200));
        },
      ),
      { seed: 42, numRuns: 200 },
    );
  });

  it('is empty after reset()', () => {
    const edf = new EdfScheduler();
    edf.reset(4);
    expect(edf.peek()).toBe(-1);
  });
});
