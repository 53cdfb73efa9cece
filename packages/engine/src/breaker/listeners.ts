import type { Disposable } from '../types.js';

/**
 * A set of listeners of one event. `emit` calls each in turn; anything a listener throws is
 * reported as a process warning so that one faulty listener neither stops the others nor breaks
 * the request that caused the event.
 */
export class Listeners<T> {
  readonly #listeners = new Set<(event: T) => void>();

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
        process.emitWarning(
          `@srekit/engine: an event listener threw: ${error instanceof Error ? error.message : String(error)}`,
          { code: 'SREKIT_ENGINE_LISTENER' },
        );
      }
    }
  }
}
