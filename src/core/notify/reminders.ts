/**
 * Reminders the records need (ADR 0171): a post-mortem is due (24 h before its 48-hour
 * deadline) and overdue (at the deadline), an action item is overdue (the day after its
 * due date). Each is a delayed outbox message cancelled if the work is done first. Pure.
 */
import type { NewOutboxMessage } from '../rollout/rollout-types.js';
import { type RoutingConfig, routeMessage } from './notification-routing.js';

/** How long before the deadline the "due" reminder goes out. */
export const POST_MORTEM_REMINDER_HOURS = 24;

export interface PostMortemFacts {
  id: string;
  rolloutId: string;
  service: string;
  environment: string;
  failedVersion: string;
  createdAt: string;
  dueAt: string;
  completedAt?: string;
}

export interface ActionItemFacts {
  postMortemId: string;
  id: string;
  service: string;
  action: string;
  owner: string;
  /** YYYY-MM-DD */
  due: string;
  status: string;
}

function shift(iso: string, hours: number): string {
  return new Date(Date.parse(iso) + hours * 3_600_000).toISOString();
}

export function postMortemReminders(
  pm: PostMortemFacts,
  config: RoutingConfig,
): NewOutboxMessage[] {
  if (pm.completedAt !== undefined) return [];
  const condition = { kind: 'postmortem_open', postMortemId: pm.id };
  const base = {
    postMortemId: pm.id,
    rolloutId: pm.rolloutId,
    service: pm.service,
    environment: pm.environment,
    version: pm.failedVersion,
    dueAt: pm.dueAt,
    condition,
  };
  const dueSoon = shift(pm.dueAt, -POST_MORTEM_REMINDER_HOURS);
  const out: NewOutboxMessage[] = [];
  const reminders = [
    {
      type: 'postmortem.due',
      at: Date.parse(dueSoon) > Date.parse(pm.createdAt) ? dueSoon : pm.createdAt,
      message: `post-mortem ${pm.id} for ${pm.service} ${pm.failedVersion} is due at ${pm.dueAt}`,
    },
    {
      type: 'postmortem.overdue',
      at: pm.dueAt,
      message: `post-mortem ${pm.id} for ${pm.service} ${pm.failedVersion} is OVERDUE (due ${pm.dueAt})`,
    },
  ];
  for (const r of reminders) {
    for (const m of routeMessage(
      {
        idempotencyKey: `${pm.id}:${r.type}:${pm.dueAt}`,
        rolloutId: pm.rolloutId,
        route: '',
        eventType: r.type,
        payload: { ...base, at: r.at, message: r.message, reason: r.message },
      },
      config,
    )) {
      out.push({ ...m, notBefore: r.at });
    }
  }
  return out;
}

/** Overdue once its due day has passed (UTC). */
export function actionItemReminders(
  item: ActionItemFacts,
  rolloutId: string | null,
  config: RoutingConfig,
): NewOutboxMessage[] {
  if (item.status === 'done' || !/^\d{4}-\d{2}-\d{2}$/.test(item.due)) return [];
  const at = shift(`${item.due}T00:00:00.000Z`, 24);
  const message = `action item ${item.id} of ${item.postMortemId} (${item.owner}) is overdue since ${item.due}: ${item.action}`;
  return routeMessage(
    {
      idempotencyKey: `${item.postMortemId}:${item.id}:action_item.overdue:${item.due}`,
      rolloutId,
      route: '',
      eventType: 'action_item.overdue',
      payload: {
        postMortemId: item.postMortemId,
        itemId: item.id,
        service: item.service,
        owner: item.owner,
        action: item.action,
        due: item.due,
        at,
        message,
        reason: message,
        condition: {
          kind: 'action_item_open',
          postMortemId: item.postMortemId,
          itemId: item.id,
          due: item.due,
        },
      },
    },
    config,
  ).map((m) => ({ ...m, notBefore: at }));
}
