import { sql } from 'kysely';
import { RollgateError } from '../../../core/errors/rollgate-error.js';
import type { Db, SqlSession } from './sql-session.js';
import { MIGRATIONS_TABLE } from './store-schema.js';

const CREATE_MIGRATIONS_TABLE = `create table if not exists ${MIGRATIONS_TABLE} (
  version integer primary key,
  name text not null,
  applied_at text not null
)`;

async function currentVersion(db: Db): Promise<number> {
  const row = await db
    .selectFrom('rollgate_migrations')
    .select((eb) => eb.fn.max('version').as('version'))
    .executeTakeFirst();
  return Number(row?.version ?? 0);
}

/**
 * Applies the backend's pending numbered migrations in one transaction, recording each in
 * `rollgate_migrations`. Idempotent; concurrent migrators are serialised by the write
 * transaction (SQLite `begin immediate`) or an advisory lock (PostgreSQL), and the second
 * one finds nothing left to do. A store whose schema is newer than this build is refused
 * as `store_corrupt` before anything is written.
 */
export async function migrate(session: SqlSession): Promise<void> {
  const { backend } = session;
  const latest = Math.max(0, ...backend.migrations.map((m) => m.version));
  const tooNew = (found: number) =>
    new RollgateError(
      'store_corrupt',
      `the ${backend.name} store at ${backend.location} has schema version ${found}, newer than this rollgate understands (${latest})`,
      {
        hint: 'Upgrade rollgate to the version that wrote this store, or point rollgate at another store.',
        details: { location: backend.location, schemaVersion: found, supportedVersion: latest },
      },
    );

  // Fast path without the write lock: an up-to-date store needs no writer.
  const seen = await session
    .read('migrate', (db) => currentVersion(db))
    .catch((err: unknown) => {
      // A missing migrations table is an empty store; real failures surface again below.
      if (err instanceof RollgateError && err.code !== 'internal') throw err;
      return 0;
    });
  if (seen > latest) throw tooNew(seen);
  if (seen === latest) return;

  await session.write('migrate', async (db) => {
    if (backend.migrationLockSql) await sql.raw(backend.migrationLockSql).execute(db);
    await sql.raw(CREATE_MIGRATIONS_TABLE).execute(db);
    const from = await currentVersion(db);
    if (from > latest) throw tooNew(from);
    const pending = [...backend.migrations]
      .filter((m) => m.version > from)
      .sort((a, b) => a.version - b.version);
    for (const m of pending) {
      for (const statement of m.statements) await sql.raw(statement).execute(db);
      await db
        .insertInto('rollgate_migrations')
        .values({ version: m.version, name: m.name, applied_at: new Date().toISOString() })
        .execute();
    }
  });
}
