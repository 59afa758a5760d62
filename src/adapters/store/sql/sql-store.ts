import { RollgateError } from '../../../core/errors/rollgate-error.js';
import type { IncidentRecord } from '../../../core/incident/incident.js';
import type { ActionItem } from '../../../core/records/post-mortem-parse.js';
import type { NewRisk, Risk, RiskChange } from '../../../core/risk/risk-types.js';
import {
  IN_FLIGHT_STATES,
  type NewEvent,
  type NewOutboxMessage,
  type OutboxMessage,
  type Release,
  type RolloutSnapshot,
  type TimelineEvent,
} from '../../../core/rollout/rollout-types.js';
import type {
  DisabledChannel,
  IncidentFilter,
  IncidentStore,
  IncidentUpdate,
  OutboxFilter,
} from '../../../ports/incident-store.js';
import type {
  ActionItemFilter,
  ForensicsCapture,
  PostMortemFilter,
  PostMortemRecord,
  PostMortemStore,
  StoredActionItem,
} from '../../../ports/post-mortem-store.js';
import type { RiskFilter, RiskStore, RollbackForRisks } from '../../../ports/risk-store.js';
import type { SqlBackend } from '../../../ports/sql-backend.js';
import type { Lease, RolloutCommit, RolloutFilter, Store } from '../../../ports/store.js';
import type { ApiTokenRecord, TokenStore } from '../../../ports/token-store.js';
import { SqlIncidents } from './sql-incidents.js';
import { SqlLeases } from './sql-leases.js';
import { migrate } from './sql-migrator.js';
import { SqlOutbox } from './sql-outbox.js';
import { SqlPostMortems } from './sql-post-mortems.js';
import { SqlRisks } from './sql-risks.js';
import { type Db, SqlSession } from './sql-session.js';
import { SqlTokens } from './sql-tokens.js';
import {
  checkLimit,
  checkRelease,
  checkSnapshot,
  fromJson,
  isoTime,
  toJson,
} from './store-values.js';

/**
 * The Store port on any SQL backend profile (SQLite, PostgreSQL). Every rollout change is
 * one transaction: a guarded update of the snapshot, its events with consecutive seq
 * numbers, its outbox messages. The database enforces what must never happen twice: one
 * in-flight rollout per service and environment (a partial unique index), one event per
 * (rollout, seq), one outbox message per idempotency key. See docs/store.md.
 */
export class SqlStore implements Store, PostMortemStore, RiskStore, TokenStore, IncidentStore {
  private readonly session: SqlSession;
  private readonly outbox: SqlOutbox;
  private readonly leases: SqlLeases;
  private readonly postMortems: SqlPostMortems;
  private readonly risks: SqlRisks;
  private readonly tokens: SqlTokens;
  private readonly incidents: SqlIncidents;

  constructor(backend: SqlBackend) {
    this.session = new SqlSession(backend);
    this.outbox = new SqlOutbox(this.session);
    this.leases = new SqlLeases(this.session);
    this.postMortems = new SqlPostMortems(this.session);
    this.risks = new SqlRisks(this.session);
    this.incidents = new SqlIncidents(this.session, this.outbox);
    this.tokens = new SqlTokens(this.session);
  }

  openIncident(incident: IncidentRecord): Promise<boolean> {
    return this.incidents.open(incident);
  }

  getIncident(id: string): Promise<IncidentRecord | undefined> {
    return this.incidents.get(id);
  }

  listIncidents(filter?: IncidentFilter): Promise<IncidentRecord[]> {
    return this.incidents.list(filter);
  }

  updateIncident(id: string, update: IncidentUpdate): Promise<IncidentRecord> {
    return this.incidents.update(id, update);
  }

  enqueueOutbox(messages: readonly NewOutboxMessage[], at: string): Promise<void> {
    return this.incidents.enqueue(messages, at);
  }

  cancelOutbox(id: string, at: string, reason: string): Promise<void> {
    return this.incidents.cancel(id, at, reason);
  }

  listOutbox(filter?: OutboxFilter): Promise<OutboxMessage[]> {
    return this.incidents.listOutbox(filter);
  }

  disableChannel(channel: string, at: string, reason: string): Promise<boolean> {
    return this.incidents.disable(channel, at, reason);
  }

  disabledChannels(): Promise<DisabledChannel[]> {
    return this.incidents.disabled();
  }

