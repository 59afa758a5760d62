import type { Selectable } from 'kysely';
import { RollgateError } from '../../../core/errors/rollgate-error.js';
import type { ActionItem } from '../../../core/records/post-mortem-parse.js';
import type {
  ActionItemFilter,
  ForensicsCapture,
  PostMortemFilter,
  PostMortemRecord,
  StoredActionItem,
} from '../../../ports/post-mortem-store.js';
import type { SqlSession } from './sql-session.js';
import type { ActionItemsTable, PostMortemsTable } from './store-schema.js';
import { checkLimit, fromJson, isoTime, toJson } from './store-values.js';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function toRecord(row: Selectable<PostMortemsTable>): PostMortemRecord {
  return {
    id: row.id,
    rolloutId: row.rollout_id,
    service: row.service,
    environment: row.environment,
    failedVersion: row.failed_version,
    restoredVersion: row.restored_version,
    createdAt: row.created_at,
    dueAt: row.due_at,
    ...(row.completed_at === null ? {} : { completedAt: row.completed_at }),
    ...(row.completed_by === null ? {} : { completedBy: row.completed_by }),
    ...(row.content === null || row.content === undefined
      ? {}
      : { content: fromJson<Record<string, unknown>>(row.content) }),
  };
}

function toItem(row: Selectable<ActionItemsTable>): StoredActionItem {
  return {
    postMortemId: row.postmortem_id,
    service: row.service,
    id: row.id,
    action: row.action,
    owner: row.owner,
    due: row.due,
    status: row.status as ActionItem['status'],
    ...(row.ticket === null ? {} : { ticket: row.ticket }),
  };
}

/** Post-mortems and action items on the SQL store (migration 2 on both backends). */
export class SqlPostMortems {
  constructor(private readonly session: SqlSession) {}

  async create(
    pm: Omit<PostMortemRecord, 'completedAt' | 'completedBy' | 'content'>,
  ): Promise<void> {
    for (const key of ['id', 'rolloutId', 'service'] as const) {
      if (typeof pm[key] !== 'string' || pm[key] === '') {
        throw new RollgateError(
          'invalid_input',
          `createPostMortem: ${key} must be a non-empty string`,
        );
      }
    }
    const createdAt = isoTime(pm.createdAt, 'createPostMortem: createdAt');
    const dueAt = isoTime(pm.dueAt, 'createPostMortem: dueAt');
    await this.session.write(
      'createPostMortem',
      async (db) => {
        const rollout = await db
          .selectFrom('rollgate_rollouts')
          .select('id')
          .where('id', '=', pm.rolloutId)
          .executeTakeFirst();
        if (!rollout) {
          throw new RollgateError('not_found', `createPostMortem: no rollout ${pm.rolloutId}`);
        }
        await db
          .insertInto('rollgate_postmortems')
          .values({
            id: pm.id,
            rollout_id: pm.rolloutId,
            service: pm.service,
            environment: pm.environment,
            failed_version: pm.failedVersion,
            restored_version: pm.restoredVersion,
            created_at: createdAt,
            due_at: dueAt,
            completed_at: null,
            completed_by: null,
            content: null,
          })
          .execute();
      },
      async (err) =>
        new RollgateError(
          'conflict',
          `post-mortem ${pm.id} (rollout ${pm.rolloutId}) already exists`,
          { cause: err, details: { postMortemId: pm.id, rolloutId: pm.rolloutId } },
        ),
    );
  }

  get(id: string): Promise<PostMortemRecord | undefined> {
    return this.session.read('getPostMortem', async (db) => {
      const row = await db
        .selectFrom('rollgate_postmortems')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return row ? toRecord(row) : undefined;
    });
  }

  getByRollout(rolloutId: string): Promise<PostMortemRecord | undefined> {
    return this.session.read('getPostMortemByRollout', async (db) => {
      const row = await db
        .selectFrom('rollgate_postmortems')
        .selectAll()
        .where('rollout_id', '=', rolloutId)
        .executeTakeFirst();
      return row ? toRecord(row) : undefined;
    });
  }

  list(filter: PostMortemFilter = {}): Promise<PostMortemRecord[]> {
    const overdue =
      filter.overdueAt === undefined
        ? undefined
        : isoTime(filter.overdueAt, 'listPostMortems: overdueAt');
    if (filter.limit !== undefined) checkLimit(filter.limit, 'listPostMortems');
    return this.session.read('listPostMortems', async (db) => {
      let q = db.selectFrom('rollgate_postmortems').selectAll();
      if (filter.service !== undefined) q = q.where('service', '=', filter.service);
      if (filter.open || overdue !== undefined) q = q.where('completed_at', 'is', null);
      if (overdue !== undefined) q = q.where('due_at', '<', overdue);
      q = q.orderBy('created_at', 'desc').orderBy('id', 'desc');
      if (filter.limit !== undefined) q = q.limit(filter.limit);
      return (await q.execute()).map(toRecord);
    });
  }

