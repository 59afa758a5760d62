import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { type Dialect, SqliteDialect } from 'kysely';
import { RollgateError } from '../../../core/errors/rollgate-error.js';
import type { SqlBackend, SqlErrorKind } from '../../../ports/sql-backend.js';
import { SQLITE_MIGRATIONS } from './sqlite-migrations.js';

export interface SqliteOptions {
  /** How long a writer waits for another process's write lock before giving up (ms). */
  busyTimeoutMs?: number;
}

export const SQLITE_DEFAULT_BUSY_TIMEOUT_MS = 5_000;
const HEADER = Buffer.from('SQLite format 3\0', 'latin1');
const LATEST = Math.max(...SQLITE_MIGRATIONS.map((m) => m.version));

/**
 * In-process write serialisation per file. better-sqlite3 is synchronous: a second
 * connection in this process waiting on the first one's write lock would block the event
 * loop the first one needs to commit. So writers of one process queue here; writers in
 * other processes are handled by SQLite's own lock and busy timeout.
 */
const writeQueues = new Map<string, Promise<unknown>>();

function exclusiveOn(key: string) {
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const previous = writeQueues.get(key) ?? Promise.resolve();
    const run = previous.then(fn, fn);
    const tail = run.catch(() => undefined);
    writeQueues.set(key, tail);
    void tail.then(() => {
      if (writeQueues.get(key) === tail) writeQueues.delete(key);
    });
    return run;
  };
}

function codeOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function classify(err: unknown): SqlErrorKind {
  const code = codeOf(err);
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    return 'unique_violation';
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return 'busy';
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) return 'corrupt';
  if (
    code.startsWith('SQLITE_CANTOPEN') ||
    code.startsWith('SQLITE_IOERR') ||
    code.startsWith('SQLITE_READONLY') ||
    code === 'SQLITE_FULL' ||
    code === 'SQLITE_PERM'
  ) {
    return 'refused';
  }
  return 'other';
}

function corrupt(path: string, why: string, cause?: unknown): RollgateError {
  return new RollgateError('store_corrupt', `${path} ${why}; nothing was written to it`, {
    cause,
    hint: `Point rollgate at another store (--store PATH), or move ${path} away to start a new store there. If it held rollgate data, restore it from a backup.`,
    details: { path },
  });
}

/** Refuse a file that is not a SQLite database, or not a rollgate store, before writing to it. */
function inspectExisting(path: string): void {
  if (!existsSync(path) || statSync(path).size === 0) return;
  const head = Buffer.alloc(HEADER.length);
  const fd = openSync(path, 'r');
  let read: number;
  try {
    read = readSync(fd, head, 0, HEADER.length, 0);
  } finally {
    closeSync(fd);
  }
  if (read < HEADER.length || !head.equals(HEADER)) {
    throw corrupt(path, 'is not a SQLite database (its header is not "SQLite format 3")');
  }
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    const tables = (
      db.prepare(`select name from sqlite_master where type = 'table'`).all() as { name: string }[]
    )
      .map((t) => t.name)
      .filter((name) => !name.startsWith('sqlite_'));
    if (tables.length === 0) return;
    if (!tables.includes('rollgate_migrations')) {
      const some = tables.slice(0, 5).join(', ');
      throw corrupt(path, `is a SQLite database but not a rollgate store (it has tables ${some})`);
    }
    const row = db.prepare('select max(version) as v from rollgate_migrations').get() as {
      v: number | null;
    };
    if ((row.v ?? 0) > LATEST) {
      throw new RollgateError(
        'store_corrupt',
        `${path} is a rollgate store with schema version ${row.v}, newer than this rollgate understands (${LATEST}); nothing was written to it`,
        {
          hint: 'Upgrade rollgate to the version that wrote this store, or point rollgate at another store (--store PATH).',
          details: { path, schemaVersion: row.v, supportedVersion: LATEST },
        },
      );
    }
  } catch (err) {
    if (err instanceof RollgateError) throw err;
    if (classify(err) === 'corrupt') throw corrupt(path, `is damaged (${messageOf(err)})`, err);
    throw err;
  } finally {
    db?.close();
  }
}

/**
 * The SQLite backend profile: one file, WAL journal (readers never wait for the writer),
 * `synchronous = full` (a committed transition survives a power cut), a busy timeout for
 * writers of other processes, `begin immediate` so a transaction takes the write lock
 * before it reads what it is about to guard.
 */
export function sqliteBackend(file: string, options: SqliteOptions = {}): SqlBackend {
  const path = resolve(file);
  const busyTimeoutMs = options.busyTimeoutMs ?? SQLITE_DEFAULT_BUSY_TIMEOUT_MS;

  function describeFailure(kind: SqlErrorKind, err: unknown): RollgateError {
    switch (kind) {
      case 'busy':
        return new RollgateError(
          'store_unavailable',
          `the SQLite store ${path} is locked: another process held its write lock for longer than the busy timeout (${busyTimeoutMs} ms)`,
          {
            cause: err,
            retryable: true,
            hint: `Retry. If it persists, another rollgate or a sqlite3 shell is holding a write transaction on ${path}: find it (fuser ${path}) and end it.`,
            details: { path, busyTimeoutMs },
          },
        );
      case 'corrupt':
        return corrupt(path, `is damaged or not a SQLite database (${messageOf(err)})`, err);
      default:
        return new RollgateError(
          'store_unavailable',
          `cannot use the SQLite store ${path}: ${messageOf(err)}`,
          {
            cause: err,
            hint: `Check that ${dirname(path)} exists, is writable by this user, and has free space.`,
            details: { path },
          },
        );
    }
  }

  async function open(): Promise<Dialect> {
    if (!existsSync(dirname(path))) {
      throw new RollgateError(
        'store_unavailable',
        `cannot create the SQLite store ${path}: the folder ${dirname(path)} does not exist`,
        {
          hint: `Create it (mkdir -p ${dirname(path)}) or choose another --store path.`,
          details: { path },
        },
      );
    }
    let db: Database.Database | undefined;
    try {
      inspectExisting(path);
      db = new Database(path, { timeout: busyTimeoutMs });
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
    } catch (err) {
      db?.close();
      if (err instanceof RollgateError) throw err;
      const kind = classify(err);
      throw describeFailure(kind === 'other' ? 'refused' : kind, err);
    }
    return new SqliteDialect({ database: db });
  }

  return {
    name: 'sqlite',
    location: path,
    open,
    migrations: SQLITE_MIGRATIONS,
    beginSql: 'begin immediate',
    exclusive: exclusiveOn(path),
    retry: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
    classify,
    describeFailure,
  };
}