  createToken(token: ApiTokenRecord): Promise<void> {
    return this.tokens.create(token);
  }

  getToken(id: string): Promise<ApiTokenRecord | undefined> {
    return this.tokens.get(id);
  }

  listTokens(): Promise<ApiTokenRecord[]> {
    return this.tokens.list();
  }

  revokeToken(id: string, at: string): Promise<void> {
    return this.tokens.revoke(id, at);
  }

  touchToken(id: string, at: string): Promise<void> {
    return this.tokens.touch(id, at);
  }

  countTokens(options: { activeOnly?: boolean } = {}): Promise<number> {
    return this.tokens.count(options.activeOnly ?? false);
  }

  listRollbacksWithoutPostMortem(limit: number): Promise<string[]> {
    return this.postMortems.listRollbacksWithoutPostMortem(limit);
  }

  saveForensics(capture: ForensicsCapture): Promise<boolean> {
    return this.postMortems.saveForensics(capture);
  }

  getForensics(rolloutId: string): Promise<ForensicsCapture | undefined> {
    return this.postMortems.getForensics(rolloutId);
  }

  createRisk(input: NewRisk, by: { at: string; actor: string }): Promise<Risk> {
    return this.risks.createRisk(input, by);
  }

  getRisk(id: string): Promise<Risk | undefined> {
    return this.risks.getRisk(id);
  }

  listRisks(filter?: RiskFilter): Promise<Risk[]> {
    return this.risks.listRisks(filter);
  }

  updateRisk(id: string, change: RiskChange, by: { at: string; actor: string }): Promise<Risk> {
    return this.risks.updateRisk(id, change, by);
  }

  recordRollback(rollback: RollbackForRisks): Promise<string[]> {
    return this.risks.recordRollback(rollback);
  }

  createPostMortem(
    pm: Omit<PostMortemRecord, 'completedAt' | 'completedBy' | 'content'>,
  ): Promise<void> {
    return this.postMortems.create(pm);
  }

  getPostMortem(id: string): Promise<PostMortemRecord | undefined> {
    return this.postMortems.get(id);
  }

  getPostMortemByRollout(rolloutId: string): Promise<PostMortemRecord | undefined> {
    return this.postMortems.getByRollout(rolloutId);
  }

  listPostMortems(filter?: PostMortemFilter): Promise<PostMortemRecord[]> {
    return this.postMortems.list(filter);
  }

  completePostMortem(
    id: string,
    completion: {
      at: string;
      by: string;
      content: Record<string, unknown>;
      actionItems: ActionItem[];
    },
  ): Promise<void> {
    return this.postMortems.complete(id, completion);
  }

  listActionItems(filter?: ActionItemFilter): Promise<StoredActionItem[]> {
    return this.postMortems.listActionItems(filter);
  }

  migrate(): Promise<void> {
    return migrate(this.session);
  }

  close(): Promise<void> {
    return this.session.close();
  }

  async createRelease(release: Release): Promise<void> {
    checkRelease(release);
    await this.session.write(
      'createRelease',
      async (db) => {
        await db
          .insertInto('rollgate_releases')
          .values({
            id: release.id,
            service: release.service,
            version: release.version,
            created_at: isoTime(release.createdAt, 'createRelease: createdAt'),
            data: toJson(release),
          })
          .execute();
      },
      async (err) =>
        new RollgateError('conflict', `release ${release.id} already exists`, {
          cause: err,
          details: { releaseId: release.id },
        }),
    );
  }

  async getRelease(id: string): Promise<Release | undefined> {
    return this.session.read('getRelease', async (db) => {
      const row = await db
        .selectFrom('rollgate_releases')
        .select('data')
        .where('id', '=', id)
        .executeTakeFirst();
      return row ? fromJson<Release>(row.data) : undefined;
    });
  }

