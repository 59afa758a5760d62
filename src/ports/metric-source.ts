import type { Batch } from '../core/judge/judge-types.js';
import type { RouteTarget } from './router.js';

export interface MetricWindow {
  /** Window start and end, milliseconds since the epoch. */
  from: number;
  to: number;
  /**
   * `records`: the whole window, weight changes inside it included (a post-mortem's
   * impact over the exposure). Default `judge`: a source may narrow the window to time
   * spent at one weight (the demo's wall-time source does).
   */
  use?: 'judge' | 'records';
  /**
   * The traffic split changed at `from` (the first batch of a traffic step). A source whose
   * samples straddle `from` (a scrape interval that began before it) should count only
   * what it measured wholly after `from`, so the batch is not a mix of two weights.
   * Optional: a source that measures exactly at `from` may ignore it.
   */
  startsAtChange?: boolean;
}

/** Missing data is not zero: a source says why it has nothing. */
export type MetricRead =
  | { ok: true; batch: Omit<Batch, 't' | 'weight'>; staleSeconds?: number }
  | { ok: false; reason: string; retryable: boolean };

/**
 * MetricSource port: per-version aggregates over one window. Implemented by the built-in
 * router's measurements and Prometheus; both run the MetricSource contract suite.
 */
export interface MetricSource {
  readonly name: string;
  read(target: RouteTarget, window: MetricWindow, signal?: AbortSignal): Promise<MetricRead>;
  close?(): Promise<void>;
}
