import { z } from 'zod';
import { Duration, HttpUrl, Name, NonEmpty, SecretRef } from './schema-primitives.js';

/** Notification channels and routes: the shape only, delivery comes with the notifiers. */

const Slack = z.strictObject({
  type: z.literal('slack'),
  /** A Slack incoming-webhook URL is a credential. */
  webhook: SecretRef,
  channel: z.string().optional(),
});

const PagerDuty = z.strictObject({
  type: z.literal('pagerduty'),
  routingKey: SecretRef,
  severity: z.enum(['critical', 'error', 'warning', 'info']).optional(),
  /** Events API endpoint; default https://events.pagerduty.com/v2/enqueue. */
  url: HttpUrl.optional(),
});

const GitHub = z.strictObject({
  type: z.literal('github'),
  repository: z.string().regex(/^[\w.-]+\/[\w.-]+$/, { error: 'expected `owner/name`' }),
  token: SecretRef,
  labels: z.array(z.string()).optional(),
  /** REST API base; default https://api.github.com (Enterprise: https://HOST/api/v3). */
  apiUrl: HttpUrl.optional(),
});

const Webhook = z.strictObject({
  type: z.literal('webhook'),
  url: HttpUrl,
  /**
   * Signing secret `whsec_<base64>` (Standard Webhooks); during a rotation the referenced
   * value holds several, space-separated, and each signs the message.
   */
  secret: SecretRef,
});

export const ChannelConfig = z.discriminatedUnion('type', [Slack, PagerDuty, GitHub, Webhook]);

export const RouteConfig = z.strictObject({
  /** Event types (`rollout.rolled_back`), a prefix with `*` (`rollout.*`), or `*`. */
  events: z.array(NonEmpty).min(1),
  channels: z.array(Name).min(1),
  /** Escalation: deliver only if the condition still holds after this long (seed 003 levels). */
  after: Duration.optional(),
});

/**
 * One escalation level of an incident (seed 003 "Alert Escalation"): its channels are told
 * `after` the incident opened, unless it was mitigated or resolved before (ADR 0171).
 */
export const EscalationLevel = z.strictObject({
  /** Default: the built-in level's figure, else at once. */
  after: Duration.optional(),
  channels: z.array(Name).optional(),
});

export const NotificationsConfig = z.strictObject({
  channels: z.record(Name, ChannelConfig).optional(),
  routes: z.array(RouteConfig).optional(),
  /** Incident escalation levels by name; built-in: releases 0m, on-call 5m, leadership 15m. */
  escalation: z.record(Name, EscalationLevel).optional(),
});