  async createRollout(
    snapshot: RolloutSnapshot,
    events: NewEvent[],
    outbox: NewOutboxMessage[] = [],
  ): Promise<void> {
    checkSnapshot(snapshot, 'createRollout');
    if (snapshot.lastSeq !== events.length) {
      throw new RollgateError(
        'invalid_input',
        `createRollout: snapshot.lastSeq is ${snapshot.lastSeq} but ${events.length} events are appended (seq 1..${events.length}); lastSeq must be ${events.length}`,
        { details: { rolloutId: snapshot.id } },
      );
    }
    const at = isoTime(snapshot.createdAt, 'createRollout: snapshot.createdAt');
    await this.session.write(
      'createRollout',
      async (db) => {
        await db
          .insertInto('rollgate_rollouts')
          .values({
            id: snapshot.id,
            release_id: snapshot.releaseId,
            service: snapshot.service,
            environment: snapshot.environment,
            state: snapshot.state,
            epoch: snapshot.epoch,
            last_seq: snapshot.lastSeq,
            created_at: at,
            updated_at: isoTime(snapshot.updatedAt, 'createRollout: snapshot.updatedAt'),
            snapshot: toJson(snapshot),
          })
          .execute();
        await this.appendEvents(db, snapshot.id, 0, events);
        await this.outbox.enqueue(db, outbox, at);
      },
      async (err) => {
        const exists = await this.getRollout(snapshot.id).catch(() => undefined);
        if (exists) {
          return new RollgateError('conflict', `rollout ${snapshot.id} already exists`, {
            cause: err,
            details: { rolloutId: snapshot.id },
          });
        }
        return this.inFlightConflict(snapshot, err);
      },
    );
  }