  async complete(
    id: string,
    c: { at: string; by: string; content: Record<string, unknown>; actionItems: ActionItem[] },
  ): Promise<void> {
    const at = isoTime(c.at, 'completePostMortem: at');
    const ids = new Set<string>();
    for (const item of c.actionItems) {
      if (!DAY.test(item.due)) {
        throw new RollgateError(
          'invalid_input',
          `action item ${item.id}: due "${item.due}" is not YYYY-MM-DD`,
        );
      }
      if (ids.has(item.id)) {
        throw new RollgateError('invalid_input', `action item id ${item.id} appears twice`, {
          hint: 'give every row of the action items table its own ID',
        });
      }
      ids.add(item.id);
    }
    await this.session.write('completePostMortem', async (db) => {
      const row = await db
        .selectFrom('rollgate_postmortems')
        .select(['service'])
        .where('id', '=', id)
        .executeTakeFirst();
      if (!row) {
        throw new RollgateError('not_found', `no post-mortem ${id}`, {
          hint: 'list them with: rollgate postmortem list',
        });
      }
      await db
        .updateTable('rollgate_postmortems')
        .set({ completed_at: at, completed_by: c.by, content: toJson(c.content) })
        .where('id', '=', id)
        .execute();
      await db.deleteFrom('rollgate_action_items').where('postmortem_id', '=', id).execute();
      if (c.actionItems.length > 0) {
        await db
          .insertInto('rollgate_action_items')
          .values(
            c.actionItems.map((i) => ({
              postmortem_id: id,
              id: i.id,
              service: row.service,
              action: i.action,
              owner: i.owner,
              due: i.due,
              status: i.status,
              ticket: i.ticket ?? null,
            })),
          )
          .execute();
      }
    });
  }

  listActionItems(filter: ActionItemFilter = {}): Promise<StoredActionItem[]> {
    if (filter.overdueOn !== undefined && !DAY.test(filter.overdueOn)) {
      throw new RollgateError(
        'invalid_input',
        `listActionItems: overdueOn "${filter.overdueOn}" is not YYYY-MM-DD`,
      );
    }
    return this.session.read('listActionItems', async (db) => {
      let q = db.selectFrom('rollgate_action_items').selectAll();
      if (filter.service !== undefined) q = q.where('service', '=', filter.service);
      if (filter.open || filter.overdueOn !== undefined) q = q.where('status', '!=', 'done');
      if (filter.overdueOn !== undefined) q = q.where('due', '<', filter.overdueOn);
      q = q.orderBy('due').orderBy('postmortem_id').orderBy('id');
      return (await q.execute()).map(toItem);
    });
  }

  listRollbacksWithoutPostMortem(limit: number): Promise<string[]> {
    checkLimit(limit, 'listRollbacksWithoutPostMortem');
    return this.session.read('listRollbacksWithoutPostMortem', async (db) => {
      const rows = await db
        .selectFrom('rollgate_rollouts as r')
        .leftJoin('rollgate_postmortems as p', 'p.rollout_id', 'r.id')
        .select('r.id')
        .where('r.state', '=', 'rolled_back')
        .where('p.id', 'is', null)
        .orderBy('r.updated_at')
        .orderBy('r.id')
        .limit(limit)
        .execute();
      return rows.map((r) => r.id);
    });
  }

  async saveForensics(capture: ForensicsCapture): Promise<boolean> {
    const at = isoTime(capture.capturedAt, 'saveForensics: capturedAt');
    return this.session.write('saveForensics', async (db) => {
      const rollout = await db
        .selectFrom('rollgate_rollouts')
        .select('id')
        .where('id', '=', capture.rolloutId)
        .executeTakeFirst();
      if (!rollout) {
        throw new RollgateError('not_found', `saveForensics: no rollout ${capture.rolloutId}`);
      }
      const had = await db
        .selectFrom('rollgate_forensics')
        .select('rollout_id')
        .where('rollout_id', '=', capture.rolloutId)
        .executeTakeFirst();
      if (had) return false;
      await db
        .insertInto('rollgate_forensics')
        .values({ rollout_id: capture.rolloutId, captured_at: at, bundle: toJson(capture.bundle) })
        .execute();
      return true;
    });
  }

  getForensics(rolloutId: string): Promise<ForensicsCapture | undefined> {
    return this.session.read('getForensics', async (db) => {
      const row = await db
        .selectFrom('rollgate_forensics')
        .selectAll()
        .where('rollout_id', '=', rolloutId)
        .executeTakeFirst();
      return row
        ? {
            rolloutId: row.rollout_id,
            capturedAt: row.captured_at,
            bundle: fromJson<Record<string, unknown>>(row.bundle),
          }
        : undefined;
    });
  }
}
