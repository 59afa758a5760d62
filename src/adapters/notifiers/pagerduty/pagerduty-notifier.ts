import {
  outcomeForNetworkError,
  outcomeForStatus,
  redactSecrets,
} from '../../../core/notify/delivery-outcome.js';
import type { OutboxMessage } from '../../../core/rollout/rollout-types.js';
import type { DeliveryOutcome, Notifier } from '../../../ports/notifier.js';

export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';

export type PagerDutySeverity = 'critical' | 'error' | 'warning' | 'info';

export interface PagerDutyNotifierOptions {
  name?: string;
  /** The integration's routing key (a credential). */
  routingKey: string;
  /** Default https://events.pagerduty.com/v2/enqueue. */
  url?: string;
  /** Severity of every trigger; default critical for a failed rollback, error otherwise. */
  severity?: PagerDutySeverity;
  dashboardUrl?: string;
  /** Default 10 s. */
  timeoutMs?: number;
}

/** What an outbox event does to the rollout's incident (ADR 0101, 0172). */
export const PAGERDUTY_ACTIONS: Record<string, 'trigger' | 'resolve'> = {
  'rollout.halted': 'trigger',
  'rollout.rolled_back': 'trigger',
  'rollout.failed': 'trigger',
  'incident.opened': 'trigger',
  'incident.escalated': 'trigger',
  'rollout.completed': 'resolve',
  /** The post-rollback verification passed. */
  'incident.resolved': 'resolve',
};

/**
 * PagerDuty Events API v2: one PagerDuty incident per rollgate incident, `dedup_key` =
 * `rollgate/INC-<rolloutId>`, so the rollback, the escalations and the resolve all
 * address the same one.
 */
export class PagerDutyNotifier implements Notifier {
  readonly name: string;

  constructor(private readonly options: PagerDutyNotifierOptions) {
    this.name = options.name ?? 'pagerduty';
  }

  static dedupKey(message: OutboxMessage): string {
    const incident = message.payload.incidentId;
    if (typeof incident === 'string' && incident !== '') return `rollgate/${incident}`;
    return `rollgate/${message.rolloutId ? `INC-${message.rolloutId}` : message.idempotencyKey}`;
  }

  /** The event for a message, or null when the message does not touch an incident. */
  event(message: OutboxMessage): Record<string, unknown> | null {
    const action = PAGERDUTY_ACTIONS[message.eventType];
    if (action === undefined) return null;
    const base = {
      routing_key: this.options.routingKey,
      event_action: action,
      dedup_key: PagerDutyNotifier.dedupKey(message),
    };
    if (action === 'resolve') return base;
    const p = message.payload;
    const str = (k: string) =>
      typeof p[k] === 'string' || typeof p[k] === 'number' ? String(p[k]) : '';
    const what =
      message.eventType === 'rollout.failed'
        ? 'rollback FAILED'
        : message.eventType === 'rollout.halted'
          ? 'halted, rolling back'
          : message.eventType === 'incident.escalated'
            ? 'rolled back, incident still open'
            : 'rolled back';
    const reason = str('reason') || str('message');
    const summary = `${str('service')} ${str('version')} ${what} in ${str('environment')}${reason ? `: ${reason}` : ''}`;
    const dashboard = this.options.dashboardUrl?.replace(/\/+$/, '');
    return {
      ...base,
      payload: {
        summary: summary.slice(0, 1024),
        source: `rollgate/${str('service')}/${str('environment')}`,
        severity:
          this.options.severity ?? (message.eventType === 'rollout.failed' ? 'critical' : 'error'),
        ...(str('at') ? { timestamp: str('at') } : {}),
        component: str('service') || undefined,
        group: str('environment') || undefined,
        class: message.eventType,
        custom_details: { ...p, idempotencyKey: message.idempotencyKey },
      },
      ...(dashboard && message.rolloutId
        ? {
            links: [
              {
                href: `${dashboard}/rollouts/${encodeURIComponent(message.rolloutId)}`,
                text: 'Rollout timeline',
              },
            ],
          }
        : {}),
    };
  }

  async deliver(message: OutboxMessage, signal?: AbortSignal): Promise<DeliveryOutcome> {
    const event = this.event(message);
    if (event === null) return { ok: true };
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 10_000);
    let outcome: DeliveryOutcome;
    try {
      const res = await fetch(this.options.url ?? PAGERDUTY_EVENTS_URL, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(event),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
      const text = await res.text().catch(() => '');
      outcome = outcomeForStatus(this.name, res.status, text, res.headers.get('retry-after'));
    } catch (err) {
      if (signal?.aborted) throw err;
      outcome = outcomeForNetworkError(this.name, err, timeout.aborted);
    }
    if (outcome.ok) return outcome;
    return { ...outcome, error: redactSecrets(outcome.error, [this.options.routingKey]) };
  }
}