  async commit(change: RolloutCommit): Promise<void> {
    const { rolloutId, expected, next, events, fence } = change;
    checkSnapshot(next, `commit on rollout ${rolloutId}`);
    if (next.id !== rolloutId) {
      throw new RollgateError(
        'invalid_input',
        `commit on rollout ${rolloutId}: the new snapshot is for rollout ${next.id}`,
        { details: { rolloutId } },
      );
    }
    if (next.epoch !== expected.epoch + 1) {
      throw new RollgateError(
        'invalid_input',
        `commit on rollout ${rolloutId}: the new snapshot's epoch is ${next.epoch}, it must be expected.epoch + 1 = ${expected.epoch + 1}`,
        { details: { rolloutId } },
      );
    }
    const previousSeq = next.lastSeq - events.length;
    const updatedAt = isoTime(next.updatedAt, `commit on rollout ${rolloutId}: next.updatedAt`);
    await this.session.write(
      'commit',
      async (db) => {
        if (fence) await this.leases.checkFence(db, rolloutId, fence);
        const result = await db
          .updateTable('rollgate_rollouts')
          .set({
            release_id: next.releaseId,
            service: next.service,
            environment: next.environment,
            state: next.state,
            epoch: next.epoch,
            last_seq: next.lastSeq,
            updated_at: updatedAt,
            snapshot: toJson(next),
          })
          .where('id', '=', rolloutId)
          .where('state', '=', expected.state)
          .where('epoch', '=', expected.epoch)
          .where('last_seq', '=', previousSeq)
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) !== 1) {
          throw await this.explainMissedUpdate(db, change);
        }
        await this.appendEvents(db, rolloutId, previousSeq, events);
        await this.outbox.enqueue(db, change.outbox ?? [], updatedAt);
      },
      (err) => this.inFlightConflict(next, err),
    );
  }

  async getRollout(id: string): Promise<RolloutSnapshot | undefined> {
    return this.session.read('getRollout', async (db) => {
      const row = await db
        .selectFrom('rollgate_rollouts')
        .select('snapshot')
        .where('id', '=', id)
        .executeTakeFirst();
      return row ? fromJson<RolloutSnapshot>(row.snapshot) : undefined;
    });
  }

  async listRollouts(filter: RolloutFilter = {}): Promise<RolloutSnapshot[]> {
    return this.session.read('listRollouts', async (db) => {
      let query = db.selectFrom('rollgate_rollouts').select('snapshot');
      if (filter.service !== undefined) query = query.where('service', '=', filter.service);
      if (filter.states !== undefined) {
        if (filter.states.length === 0) return [];
        query = query.where('state', 'in', [...filter.states]);
      }
      query = query.orderBy('created_at', 'desc').orderBy('id', 'desc');
      if (filter.limit !== undefined) query = query.limit(checkLimit(filter.limit, 'listRollouts'));
      const rows = await query.execute();
      return rows.map((r) => fromJson<RolloutSnapshot>(r.snapshot));
    });
  }

  async listEvents(rolloutId: string, afterSeq = 0): Promise<TimelineEvent[]> {
    return this.session.read('listEvents', async (db) => {
      const rows = await db
        .selectFrom('rollgate_events')
        .selectAll()
        .where('rollout_id', '=', rolloutId)
        .where('seq', '>', afterSeq)
        .orderBy('seq')
        .execute();
      return rows.map((r) => ({
        rolloutId: r.rollout_id,
        seq: Number(r.seq),
        at: r.at,
        actor: r.actor,
        type: r.type,
        message: r.message,
        data: fromJson<Record<string, unknown>>(r.data),
      }));
    });
  }

  dueOutbox(now: string, limit: number): Promise<OutboxMessage[]> {
    return this.outbox.dueOutbox(now, limit);
  }

  markDelivered(id: string, at: string): Promise<void> {
    return this.outbox.markDelivered(id, at);
  }

  markAttemptFailed(
    id: string,
    error: string,
    nextAttemptAt: string,
    dead: boolean,
  ): Promise<void> {
    return this.outbox.markAttemptFailed(id, error, nextAttemptAt, dead);
  }

  acquireLease(
    rolloutId: string,
    owner: string,
    now: string,
    expiresAt: string,
  ): Promise<Lease | undefined> {
    return this.leases.acquireLease(rolloutId, owner, now, expiresAt);
  }

  releaseLease(rolloutId: string, owner: string): Promise<void> {
    return this.leases.releaseLease(rolloutId, owner);
  }

  private async appendEvents(
    db: Db,
    rolloutId: string,
    previousSeq: number,
    events: readonly NewEvent[],
  ): Promise<void> {
    if (events.length === 0) return;
    await db
      .insertInto('rollgate_events')
      .values(
        events.map((e, i) => ({
          rollout_id: rolloutId,
          seq: previousSeq + 1 + i,
          at: e.at,
          actor: e.actor,
          type: e.type,
          message: e.message,
          data: toJson(e.data ?? {}),
        })),
      )
      .execute();
  }

  /** Why a guarded update changed no row: missing, moved by someone else, or bad seq arithmetic. */
  private async explainMissedUpdate(db: Db, change: RolloutCommit): Promise<RollgateError> {
    const { rolloutId, expected, next, events } = change;
    const row = await db
      .selectFrom('rollgate_rollouts')
      .select(['state', 'epoch', 'last_seq'])
      .where('id', '=', rolloutId)
      .executeTakeFirst();
    if (!row) {
      return new RollgateError('not_found', `commit: rollout ${rolloutId} does not exist`, {
        details: { rolloutId },
      });
    }
    const epoch = Number(row.epoch);
    const lastSeq = Number(row.last_seq);
    if (row.state === expected.state && epoch === expected.epoch) {
      return new RollgateError(
        'invalid_input',
        `commit on rollout ${rolloutId}: the new snapshot's lastSeq is ${next.lastSeq}, but the rollout's lastSeq is ${lastSeq} and the commit appends ${events.length} events, so it must be ${lastSeq + events.length}; nothing was written`,
        { details: { rolloutId, lastSeq } },
      );
    }
    return new RollgateError(
      'conflict',
      `commit on rollout ${rolloutId} refused: expected state ${expected.state} at epoch ${expected.epoch}, but the store has state ${row.state} at epoch ${epoch} (someone else moved first); nothing was written`,
      {
        retryable: true,
        hint: 'Reload the rollout and decide again.',
        details: { rolloutId, expected, actual: { state: row.state, epoch } },
      },
    );
  }

  /** The conflict for a second rollout in flight for the same service and environment. */
  private async inFlightConflict(s: RolloutSnapshot, cause: unknown): Promise<RollgateError> {
    const running = await this.session
      .read('createRollout', (db) =>
        db
          .selectFrom('rollgate_rollouts')
          .select(['id', 'state'])
          .where('service', '=', s.service)
          .where('environment', '=', s.environment)
          .where('state', 'in', [...IN_FLIGHT_STATES])
          .where('id', '!=', s.id)
          .executeTakeFirst(),
      )
      .catch(() => undefined);
    const which = running ? `rollout ${running.id} (${running.state})` : 'another rollout';
    return new RollgateError(
      'conflict',
      `${s.service} already has ${which} in flight in ${s.environment}; one rollout per service and environment at a time, nothing was written`,
      {
        cause,
        hint: running
          ? `Wait for ${running.id} to finish, or abort it (rollgate abort ${running.id}).`
          : 'Wait for the running rollout to finish, or abort it.',
        details: {
          rolloutId: s.id,
          service: s.service,
          environment: s.environment,
          runningRolloutId: running?.id,
        },
      },
    );
  }
}
