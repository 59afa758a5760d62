import type { OutboxMessage } from '../../src/core/rollout/rollout-types.js';
import type { DeliveryOutcome, Notifier } from '../../src/ports/notifier.js';

/** Records what it delivers; can fail the next N deliveries (retryable or not). */
export class FakeNotifier implements Notifier {
  readonly delivered: OutboxMessage[] = [];
  readonly attempts: string[] = [];
  private failures = 0;
  private retryable = true;

  constructor(readonly name = 'fake-notifier') {}

  failNext(n: number, retryable = true): void {
    this.failures = n;
    this.retryable = retryable;
  }

  async deliver(message: OutboxMessage): Promise<DeliveryOutcome> {
    this.attempts.push(message.idempotencyKey);
    if (this.failures > 0) {
      this.failures -= 1;
      return {
        ok: false,
        retryable: this.retryable,
        error: 'HTTP 503 from hooks.slack.com (fake)',
      };
    }
    this.delivered.push(message);
    return { ok: true };
  }
}
