import { describe, expect, it } from 'vitest';
import { Listeners } from './listeners.js';

describe('Listeners', () => {
  it('calls every listener, reports a throwing one and keeps going', () => {
    const errors: unknown[] = [];
    const seen: string[] = [];
    const listeners = new Listeners<number>((error) => errors.push(error));
    listeners.add((n) => seen.push(`a${n}`));
    listeners.add(() => {
      throw new Error('boom');
    });
    listeners.add((n) => seen.push(`c${n}`));
    listeners.emit(1);
    expect(seen).toEqual(['a1', 'c1']);
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toBe('boom');
  });

  it('disposes one subscription without touching another of the same function', () => {
    const seen: number[] = [];
    const listener = (n: number) => void seen.push(n);
    const listeners = new Listeners<number>(() => {});
    const first = listeners.add(listener);
    listeners.add(listener);
    expect(listeners.size).toBe(2);
    first.dispose();
    listeners.emit(7);
    expect(seen).toEqual([7]);
    listeners.clear();
    listeners.emit(8);
    expect(seen).toEqual([7]);
    expect(listeners.size).toBe(0);
  });
});
