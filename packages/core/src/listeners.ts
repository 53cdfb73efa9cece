/** What `onX(listener)` returns across srekit: call `dispose()` to stop listening. */
export interface Disposable {
  dispose(): void;
}

/**
 * The listeners of one event, shared by every srekit part that has `onX(listener)` events. `emit`
 * calls each listener in turn and hands anything one throws to `onError`, so a faulty listener
 * stops neither the others nor the code that raised the event.
 *
 * @example
 * ```ts
 * const changes = new Listeners<StateChange>((error) => logger.warn({ err: error }, 'listener failed'));
 * const subscription = changes.add((change) => console.log(change));
 * changes.emit({ from: 'closed', to: 'open' });
 * subscription.dispose();
 * ```
 */
export class Listeners<T> {
  readonly #listeners = new Set<(event: T) => void>();
  readonly #onError: (error: unknown) => void;

  constructor(onError: (error: unknown) => void) {
    this.#onError = onError;
  }

  /** Number of listeners (emitters can skip building events nobody listens to). */
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

  /** Calls every listener with `event`. */
  emit(event: T): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        this.#onError(error);
      }
    }
  }

  /** Removes every listener. */
  clear(): void {
    this.#listeners.clear();
  }
}
