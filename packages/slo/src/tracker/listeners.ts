import type { Disposable } from './status.js';

/**
 * A set of listeners of one event. `emit` calls each in turn and passes anything a listener
 * throws to `onError`, so one faulty listener neither stops the others nor the caller.
 */
export class Listeners<T> {
  readonly #listeners = new Set<(event: T) => void>();
  readonly #onError: (error: unknown) => void;

  constructor(onError: (error: unknown) => void) {
    this.#onError = onError;
  }

  /** Number of listeners. */
  get size(): number {
    return this.#listeners.size;
  }

  /** Adds a listener. Each call is its own subscription, even for the same function. */
  add(listener: (event: T) => void): Disposable {
    // A wrapper per subscription, so disposing one subscription never removes another.
    const entry = (event: T): void => listener(event);
    this.#listeners.add(entry);
    return { dispose: () => void this.#listeners.delete(entry) };
  }

  emit(event: T): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        this.#onError(error);
      }
    }
  }

  clear(): void {
    this.#listeners.clear();
  }
}
