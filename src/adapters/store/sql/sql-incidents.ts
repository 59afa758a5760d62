import type { Selectable } from 'kysely';
import { RollgateError } from '../../../core/errors/rollgate-error.js';
import type { IncidentRecord, IncidentStatus } from '../../../core/incident/incident.js';
import { laterStatus } from '../../../core/incident/incident.js';
import type { NewOutboxMessage, OutboxMessage } from '../../../core/rollout/rollout-types.js';
import type {
  DisabledChannel,
  IncidentFilter,
  IncidentUpdate,
  OutboxFilter,
} from '../../../ports/incident-store.js';
import { type SqlOutbox, toOutboxMessage } from './sql-outbox.js';
import type { SqlSession } from './sql-session.js';
import type { IncidentsTable } from './store-schema.js';
import { checkLimit, fromJson, isoTime, toJson } from './store-values.js';

function toIncident(r: Selectable<IncidentsTable>): IncidentRecord {
  return {
    id: r.id,
    rolloutId: r.rollout_id,
    releaseId: r.release_id,
    service: r.service,
    environment: r.environment,
    version: r.version,
    previousVersion: r.previous_version,
    status: r.status as IncidentStatus,
    reason: r.reason,
    trigger: r.trigger_kind,
    startedAt: r.started_at,
    detectedAt: r.detected_at,
    ...(r.notified_at === null ? {} : { notifiedAt: r.notified_at }),
    ...(r.mitigated_at === null ? {} : { mitigatedAt: r.mitigated_at }),
    ...(r.resolved_at === null ? {} : { resolvedAt: r.resolved_at }),
    postMortemId: r.postmortem_id,
    postMortemDueAt: r.postmortem_due_at,
    createdAt: r.created_at,
    data: fromJson<Record<string, unknown>>(r.data),
  };
}

/** Incidents, the outbox's admin side and disabled channels (migration 4 on both backends). */
export class SqlIncidents {
  constructor(
    private readonly session: SqlSession,
    private readonly outbox: SqlOutbox,
  ) {}

