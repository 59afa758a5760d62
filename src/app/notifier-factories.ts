import type { z } from 'zod';
import { GitHubIssueNotifier } from '../adapters/notifiers/github/github-issue-notifier.js';
import { PagerDutyNotifier } from '../adapters/notifiers/pagerduty/pagerduty-notifier.js';
import { SlackNotifier } from '../adapters/notifiers/slack/slack-notifier.js';
import { WebhookNotifier } from '../adapters/notifiers/webhook/webhook-notifier.js';
import type { ChannelConfig } from '../core/policy/notification-schema.js';
import type { Clock } from '../ports/clock.js';
import type { Notifier } from '../ports/notifier.js';
import { resolveSecretRef, type SecretSource } from './secret-refs.js';

/**
 * Factories for the notifiers (issue #9), one per channel `type` of the policy's
 * `notifications.channels`; the composition root registers them by name
 * (CONVENTIONS.md "Providers register in a name → factory map"). Secret references are
 * resolved here, when the notifier is built (ADR 0014), and each resolved value is added to
 * `deps.secrets` for the logger's redaction.
 */
export interface NotifierDeps extends SecretSource {
  clock: Pick<Clock, 'now'>;
  /** Resolved secrets are appended here (redaction list). */
  secrets?: string[];
  /** The dashboard's base URL, for links to a rollout's timeline. */
  dashboardUrl?: string;
  /** Per request; default 10 s. */
  timeoutMs?: number;
}

type ChannelConfigT = z.infer<typeof ChannelConfig>;
type Of<T> = Extract<ChannelConfigT, { type: T }>;
const opt = <K extends string, V>(key: K, value: V | undefined) =>
  (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
const secret = (value: string, deps: NotifierDeps) =>
  resolveSecretRef(value, deps, deps.secrets ?? []);

export const NOTIFIER_FACTORIES = {
  webhook: (name: string, c: Of<'webhook'>, deps: NotifierDeps): Notifier =>
    new WebhookNotifier({
      name,
      url: c.url,
      secrets: secret(c.secret, deps).split(/\s+/).filter(Boolean),
      clock: deps.clock,
      ...opt('timeoutMs', deps.timeoutMs),
    }),
  slack: (name: string, c: Of<'slack'>, deps: NotifierDeps): Notifier =>
    new SlackNotifier({
      name,
      webhookUrl: secret(c.webhook, deps),
      ...opt('channel', c.channel),
      ...opt('dashboardUrl', deps.dashboardUrl),
      ...opt('timeoutMs', deps.timeoutMs),
    }),
  pagerduty: (name: string, c: Of<'pagerduty'>, deps: NotifierDeps): Notifier =>
    new PagerDutyNotifier({
      name,
      routingKey: secret(c.routingKey, deps),
      ...opt('url', c.url),
      ...opt('severity', c.severity),
      ...opt('dashboardUrl', deps.dashboardUrl),
      ...opt('timeoutMs', deps.timeoutMs),
    }),
  github: (name: string, c: Of<'github'>, deps: NotifierDeps): Notifier =>
    new GitHubIssueNotifier({
      name,
      repository: c.repository,
      token: secret(c.token, deps),
      ...opt('labels', c.labels),
      ...opt('apiUrl', c.apiUrl),
      ...opt('dashboardUrl', deps.dashboardUrl),
      ...opt('timeoutMs', deps.timeoutMs),
    }),
} as const;

/** Builds every channel of the policy, by channel name (the outbox messages' `route`). */
export function buildNotifiers(
  channels: Record<string, ChannelConfigT>,
  deps: NotifierDeps,
): Record<string, Notifier> {
  const out: Record<string, Notifier> = {};
  for (const [name, c] of Object.entries(channels)) {
    switch (c.type) {
      case 'webhook':
        out[name] = NOTIFIER_FACTORIES.webhook(name, c, deps);
        break;
      case 'slack':
        out[name] = NOTIFIER_FACTORIES.slack(name, c, deps);
        break;
      case 'pagerduty':
        out[name] = NOTIFIER_FACTORIES.pagerduty(name, c, deps);
        break;
      case 'github':
        out[name] = NOTIFIER_FACTORIES.github(name, c, deps);
        break;
    }
  }
  return out;
}
