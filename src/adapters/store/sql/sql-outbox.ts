import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import { RollgateError } from '../../../core/errors/rollgate-error.js';
import type { NewOutboxMessage, OutboxMessage } from '../../../core/rollout/rollout-types.js';
import type { Db, SqlSession } from './sql-session.js';
import type { OutboxTable } from './store-schema.js';
import { checkLimit, fromJson, isoTime, toJson } from './store-values.js';

const MAX_ERROR_TEXT = 2000;

/**
 * The outbox: notifications written in the same transaction as the events that caused
 * them, delivered later by the engine. One message per idempotency key, ever.
 */
export class SqlOutbox {
  constructor(private readonly session: SqlSession) {}

  /** Inside a rollout's transaction: new messages, first due at `at`; duplicate keys ignored. */
  async enqueue(db: Db, messages: readonly NewOutboxMessage[], at: string): Promise<void> {
    if (messages.length === 0) return;
    await db
      .insertInto('rollgate_outbox')
      .values(
        messages.map((m) => ({
          id: randomUUID(),
          idempotency_key: m.idempotencyKey,
          rollout_id: m.rolloutId,
          route: m.route,
          event_type: m.eventType,
          payload: toJson(m.payload ?? {}),
          status: 'pending',
          attempts: 0,
          next_attempt_at: m.notBefore ?? at,
          last_error: null,
          created_at: at,
          delivered_at: null,
        })),
      )
      .onConflict((oc) => oc.column('idempotency_key').doNothing())
      .execute();
  }

  async dueOutbox(now: string, limit: number): Promise<OutboxMessage[]> {
    const at = isoTime(now, 'dueOutbox: now');
    checkLimit(limit, 'dueOutbox');
    return this.session.read('dueOutbox', async (db) => {
      const rows = await db
        .selectFrom('rollgate_outbox')
        .selectAll()
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', at)
        .orderBy('created_at')
        .orderBy('position')
        .limit(limit)
        .execute();
      return rows.map(toOutboxMessage);
    });
  }

  async markDelivered(id: string, at: string): Promise<void> {
    const deliveredAt = isoTime(at, 'markDelivered: at');
    await this.session.write('markDelivered', async (db) => {
      const result = await db
        .updateTable('rollgate_outbox')
        .set({ status: 'delivered', delivered_at: deliveredAt })
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) await this.requireOutbox(db, id);
    });
  }

  async markAttemptFailed(
    id: string,
    error: string,
    nextAttemptAt: string,
    dead: boolean,
  ): Promise<void> {
    const next = isoTime(nextAttemptAt, 'markAttemptFailed: nextAttemptAt');
    await this.session.write('markAttemptFailed', async (db) => {
      const result = await db
        .updateTable('rollgate_outbox')
        .set((eb) => ({
          status: dead ? 'dead' : 'pending',
          attempts: eb('attempts', '+', 1),
          last_error: String(error).slice(0, MAX_ERROR_TEXT),
          next_attempt_at: next,
        }))
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) await this.requireOutbox(db, id);
    });
  }

  private async requireOutbox(db: Db, id: string): Promise<void> {
    const row = await db
      .selectFrom('rollgate_outbox')
      .select('id')
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) {
      throw new RollgateError('not_found', `outbox message ${id} does not exist`, {
        details: { outboxId: id },
      });
    }
  }
}

export function toOutboxMessage(r: Selectable<OutboxTable>): OutboxMessage {
  const message: OutboxMessage = {
    id: r.id,
    idempotencyKey: r.idempotency_key,
    rolloutId: r.rollout_id,
    route: r.route,
    eventType: r.event_type,
    payload: fromJson<Record<string, unknown>>(r.payload),
    status:
      r.status === 'dead' && r.cancelled_at != null
        ? 'cancelled'
        : (r.status as OutboxMessage['status']),
    attempts: Number(r.attempts),
    nextAttemptAt: r.next_attempt_at,
    createdAt: r.created_at,
  };
  if (r.last_error !== null) message.lastError = r.last_error;
  if (r.delivered_at !== null) message.deliveredAt = r.delivered_at;
  return message;
}
