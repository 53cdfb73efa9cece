/**
 * Types shared by every part of `@srekit/engine`: backends, the view of a backend that strategies
 * pick from, and the injectable clock and random source that make every part deterministic in
 * tests.
 */

/** A backend as the caller configures it. */
export interface BackendConfig {
  /** Unique, stable id (used in metrics, events and consistent hashing). */
  readonly id: string;
  /** Base URL, e.g. `http://10.0.0.7:8080`. */
  readonly url: string;
  /** Relative weight, a positive number. Default 1. */
  readonly weight?: number;
  /** Locality zone, e.g. `eu-west-1a`. */
  readonly zone?: string;
  /** Free-form labels. */
  readonly metadata?: Readonly<Record<string, string>>;
}

/** Milliseconds since an arbitrary origin (e.g. `performance.now`, `Date.now`). */
export type Clock = () => number;

/** Uniform random number in [0, 1), like `Math.random`. */
export type Random = () => number;

/**
 * What a strategy sees of a backend. The pool owns these records and updates the live fields
 * (`activeRequests`, `effectiveWeight`) in place; strategies read them and may keep their own
 * per-backend state keyed by `slot`.
 */
export interface BackendView {
  readonly id: string;
  readonly url: string;
  /** Index of the backend in the pool's current membership (stable until membership changes). */
  readonly slot: number;
  /** Configured weight. */
  readonly weight: number;
  /** Weight after slow start and other adjustments; what weighted strategies use. */
  effectiveWeight: number;
  /** Requests in flight to this backend right now. */
  activeRequests: number;
  readonly zone?: string;
}

/**
 * A load-balancing strategy. The pool calls `update()` whenever the set of eligible backends or
 * their weights change (O(n) work such as building a hash ring happens there, never per pick),
 * then `pick()` per request.
 */
export interface Strategy {
  /** Strategy name as in the pool option, e.g. `'p2c-ewma'`. */
  readonly name: StrategyName;
  /** Replaces the eligible backends. */
  update(backends: readonly BackendView[]): void;
  /**
   * Picks a backend, or `undefined` when there is none. `key` is the request's hash key for
   * consistent-hashing strategies (sticky sessions); others ignore it.
   */
  pick(key?: string): BackendView | undefined;
  /** Called when a request to `backend` starts (after `pick`). */
  onRequestStart?(backend: BackendView, at: number): void;
  /** Called when it ends, with its latency in ms and whether it succeeded. */
  onRequestEnd?(backend: BackendView, latencyMs: number, ok: boolean, at: number): void;
}

/** Names of the built-in strategies. */
export type StrategyName =
  | 'round-robin'
  | 'weighted-round-robin'
  | 'random'
  | 'least-request'
  | 'p2c-ewma'
  | 'ring-hash'
  | 'maglev';

/** What `onX(listener)` returns: call `dispose()` to stop listening (core's type). */
export type { Disposable } from '@srekit/core';
