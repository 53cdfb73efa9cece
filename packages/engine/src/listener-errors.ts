/** Reports what an event listener threw as a process warning: engine parts have no logger. */
export function reportListenerError(error: unknown): void {
  process.emitWarning(
    `@srekit/engine: an event listener threw: ${error instanceof Error ? error.message : String(error)}`,
    { code: 'SREKIT_ENGINE_LISTENER' },
  );
}
