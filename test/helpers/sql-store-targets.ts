import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { postgresBackend } from '../../src/adapters/store/postgres/postgres-backend.js';
import { SqlStore } from '../../src/adapters/store/sql/sql-store.js';
import { sqliteBackend } from '../../src/adapters/store/sqlite/sqlite-backend.js';
import type { StoreTarget } from '../contracts/store-contract.js';
import { type PostgresServer, startPostgres } from './postgres.js';

/**
 * Runs a store contract on both SQL backends: SQLite (a temporary file per test) and a
 * real PostgreSQL started for the calling test file (a database per test).
 */
export function onSqlBackends(contract: (name: string, target: StoreTarget) => void): void {
  let counter = 0;
  contract('SQLite', () => ({
    async newDatabase() {
      const dir = mkdtempSync(join(tmpdir(), 'rollgate-sqlite-'));
      const file = join(dir, `store-${++counter}.db`);
      return {
        open: () => new SqlStore(sqliteBackend(file)),
        dispose: async () => rmSync(dir, { recursive: true, force: true }),
      };
    },
  }));

  let server: PostgresServer | undefined;
  let skip = 'PostgreSQL has not started';
  beforeAll(async () => {
    const started = await startPostgres();
    if (started.server) server = started.server;
    else skip = started.skip;
  });
  afterAll(async () => {
    await server?.stop();
  });

  contract('PostgreSQL', () => {
    const pg = server;
    if (!pg) return skip;
    return {
      async newDatabase() {
        const url = await pg.createDatabase();
        return { open: () => new SqlStore(postgresBackend(url)), dispose: async () => undefined };
      },
    };
  });
}
