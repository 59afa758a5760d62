import type { Selectable } from 'kysely';
import { RollgateError } from '../../../core/errors/rollgate-error.js';
import { type ApiTokenRecord, TOKEN_ROLES, type TokenRole } from '../../../ports/token-store.js';
import type { SqlSession } from './sql-session.js';
import type { TokensTable } from './store-schema.js';
import { isoTime } from './store-values.js';

function toRecord(row: Selectable<TokensTable>): ApiTokenRecord {
  return {
    id: row.id,
    name: row.name,
    role: row.role as TokenRole,
    hash: row.hash,
    createdAt: row.created_at,
    createdBy: row.created_by,
    ...(row.last_used_at === null ? {} : { lastUsedAt: row.last_used_at }),
    ...(row.revoked_at === null ? {} : { revokedAt: row.revoked_at }),
  };
}

/** API tokens on the SQL store (migration 5 on both backends). */
export class SqlTokens {
  constructor(private readonly session: SqlSession) {}

  async create(t: ApiTokenRecord): Promise<void> {
    for (const key of ['id', 'name', 'hash', 'createdBy'] as const) {
      if (typeof t[key] !== 'string' || t[key] === '') {
        throw new RollgateError('invalid_input', `createToken: ${key} must be a non-empty string`);
      }
    }
    if (!TOKEN_ROLES.includes(t.role)) {
      throw new RollgateError('invalid_input', `createToken: unknown role "${t.role}"`);
    }
    const createdAt = isoTime(t.createdAt, 'createToken: createdAt');
    await this.session.write(
      'createToken',
      async (db) => {
        await db
          .insertInto('rollgate_tokens')
          .values({
            id: t.id,
            name: t.name,
            role: t.role,
            hash: t.hash,
            created_at: createdAt,
            created_by: t.createdBy,
            last_used_at: null,
            revoked_at: null,
          })
          .execute();
      },
      async (err) =>
        new RollgateError('conflict', `token ${t.id} already exists`, {
          cause: err,
          details: { tokenId: t.id },
        }),
    );
  }

  get(id: string): Promise<ApiTokenRecord | undefined> {
    return this.session.read('getToken', async (db) => {
      const row = await db
        .selectFrom('rollgate_tokens')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return row ? toRecord(row) : undefined;
    });
  }

  list(): Promise<ApiTokenRecord[]> {
    return this.session.read('listTokens', async (db) =>
      (
        await db
          .selectFrom('rollgate_tokens')
          .selectAll()
          .orderBy('created_at')
          .orderBy('id')
          .execute()
      ).map(toRecord),
    );
  }

  async revoke(id: string, at: string): Promise<void> {
    const when = isoTime(at, 'revokeToken: at');
    await this.session.write('revokeToken', async (db) => {
      const row = await db
        .selectFrom('rollgate_tokens')
        .select(['revoked_at'])
        .where('id', '=', id)
        .executeTakeFirst();
      if (!row) {
        throw new RollgateError('not_found', `no token ${id}`, {
          hint: 'list them with: rollgate token list',
          details: { tokenId: id },
        });
      }
      if (row.revoked_at !== null) return;
      await db
        .updateTable('rollgate_tokens')
        .set({ revoked_at: when })
        .where('id', '=', id)
        .execute();
    });
  }

  async touch(id: string, at: string): Promise<void> {
    const when = isoTime(at, 'touchToken: at');
    await this.session.write('touchToken', async (db) => {
      await db
        .updateTable('rollgate_tokens')
        .set({ last_used_at: when })
        .where('id', '=', id)
        .execute();
    });
  }

  count(activeOnly: boolean): Promise<number> {
    return this.session.read('countTokens', async (db) => {
      let q = db.selectFrom('rollgate_tokens').select((eb) => eb.fn.countAll().as('n'));
      if (activeOnly) q = q.where('revoked_at', 'is', null);
      const row = await q.executeTakeFirst();
      return Number(row?.n ?? 0);
    });
  }
}
