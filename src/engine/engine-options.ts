import { DEFAULT_OUTBOX_ROUTES, type OutboxRoutes } from '../core/rollout/rollout-events.js';
import type { NewOutboxMessage, RolloutSnapshot } from '../core/rollout/rollout-types.js';

export interface RetryPolicy {
  /** Attempts in all (the first call included) before the rollout pauses (or fails, in a rollback). */
  attempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
  factor: number;
}

export interface EngineOptions {
  /** How often a traffic or watch step reads the metric source and asks the judge. */
  batchIntervalMs: number;
  /** How often the background loop looks for rollouts to drive. */
  scanIntervalMs: number;
  /** Router, deployer and check calls: retried with exponential backoff. */
  retry: RetryPolicy;
  /** A command that meets a concurrent writer re-reads and re-validates this many times. */
  commandConflictRetries: number;
  /** An unexpected error in one rollout: wait this long, then try again. */
  errorBackoffMs: number;
  /** After this many unexpected errors in a row, a running rollout pauses. */
  maxConsecutiveErrors: number;
  /** Maps the machine's logical routes to the policy's notifier routes. */
  routes: OutboxRoutes;
  /**
   * Turns the machine's messages (logical routes) into the policy's channels, with their
   * delays (core/notify/notification-routing.ts); without it they keep their routes.
   */
  routeOutbox?: (messages: NewOutboxMessage[]) => NewOutboxMessage[];
  /** With several controllers on one store: hold a lease on each rollout driven. */
  lease?: { owner: string; ttlMs: number };
  /** Where errors that cannot be written to a rollout go (a logger). */
  onError?: (error: Error, rolloutId?: string) => void;
  /** Rollout ids. */
  newId?: () => string;
  /**
   * Called after every change this engine commits (the rollback reaction of issue #7
   * listens for `rolled_back`). Must not throw; it must not block either: start the work
   * and return. Crash safety comes from the caller's reconcile, not from this call.
   */
  onCommitted?: (next: RolloutSnapshot) => void;
}

/** The defaults: named here, overridden from the policy by the composition root. */
export const DEFAULT_ENGINE_OPTIONS: EngineOptions = {
  batchIntervalMs: 10_000,
  scanIntervalMs: 5_000,
  retry: { attempts: 5, initialDelayMs: 1_000, maxDelayMs: 30_000, factor: 2 },
  commandConflictRetries: 2,
  errorBackoffMs: 5_000,
  maxConsecutiveErrors: 3,
  routes: DEFAULT_OUTBOX_ROUTES,
};

export function backoffMs(policy: RetryPolicy, attempt: number): number {
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.factor ** (attempt - 1));
}
