import type { Disposable } from '../types.js';

/**
 * Listeners of one event. `emit` calls each in turn; what a listener throws goes to `onError`,
 * so one faulty listener stops neither the others nor the health checker.
 */
export class Listeners<T> {
  readonly #listeners = new Set<(event: T) => void>();
  readonly #onError: (error: unknown) => void;

  constructor(onError: (error: unknown) => void) {
    this.#onError = onError;
  }

  /** Number of listeners (emitters skip building events nobody listens to). */
  get size(): number {
    return this.#listeners.size;
  }

  /** Adds a listener; each call is its own subscription, even for the same function. */
  add(listener: (event: T) => void): Disposable {
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
}