  async open(i: IncidentRecord): Promise<boolean> {
    const t = (v: string, what: string) => isoTime(v, `openIncident: ${what}`);
    const opt = (v: string | undefined, what: string) => (v === undefined ? null : t(v, what));
    const values = {
      id: i.id,
      rollout_id: i.rolloutId,
      release_id: i.releaseId,
      service: i.service,
      environment: i.environment,
      version: i.version,
      previous_version: i.previousVersion,
      status: i.status,
      reason: i.reason,
      trigger_kind: i.trigger,
      started_at: t(i.startedAt, 'startedAt'),
      detected_at: t(i.detectedAt, 'detectedAt'),
      notified_at: opt(i.notifiedAt, 'notifiedAt'),
      mitigated_at: opt(i.mitigatedAt, 'mitigatedAt'),
      resolved_at: opt(i.resolvedAt, 'resolvedAt'),
      postmortem_id: i.postMortemId,
      postmortem_due_at: t(i.postMortemDueAt, 'postMortemDueAt'),
      created_at: t(i.createdAt, 'createdAt'),
      data: toJson(i.data ?? {}),
    };
    return this.session.write('openIncident', async (db) => {
      const rollout = await db
        .selectFrom('rollgate_rollouts')
        .select('id')
        .where('id', '=', i.rolloutId)
        .executeTakeFirst();
      if (!rollout) throw new RollgateError('not_found', `openIncident: no rollout ${i.rolloutId}`);
      const result = await db
        .insertInto('rollgate_incidents')
        .values(values)
        .onConflict((oc) => oc.doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
    });
  }

  get(id: string): Promise<IncidentRecord | undefined> {
    return this.session.read('getIncident', async (db) => {
      const row = await db
        .selectFrom('rollgate_incidents')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return row ? toIncident(row) : undefined;
    });
  }

  list(filter: IncidentFilter = {}): Promise<IncidentRecord[]> {
    const limit = checkLimit(filter.limit ?? 100, 'listIncidents');
    return this.session.read('listIncidents', async (db) => {
      let q = db.selectFrom('rollgate_incidents').selectAll();
      if (filter.service !== undefined) q = q.where('service', '=', filter.service);
      if (filter.statuses !== undefined) {
        if (filter.statuses.length === 0) return [];
        q = q.where('status', 'in', [...filter.statuses]);
      }
      const rows = await q
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
      return rows.map(toIncident);
    });
  }

  update(id: string, u: IncidentUpdate): Promise<IncidentRecord> {
    return this.session.write('updateIncident', async (db) => {
      const row = await db
        .selectFrom('rollgate_incidents')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      if (!row) {
        throw new RollgateError('not_found', `incident ${id} not found`, {
          hint: 'list incidents with `rollgate incidents list`',
        });
      }
      const cur = toIncident(row);
      const keep = (old: string | undefined, next: string | undefined, what: string) =>
        old ?? (next === undefined ? null : isoTime(next, `updateIncident: ${what}`));
      const status = u.status ? laterStatus(cur.status, u.status) : cur.status;
      await db
        .updateTable('rollgate_incidents')
        .set({
          status,
          notified_at: keep(cur.notifiedAt, u.notifiedAt, 'notifiedAt'),
          mitigated_at: keep(cur.mitigatedAt, u.mitigatedAt, 'mitigatedAt'),
          resolved_at: keep(cur.resolvedAt, u.resolvedAt, 'resolvedAt'),
          data: toJson({ ...cur.data, ...(u.data ?? {}) }),
        })
        .where('id', '=', id)
        .execute();
      const after = await db
        .selectFrom('rollgate_incidents')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      return toIncident(after);
    });
  }

  async enqueue(messages: readonly NewOutboxMessage[], at: string): Promise<void> {
    const when = isoTime(at, 'enqueueOutbox: at');
    for (const m of messages) {
      if (m.notBefore !== undefined) isoTime(m.notBefore, 'enqueueOutbox: notBefore');
    }
    await this.session.write('enqueueOutbox', (db) => this.outbox.enqueue(db, messages, when));
  }

  async cancel(id: string, at: string, reason: string): Promise<void> {
    const when = isoTime(at, 'cancelOutbox: at');
    await this.session.write('cancelOutbox', async (db) => {
      const result = await db
        .updateTable('rollgate_outbox')
        .set({
          status: 'dead',
          cancelled_at: when,
          last_error: `cancelled: ${reason}`.slice(0, 2000),
        })
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 1) return;
      const row = await db
        .selectFrom('rollgate_outbox')
        .select('id')
        .where('id', '=', id)
        .executeTakeFirst();
      if (!row) throw new RollgateError('not_found', `outbox message ${id} does not exist`);
    });
  }

  listOutbox(filter: OutboxFilter = {}): Promise<OutboxMessage[]> {
    const limit = checkLimit(filter.limit ?? 1000, 'listOutbox');
    return this.session.read('listOutbox', async (db) => {
      let q = db.selectFrom('rollgate_outbox').selectAll();
      if (filter.rolloutId !== undefined) q = q.where('rollout_id', '=', filter.rolloutId);
      const rows = await q.orderBy('position').limit(limit).execute();
      const all = rows.map(toOutboxMessage);
      return filter.statuses ? all.filter((m) => filter.statuses?.includes(m.status)) : all;
    });
  }

  disable(channel: string, at: string, reason: string): Promise<boolean> {
    const when = isoTime(at, 'disableChannel: at');
    return this.session.write('disableChannel', async (db) => {
      const result = await db
        .insertInto('rollgate_disabled_channels')
        .values({ channel, disabled_at: when, reason: reason.slice(0, 2000) })
        .onConflict((oc) => oc.column('channel').doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
    });
  }

  disabled(): Promise<DisabledChannel[]> {
    return this.session.read('disabledChannels', async (db) => {
      const rows = await db
        .selectFrom('rollgate_disabled_channels')
        .selectAll()
        .orderBy('channel')
        .execute();
      return rows.map((r) => ({ channel: r.channel, at: r.disabled_at, reason: r.reason }));
    });
  }
}
