import {
  outcomeForNetworkError,
  outcomeForStatus,
  redactSecrets,
} from '../../../core/notify/delivery-outcome.js';
import type { OutboxMessage } from '../../../core/rollout/rollout-types.js';
import type { DeliveryOutcome, Notifier } from '../../../ports/notifier.js';

export interface SlackNotifierOptions {
  name?: string;
  /** The incoming-webhook URL: a credential, never logged nor put in an error. */
  webhookUrl: string;
  /** Overrides the webhook's channel (legacy webhooks only honour it). */
  channel?: string;
  /** The rollout's page is `${dashboardUrl}/rollouts/<id>`. */
  dashboardUrl?: string;
  /** Default 10 s. */
  timeoutMs?: number;
}

const TITLES: Record<string, string> = {
  'rollout.started': 'Rollout started',
  'rollout.promoted': 'Rollout promoted',
  'rollout.paused': 'Rollout paused',
  'rollout.halted': 'Rollout halted: rolling back',
  'rollout.rolled_back': 'Rolled back',
  'rollout.completed': 'Rollout completed',
  'rollout.failed': 'Rollback FAILED: action needed',
  'incident.opened': 'Incident opened',
  'incident.escalated': 'Incident still open: escalating',
  'incident.mitigated': 'Incident mitigated',
  'incident.resolved': 'Incident resolved',
  'postmortem.due': 'Post-mortem due',
  'postmortem.overdue': 'Post-mortem OVERDUE',
  'action_item.overdue': 'Action item overdue',
  'notification.channel_disabled': 'Notification channel disabled',
};

function field(payload: Record<string, unknown>, key: string): string {
  const v = payload[key];
  return v === undefined || v === null || v === '' ? '—' : String(v);
}

/** Escapes the three characters Slack's mrkdwn treats as control characters. */
function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Slack incoming webhook: Block Kit message with a plain `text` fallback (docs/adapters/notifiers.md). */
export class SlackNotifier implements Notifier {
  readonly name: string;

  constructor(private readonly options: SlackNotifierOptions) {
    this.name = options.name ?? 'slack';
  }

  link(message: OutboxMessage): string | undefined {
    const base = this.options.dashboardUrl?.replace(/\/+$/, '');
    if (base === undefined || message.rolloutId === null) return undefined;
    return `${base}/rollouts/${encodeURIComponent(message.rolloutId)}`;
  }

  body(message: OutboxMessage): Record<string, unknown> {
    const p = message.payload;
    const title = `${TITLES[message.eventType] ?? message.eventType}: ${field(p, 'service')} ${field(p, 'version')}`;
    const link = this.link(message);
    const reason = field(p, 'reason') === '—' ? field(p, 'message') : field(p, 'reason');
    const text = `${title} (${field(p, 'environment')}, state ${field(p, 'state')}): ${reason}${link ? ` ${link}` : ''}`;
    return {
      ...(this.options.channel ? { channel: this.options.channel } : {}),
      text,
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: title.slice(0, 150), emoji: false } },
        {
          type: 'section',
          fields: [
            {
              type: 'mrkdwn',
              text: `*Service*\n${esc(field(p, 'service'))} (${esc(field(p, 'environment'))})`,
            },
            { type: 'mrkdwn', text: `*Version*\n${esc(field(p, 'version'))}` },
            { type: 'mrkdwn', text: `*State*\n${esc(field(p, 'state'))}` },
            { type: 'mrkdwn', text: `*Reason*\n${esc(reason)}` },
            {
              type: 'mrkdwn',
              text: `*Link*\n${link ? `<${link}|rollout ${esc(message.rolloutId ?? '')}>` : esc(message.rolloutId ?? '—')}`,
            },
          ],
        },
        {
          type: 'context',
          elements: [{ type: 'mrkdwn', text: `id \`${esc(message.idempotencyKey)}\`` }],
        },
      ],
    };
  }

  /** The URL, its path and its last segment (the token), longest first. */
  private secretParts(): string[] {
    const url = this.options.webhookUrl;
    try {
      const { pathname } = new URL(url);
      const token = pathname.split('/').filter(Boolean).pop() ?? '';
      return [url, pathname, token].filter((s) => s.length >= 8);
    } catch {
      return [url];
    }
  }

  async deliver(message: OutboxMessage, signal?: AbortSignal): Promise<DeliveryOutcome> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 10_000);
    let outcome: DeliveryOutcome;
    try {
      const res = await fetch(this.options.webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(this.body(message)),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
      const text = await res.text().catch(() => '');
      outcome = outcomeForStatus(this.name, res.status, text, res.headers.get('retry-after'));
    } catch (err) {
      if (signal?.aborted) throw err;
      outcome = outcomeForNetworkError(this.name, err, timeout.aborted);
    }
    if (outcome.ok) return outcome;
    return { ...outcome, error: redactSecrets(outcome.error, this.secretParts()) };
  }
}
