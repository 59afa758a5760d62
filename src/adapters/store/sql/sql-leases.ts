import { sql } from 'kysely';
import { RollgateError } from '../../../core/errors/rollgate-error.js';
import type { Lease } from '../../../ports/store.js';
import type { Db, SqlSession } from './sql-session.js';
import { isoTime } from './store-values.js';

/**
 * Controller leases with fencing tokens (docs/decisions/0042). The token increases every
 * time the lease changes hands and never goes back (a released lease keeps its row).
 */
export class SqlLeases {
  constructor(private readonly session: SqlSession) {}

  async acquireLease(
    rolloutId: string,
    owner: string,
    now: string,
    expiresAt: string,
  ): Promise<Lease | undefined> {
    const nowAt = isoTime(now, 'acquireLease: now');
    const until = isoTime(expiresAt, 'acquireLease: expiresAt');
    const lease = (token: number): Lease => ({ rolloutId, owner, token, expiresAt: until });
    return this.session.write('acquireLease', async (db) => {
      const current = await db
        .selectFrom('rollgate_leases')
        .selectAll()
        .where('rollout_id', '=', rolloutId)
        .executeTakeFirst();
      if (!current) {
        const inserted = await db
          .insertInto('rollgate_leases')
          .values({ rollout_id: rolloutId, owner, token: 1, expires_at: until })
          .onConflict((oc) => oc.column('rollout_id').doNothing())
          .executeTakeFirst();
        return Number(inserted.numInsertedOrUpdatedRows) === 1 ? lease(1) : undefined;
      }
      const token = Number(current.token);
      const free = current.owner === null || current.expires_at <= nowAt;
      if (current.owner !== owner && !free) return undefined;
      const nextToken = current.owner === owner ? token : token + 1;
      // Guarded on the token we read: a concurrent taker makes this a no-op.
      const updated = await db
        .updateTable('rollgate_leases')
        .set({ owner, token: nextToken, expires_at: until })
        .where('rollout_id', '=', rolloutId)
        .where('token', '=', token)
        .executeTakeFirst();
      return Number(updated.numUpdatedRows) === 1 ? lease(nextToken) : undefined;
    });
  }

  async releaseLease(rolloutId: string, owner: string): Promise<void> {
    await this.session.write('releaseLease', async (db) => {
      await db
        .updateTable('rollgate_leases')
        .set({ owner: null })
        .where('rollout_id', '=', rolloutId)
        .where('owner', '=', owner)
        .execute();
    });
  }

  /**
   * The fence check, inside the commit's transaction. A no-op update (not a read) so that on
   * PostgreSQL it locks the lease row until commit: a concurrent steal waits for this write
   * rather than slipping in between the check and the write.
   */
  async checkFence(
    db: Db,
    rolloutId: string,
    fence: { owner: string; token: number },
  ): Promise<void> {
    const held = await db
      .updateTable('rollgate_leases')
      .set({ token: sql<number>`token` })
      .where('rollout_id', '=', rolloutId)
      .where('owner', '=', fence.owner)
      .where('token', '=', fence.token)
      .executeTakeFirst();
    if (Number(held.numUpdatedRows) === 1) return;
    const lease = await db
      .selectFrom('rollgate_leases')
      .selectAll()
      .where('rollout_id', '=', rolloutId)
      .executeTakeFirst();
    const holder = lease
      ? `the lease is now held by ${lease.owner ?? 'nobody'} with token ${lease.token}`
      : 'there is no lease on it';
    throw new RollgateError(
      'conflict',
      `commit on rollout ${rolloutId} refused: ${fence.owner} writes with lease token ${fence.token}, but ${holder}; nothing was written`,
      {
        hint: 'This controller lost its lease; another controller owns the rollout now.',
        details: {
          rolloutId,
          fence,
          leaseOwner: lease?.owner ?? null,
          leaseToken: lease ? Number(lease.token) : null,
        },
      },
    );
  }
}
