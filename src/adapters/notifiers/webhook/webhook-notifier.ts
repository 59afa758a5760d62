import { createHmac } from 'node:crypto';
import { RollgateError } from '../../../core/errors/rollgate-error.js';
import {
  outcomeForNetworkError,
  outcomeForStatus,
  redactSecrets,
} from '../../../core/notify/delivery-outcome.js';
import type { OutboxMessage } from '../../../core/rollout/rollout-types.js';
import type { Clock } from '../../../ports/clock.js';
import type { DeliveryOutcome, Notifier } from '../../../ports/notifier.js';

export interface WebhookNotifierOptions {
  name?: string;
  url: string;
  /**
   * Signing secrets `whsec_<base64>`: the message is signed with each (several during a
   * rotation, the new one first) and the signatures go space-separated in one header.
   */
  secrets: string[];
  clock: Pick<Clock, 'now'>;
  /** Default 10 s. */
  timeoutMs?: number;
}

/** Decodes `whsec_<base64>` into the HMAC key; a bare base64 string is accepted too. */
export function signingKey(secret: string): Buffer {
  const b64 = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
  const key = Buffer.from(b64, 'base64');
  if (key.length === 0 || key.toString('base64').replace(/=+$/, '') !== b64.replace(/=+$/, '')) {
    throw new RollgateError('invalid_input', 'webhook signing secret is not `whsec_<base64>`', {
      hint: 'generate one with `echo whsec_$(openssl rand -base64 32)`',
    });
  }
  return key;
}

/**
 * Generic webhook signed per the Standard Webhooks specification: headers `webhook-id`
 * (the idempotency key), `webhook-timestamp`, `webhook-signature` (docs/adapters/notifiers.md).
 */
export class WebhookNotifier implements Notifier {
  readonly name: string;
  private readonly keys: Buffer[];

  constructor(private readonly options: WebhookNotifierOptions) {
    this.name = options.name ?? 'webhook';
    if (options.secrets.length === 0) {
      throw new RollgateError('invalid_input', `${this.name}: no signing secret`, {
        hint: 'set the channel `secret`',
      });
    }
    this.keys = options.secrets.map(signingKey);
  }

  /** The JSON body sent for a message. */
  static body(message: OutboxMessage): string {
    return JSON.stringify({
      type: message.eventType,
      timestamp: message.createdAt,
      data: { ...message.payload, rolloutId: message.rolloutId },
    });
  }

  sign(id: string, timestamp: number, body: string): string {
    return this.keys
      .map(
        (key) =>
          `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`,
      )
      .join(' ');
  }

  async deliver(message: OutboxMessage, signal?: AbortSignal): Promise<DeliveryOutcome> {
    const body = WebhookNotifier.body(message);
    const timestamp = Math.floor(this.options.clock.now() / 1000);
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 10_000);
    try {
      const res = await fetch(this.options.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'webhook-id': message.idempotencyKey,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': this.sign(message.idempotencyKey, timestamp, body),
        },
        body,
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
      const text = await res.text().catch(() => '');
      return this.redact(
        outcomeForStatus(this.name, res.status, text, res.headers.get('retry-after')),
      );
    } catch (err) {
      if (signal?.aborted) throw err;
      return this.redact(outcomeForNetworkError(this.name, err, timeout.aborted));
    }
  }

  private redact(outcome: DeliveryOutcome): DeliveryOutcome {
    if (outcome.ok) return outcome;
    return { ...outcome, error: redactSecrets(outcome.error, this.options.secrets) };
  }
}
