/**
 * From what happened to where it is told (ADR 0170): the policy's `notifications.routes`
 * (event patterns → channels, with an optional `after` delay) turn one logical
 * notification into one outbox message per channel. Pure: the composition root hands the
 * engine `routeNotifications` bound to the policy.
 */
import type { NewOutboxMessage } from '../rollout/rollout-types.js';

/** Every event type a route can name (`rollout.*`, `incident.*`, … match by prefix). */
export const NOTIFICATION_EVENTS = [
  'rollout.started',
  'rollout.promoted',
  'rollout.paused',
  'rollout.halted',
  'rollout.rolled_back',
  'rollout.completed',
  'rollout.failed',
  'incident.opened',
  'incident.escalated',
  'incident.mitigated',
  'incident.resolved',
  'postmortem.due',
  'postmortem.overdue',
  'action_item.overdue',
  'notification.channel_disabled',
] as const;
export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];

/**
 * What must still be true when a delayed message falls due, or it is cancelled instead of
 * sent: the rollout still in the state it was in, the incident still open, the
 * post-mortem or action item still not done.
 */
export type DeliveryCondition =
  | { kind: 'rollout_state'; rolloutId: string; state: string; step: number }
  | { kind: 'incident_open'; incidentId: string }
  | { kind: 'postmortem_open'; postMortemId: string }
  | { kind: 'action_item_open'; postMortemId: string; itemId: string; due: string };

/** A route as the compiled policy holds it (`after` in seconds). */
export interface NotificationRoute {
  events: readonly string[];
  channels: readonly string[];
  after?: number;
}

export interface RoutingConfig {
  /** Every channel the policy defines. */
  channels: readonly string[];
  routes: readonly NotificationRoute[];
  /**
   * Without routes, the channels that hear every event (default: all). The composition
   * root leaves out channels only a later escalation level names (`defaultChannels`).
   */
  defaultChannels?: readonly string[];
}

/** `*`, an exact type, or a prefix ending in `*` (`rollout.*`). */
export function eventMatches(pattern: string, type: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('*')) return type.startsWith(pattern.slice(0, -1));
  return pattern === type;
}

/** Each channel's delays (seconds) for this event: none when no route names it. */
export function channelsFor(type: string, config: RoutingConfig): Map<string, number[]> {
  const out = new Map<string, number[]>();
  // Without routes, every channel hears every event at once; each adapter keeps what it
  // cares about (PagerDuty incidents, GitHub incident issues, Slack everything).
  const routes: readonly NotificationRoute[] =
    config.routes.length > 0
      ? config.routes
      : [{ events: ['*'], channels: config.defaultChannels ?? config.channels }];
  for (const r of routes) {
    if (!r.events.some((p) => eventMatches(p, type))) continue;
    for (const c of r.channels) {
      const delays = out.get(c) ?? [];
      const after = r.after ?? 0;
      if (!delays.includes(after)) delays.push(after);
      out.set(c, delays);
    }
  }
  return out;
}

function addSeconds(iso: string, seconds: number): string {
  return new Date(Date.parse(iso) + seconds * 1000).toISOString();
}

/**
 * One logical message (route ignored) → one message per channel and delay. The key is the
 * logical key with the channel (and `+<after>s` for a delayed copy): stable across
 * replays, so the store keeps one per key. A delayed copy carries `notBefore` and the
 * condition under which it is still worth sending.
 */
export function routeMessage(
  message: NewOutboxMessage,
  config: RoutingConfig,
  condition?: DeliveryCondition,
): NewOutboxMessage[] {
  const out: NewOutboxMessage[] = [];
  const at = typeof message.payload.at === 'string' ? message.payload.at : undefined;
  for (const [channel, delays] of channelsFor(message.eventType, config)) {
    for (const after of delays) {
      const delayed = after > 0 && at !== undefined;
      out.push({
        ...message,
        idempotencyKey: `${message.idempotencyKey}:${channel}${delayed ? `:+${after}s` : ''}`,
        route: channel,
        payload: {
          ...message.payload,
          channel,
          ...(delayed && condition ? { condition, afterSeconds: after } : {}),
        },
        ...(delayed ? { notBefore: addSeconds(at, after) } : {}),
      });
    }
  }
  return out;
}

/** The condition a delayed rollout message keeps: the rollout still where it was. */
export function rolloutCondition(message: NewOutboxMessage): DeliveryCondition | undefined {
  const p = message.payload;
  if (message.rolloutId === null || typeof p.state !== 'string') return undefined;
  return {
    kind: 'rollout_state',
    rolloutId: message.rolloutId,
    state: p.state,
    step: typeof p.step === 'number' ? p.step : 0,
  };
}

/** The engine's messages (addressed to one logical route) → the policy's channels. */
export function routeNotifications(
  messages: readonly NewOutboxMessage[],
  config: RoutingConfig,
): NewOutboxMessage[] {
  const seen = new Set<string>();
  const out: NewOutboxMessage[] = [];
  for (const m of messages) {
    // `notify` and `page` copies of one event collapse into one: the routes decide.
    const logical = `${m.rolloutId ?? ''}:${String(m.payload.seq ?? '')}:${m.eventType}`;
    if (seen.has(logical)) continue;
    seen.add(logical);
    out.push(
      ...routeMessage({ ...m, idempotencyKey: logical }, config, rolloutCondition(m) ?? undefined),
    );
  }
  return out;
}

/** Facts about the world when a delayed message falls due. */
export interface ConditionFacts {
  rollout?: { state: string; stepIndex: number };
  incident?: { status: string };
  postMortem?: { completedAt?: string };
  actionItem?: { status: string; due: string };
}

/** Whether a delayed message is still worth sending; a reason when it is not. */
export function conditionHolds(
  condition: DeliveryCondition,
  facts: ConditionFacts,
): { holds: true } | { holds: false; reason: string } {
  switch (condition.kind) {
    case 'rollout_state': {
      const r = facts.rollout;
      if (r && r.state === condition.state && r.stepIndex === condition.step)
        return { holds: true };
      return {
        holds: false,
        reason: `rollout ${condition.rolloutId} is no longer ${condition.state} at step ${condition.step + 1}`,
      };
    }
    case 'incident_open': {
      const s = facts.incident?.status;
      if (s === 'open') return { holds: true };
      return { holds: false, reason: `incident ${condition.incidentId} is ${s ?? 'gone'}` };
    }
    case 'postmortem_open':
      if (facts.postMortem && facts.postMortem.completedAt === undefined) return { holds: true };
      return { holds: false, reason: `post-mortem ${condition.postMortemId} is completed` };
    case 'action_item_open': {
      const a = facts.actionItem;
      if (a && a.status !== 'done' && a.due === condition.due) return { holds: true };
      return {
        holds: false,
        reason: `action item ${condition.itemId} is ${a ? (a.status === 'done' ? 'done' : `due ${a.due} now`) : 'gone'}`,
      };
    }
  }
}

/**
 * The channels that hear every event when the policy has no routes: all of them except
 * those only a delayed escalation level names (on-call is paged for incidents that stay
 * open, not told every promotion).
 */
export function defaultChannels(
  channels: readonly string[],
  escalation: Readonly<Record<string, { after: number; channels: readonly string[] }>>,
): string[] {
  const levels = Object.values(escalation);
  const atOnce = new Set(levels.filter((l) => l.after === 0).flatMap((l) => l.channels));
  const later = new Set(levels.filter((l) => l.after > 0).flatMap((l) => l.channels));
  return channels.filter((c) => atOnce.has(c) || !later.has(c));
}
