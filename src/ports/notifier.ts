import type { OutboxMessage } from '../core/rollout/rollout-types.js';

export type DeliveryOutcome =
  | { ok: true }
  | { ok: false; retryable: boolean; error: string; disableEndpoint?: boolean };

/** Notifier port: delivers one outbox message; must send `idempotencyKey` along. */
export interface Notifier {
  readonly name: string;
  deliver(message: OutboxMessage, signal?: AbortSignal): Promise<DeliveryOutcome>;
}
