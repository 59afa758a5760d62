/**
 * Delivers outbox messages through the Notifier port: at least once, each under its
 * idempotency key (the notifier passes it on, so the receiver drops duplicates), with
 * backoff between attempts and a dead letter after the last one.
 */
import { coerceError } from '../core/errors/rollgate-error.js';
import type { OutboxMessage } from '../core/rollout/rollout-types.js';
import type { Clock } from '../ports/clock.js';
import type { DeliveryOutcome, Notifier } from '../ports/notifier.js';
import type { Store } from '../ports/store.js';
import { backoffMs, type RetryPolicy } from './engine-options.js';

export interface OutboxDispatcherOptions {
  /** Messages taken per pass. */
  batchSize: number;
  pollIntervalMs: number;
  /** Attempts per message (retry.attempts), then it is dead. */
  retry: RetryPolicy;
  onError?: (error: Error) => void;
}

export const DEFAULT_OUTBOX_OPTIONS: OutboxDispatcherOptions = {
  batchSize: 50,
  pollIntervalMs: 2_000,
  retry: { attempts: 8, initialDelayMs: 5_000, maxDelayMs: 600_000, factor: 2 },
};

export interface DispatchReport {
  delivered: number;
  retried: number;
  dead: number;
  /** Delayed messages whose condition no longer held (an escalation after the fix). */
  cancelled: number;
}

/**
 * What the dispatcher asks of the rest of rollgate (issue #9), all optional: whether a
 * delayed message is still worth sending, the channels a 410 disabled, and what to do
 * with a dead letter (put it on the rollout's timeline). See NotificationKeeper.
 */
export interface OutboxHooks {
  stillDue?(m: OutboxMessage): Promise<{ send: true } | { send: false; reason: string }>;
  cancel?(m: OutboxMessage, reason: string, at: string): Promise<void>;
  disabledChannels?(): Promise<ReadonlySet<string>>;
  disableChannel?(m: OutboxMessage, reason: string, at: string): Promise<void>;
  onDead?(m: OutboxMessage, error: string, at: string): Promise<void>;
}

export class OutboxDispatcher {
  private readonly options: OutboxDispatcherOptions;

  constructor(
    private readonly deps: {
      store: Store;
      clock: Clock;
      /** Notifiers by route name (the outbox message's `route`). */
      notifiers: Record<string, Notifier>;
      hooks?: OutboxHooks;
    },
    options: Partial<OutboxDispatcherOptions> = {},
  ) {
    this.options = { ...DEFAULT_OUTBOX_OPTIONS, ...options };
  }

  private iso(ms: number): string {
    return new Date(ms).toISOString();
  }

  private async attempt(m: OutboxMessage, signal?: AbortSignal): Promise<DeliveryOutcome> {
    const notifier = this.deps.notifiers[m.route];
    if (notifier === undefined) {
      return {
        ok: false,
        retryable: false,
        error: `no notifier for route "${m.route}" (policy notifications section)`,
      };
    }
    try {
      return await notifier.deliver(m, signal);
    } catch (err) {
      if (signal?.aborted) throw err;
      return { ok: false, retryable: true, error: coerceError(err, 'provider_error').message };
    }
  }

  /** One pass over the messages due now. */
  async deliverDue(signal?: AbortSignal): Promise<DispatchReport> {
    const report: DispatchReport = { delivered: 0, retried: 0, dead: 0, cancelled: 0 };
    const { store, clock } = this.deps;
    const hooks = this.deps.hooks ?? {};
    const due = await store.dueOutbox(this.iso(clock.now()), this.options.batchSize);
    const disabled = new Set(due.length > 0 ? ((await hooks.disabledChannels?.()) ?? []) : []);
    for (const m of due) {
      signal?.throwIfAborted();
      if (m.payload.condition !== undefined && hooks.stillDue && hooks.cancel) {
        const check = await hooks.stillDue(m);
        if (!check.send) {
          await hooks.cancel(m, check.reason, this.iso(clock.now()));
          report.cancelled += 1;
          continue;
        }
      }
      const outcome: DeliveryOutcome = disabled.has(m.route)
        ? {
            ok: false,
            retryable: false,
            error: `channel "${m.route}" is disabled (its endpoint answered HTTP 410); fix it in the policy`,
          }
        : await this.attempt(m, signal);
      const now = clock.now();
      if (outcome.ok) {
        await store.markDelivered(m.id, this.iso(now));
        report.delivered += 1;
        continue;
      }
      const attempts = m.attempts + 1;
      const dead =
        !outcome.retryable ||
        outcome.disableEndpoint === true ||
        attempts >= this.options.retry.attempts;
      const next = now + backoffMs(this.options.retry, attempts);
      await store.markAttemptFailed(m.id, outcome.error, this.iso(next), dead);
      if (outcome.disableEndpoint === true) {
        disabled.add(m.route);
        await hooks.disableChannel?.(m, outcome.error, this.iso(now));
      }
      if (dead) {
        report.dead += 1;
        await hooks.onDead?.(m, outcome.error, this.iso(now));
      } else report.retried += 1;
    }
    return report;
  }

  /** Deliver every `pollIntervalMs` until the signal aborts; errors are reported, not thrown. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.deliverDue(signal);
      } catch (err) {
        if (signal.aborted) break;
        this.options.onError?.(coerceError(err));
      }
      try {
        await this.deps.clock.sleep(this.options.pollIntervalMs, signal);
      } catch {
        break;
      }
    }
  }
}
