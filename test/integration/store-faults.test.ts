import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { postgresBackend } from '../../src/adapters/store/postgres/postgres-backend.js';
import { SqlStore } from '../../src/adapters/store/sql/sql-store.js';
import { sqliteBackend } from '../../src/adapters/store/sqlite/sqlite-backend.js';
import { RollgateError } from '../../src/core/errors/rollgate-error.js';
import type { Store } from '../../src/ports/store.js';
import { event, release, snapshot } from '../contracts/store-fixtures.js';
import { type PostgresServer, startPostgres } from '../helpers/postgres.js';

async function failure(promise: Promise<unknown>): Promise<RollgateError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(RollgateError);
    return err as RollgateError;
  }
  throw new Error('expected a failure');
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rollgate-faults-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function track(store: Store): Store {
  cleanups.push(() => store.close().catch(() => undefined));
  return store;
}

describe('SQLite faults', () => {
  it('refuses a file that is not a SQLite database, with the path and what to do, writing nothing', async () => {
    const file = join(tempDir(), 'rollgate.db');
    const text = 'release notes, not a database\n'.repeat(200);
    writeFileSync(file, text);
    const store = track(new SqlStore(sqliteBackend(file)));
    const err = await failure(store.migrate());
    expect(err.code).toBe('store_corrupt');
    expect(err.message).toContain(file);
    expect(err.message).toContain('not a SQLite database');
    expect(err.hint).toMatch(/another store|move/);
    expect(readFileSync(file, 'utf8')).toBe(text);
    expect(existsSync(`${file}-wal`)).toBe(false);
    expect(existsSync(`${file}-journal`)).toBe(false);
    // Every operation refuses the same way, not just migrate.
    expect((await failure(store.getRollout('x'))).code).toBe('store_corrupt');
  });

  it('refuses a SQLite database that is not a rollgate store, writing nothing', async () => {
    const file = join(tempDir(), 'other.db');
    const other = new Database(file);
    other.exec(
      `create table users (id integer primary key, name text); insert into users (name) values ('ann')`,
    );
    other.close();
    const before = readFileSync(file);
    const err = await failure(track(new SqlStore(sqliteBackend(file))).migrate());
    expect(err.code).toBe('store_corrupt');
    expect(err.message).toContain(file);
    expect(err.message).toContain('not a rollgate store');
    expect(err.message).toContain('users');
    expect(readFileSync(file).equals(before)).toBe(true);
    const check = new Database(file, { readonly: true });
    expect(check.pragma('journal_mode', { simple: true })).toBe('delete');
    check.close();
  });

  it('refuses a rollgate store written by a newer rollgate, writing nothing', async () => {
    const file = join(tempDir(), 'rollgate.db');
    const store = new SqlStore(sqliteBackend(file));
    await store.migrate();
    await store.createRelease(release('r1'));
    await store.close();
    const raw = new Database(file);
    raw
      .prepare(
        `insert into rollgate_migrations values (99, 'from the future', '2030-01-01T00:00:00.000Z')`,
      )
      .run();
    raw.pragma('wal_checkpoint(TRUNCATE)');
    raw.close();
    const before = readFileSync(file);
    const err = await failure(track(new SqlStore(sqliteBackend(file))).migrate());
    expect(err.code).toBe('store_corrupt');
    expect(err.message).toContain('schema version 99');
    expect(err.message).toContain(file);
    expect(err.hint).toContain('Upgrade rollgate');
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it('reports a damaged rollgate store (pages missing) as store_corrupt with the path', async () => {
    const file = join(tempDir(), 'rollgate.db');
    const store = new SqlStore(sqliteBackend(file));
    await store.migrate();
    const s0 = snapshot('ro', { lastSeq: 200 });
    const many = Array.from({ length: 200 }, (_, i) =>
      event('filler', i, { pad: 'x'.repeat(500) }),
    );
    await store.createRollout(s0, many);
    await store.close();
    const raw = new Database(file);
    raw.pragma('wal_checkpoint(TRUNCATE)');
    raw.close();
    const bytes = readFileSync(file);
    writeFileSync(file, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const damaged = track(new SqlStore(sqliteBackend(file)));
    const err = await failure(
      (async () => {
        await damaged.migrate();
        await damaged.listEvents('ro');
      })(),
    );
    expect(err.code).toBe('store_corrupt');
    expect(err.message).toContain(file);
    expect(err.hint).toContain('backup');
  });

  it('reports a write lock held by another process past the busy timeout as store_unavailable (retryable)', async () => {
    const file = join(tempDir(), 'rollgate.db');
    const store = track(new SqlStore(sqliteBackend(file, { busyTimeoutMs: 300 })));
    await store.migrate();
    await store.createRelease(release('r1'));

    // Another process takes the write lock and keeps it until we close its stdin.
    const holder: ChildProcess = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import Database from 'better-sqlite3';
         const db = new Database(${JSON.stringify(file)});
         db.exec('begin immediate');
         db.prepare("insert into rollgate_releases values ('held', 's', 'v', 't', '{}')").run();
         process.stdout.write('locked\\n');
         process.stdin.on('data', () => {}).on('end', () => { db.exec('rollback'); db.close(); process.exit(0); });`,
      ],
      { cwd: process.cwd(), stdio: ['pipe', 'pipe', 'inherit'] },
    );
    cleanups.push(() => {
      holder.kill('SIGKILL');
    });
    await new Promise<void>((resolve, reject) => {
      holder.stdout?.once('data', () => resolve());
      holder.once('exit', (code) => reject(new Error(`lock holder exited early (${code})`)));
    });

    const started = performance.now();
    const err = await failure(store.createRelease(release('r2')));
    const waited = performance.now() - started;
    expect(err.code).toBe('store_unavailable');
    expect(err.retryable).toBe(true);
    expect(err.message).toContain(file);
    expect(err.message).toContain('locked');
    expect(err.message).toContain('300 ms');
    expect(waited).toBeGreaterThanOrEqual(250);
    // Readers are not blocked by the writer (WAL), and nothing was written.
    expect(await store.getRelease('r1')).toEqual(release('r1'));
    expect(await store.getRelease('r2')).toBeUndefined();

    // Once the other process lets go, writing works again.
    const exited = new Promise((resolve) => holder.once('exit', resolve));
    holder.stdin?.end();
    await exited;
    await store.createRelease(release('r2'));
    expect(await store.getRelease('r2')).toEqual(release('r2'));
  });

  it('reports a missing folder as store_unavailable with the folder to create', async () => {
    const dir = join(tempDir(), 'no', 'such');
    const err = await failure(track(new SqlStore(sqliteBackend(join(dir, 'x.db')))).migrate());
    expect(err.code).toBe('store_unavailable');
    expect(err.message).toContain(dir);
    expect(err.hint).toContain('mkdir -p');
  });

  it('the database itself keeps the timeline append-only', async () => {
    const file = join(tempDir(), 'rollgate.db');
    const store = track(new SqlStore(sqliteBackend(file)));
    await store.migrate();
    await store.createRollout(snapshot('ro', { lastSeq: 1 }), [event('created')]);
    const raw = new Database(file);
    cleanups.push(() => {
      raw.close();
    });
    expect(() => raw.prepare(`update rollgate_events set message = 'edited'`).run()).toThrow(
      /append-only/,
    );
    expect(() => raw.prepare('delete from rollgate_events').run()).toThrow(/append-only/);
  });
});

describe('PostgreSQL faults', () => {
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

  it('the database itself keeps the timeline append-only', async (ctx) => {
    if (!server) return ctx.skip(skip);
    const url = await server.createDatabase();
    const store = track(new SqlStore(postgresBackend(url)));
    await store.migrate();
    await store.createRollout(snapshot('ro', { lastSeq: 1 }), [event('created')]);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    cleanups.push(() => client.end());
    await expect(client.query(`update rollgate_events set message = 'edited'`)).rejects.toThrow(
      /append-only/,
    );
    await expect(client.query('delete from rollgate_events')).rejects.toThrow(/append-only/);
  });

  it('a server that goes down: bounded retries, then store_unavailable with host:port and no password', async (ctx) => {
    if (!server) return ctx.skip(skip);
    // A server of its own, so stopping it does not disturb the other tests.
    const started = await startPostgres();
    if (!started.server) return ctx.skip(started.skip);
    const own = started.server;
    cleanups.push(() => own.stop());
    const url = (await own.createDatabase()).replace('postgres@', 'postgres:hunter2-secret@');
    const store = track(
      new SqlStore(
        postgresBackend(url, { retry: { attempts: 4, baseDelayMs: 100, maxDelayMs: 400 } }),
      ),
    );
    await store.migrate();
    await store.createRelease(release('r1'));
    expect(await store.getRelease('r1')).toEqual(release('r1'));

    await own.stop();
    const begun = performance.now();
    const err = await failure(store.getRelease('r1'));
    const took = performance.now() - begun;
    expect(err.code).toBe('store_unavailable');
    expect(err.retryable).toBe(true);
    expect(err.message).toContain(`127.0.0.1:${own.port}`);
    expect(err.message).toContain('after 4 attempts');
    expect(err.details).toMatchObject({ host: '127.0.0.1', port: own.port, attempts: 4 });
    expect(err.hint).toContain('pg_isready');
    const everything = JSON.stringify({ m: err.message, h: err.hint, d: err.details });
    expect(everything).not.toContain('hunter2');
    // 100 + 200 + 400 ms of backoff, bounded well under the test's patience.
    expect(took).toBeGreaterThanOrEqual(600);
    expect(took).toBeLessThan(15_000);
    // Writes fail the same way and write nothing anywhere.
    expect((await failure(store.createRelease(release('r2')))).code).toBe('store_unavailable');
  });

  it('a server that comes back within the retry window: the operation succeeds', async (ctx) => {
    if (!server) return ctx.skip(skip);
    const started = await startPostgres();
    if (!started.server) return ctx.skip(started.skip);
    const own = started.server;
    cleanups.push(() => own.stop());
    const store = track(
      new SqlStore(
        postgresBackend(await own.createDatabase(), {
          retry: { attempts: 8, baseDelayMs: 200, maxDelayMs: 1_000 },
        }),
      ),
    );
    await store.migrate();
    await store.createRelease(release('r1'));
    await own.halt();
    const reading = store.getRelease('r1');
    await new Promise((resolve) => setTimeout(resolve, 300));
    await own.resume();
    expect(await reading).toEqual(release('r1'));
    await store.createRelease(release('r2'));
    expect(await store.getRelease('r2')).toEqual(release('r2'));
  });

  it('no server at all: store_unavailable on open, naming host:port', async (ctx) => {
    if (!server) return ctx.skip(skip);
    const port = server.port + 1;
    const store = track(
      new SqlStore(
        postgresBackend(`postgres://rollgate:pw@127.0.0.1:${port}/rollgate`, {
          retry: { attempts: 2, baseDelayMs: 50 },
        }),
      ),
    );
    const err = await failure(store.migrate());
    expect(err.code).toBe('store_unavailable');
    expect(err.message).toContain(`127.0.0.1:${port}/rollgate`);
    expect(err.message).not.toContain('pw@');
  });

  it('a user that may not create tables: store_unavailable, not retried, saying so', async (ctx) => {
    if (!server) return ctx.skip(skip);
    const url = await server.createDatabase();
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    cleanups.push(() => admin.end());
    const role = `reader_${process.pid}`;
    await admin.query(`create role ${role} login`);
    cleanups.push(async () => {
      await admin.query(`drop owned by ${role}`).catch(() => undefined);
    });
    const store = track(new SqlStore(postgresBackend(url.replace('postgres@', `${role}@`))));
    const err = await failure(store.migrate());
    expect(err.code).toBe('store_unavailable');
    expect(err.retryable).toBe(false);
    expect(err.message).toContain('permission denied');
    expect(err.hint).toContain('create tables');
  });

  it('a database that does not exist: store_unavailable, not retried, saying how to create it', async (ctx) => {
    if (!server) return ctx.skip(skip);
    const store = track(
      new SqlStore(postgresBackend(`${server.url.replace(/\/postgres$/, '/nope')}`)),
    );
    const begun = performance.now();
    const err = await failure(store.migrate());
    expect(err.code).toBe('store_unavailable');
    expect(err.retryable).toBe(false);
    expect(err.hint).toContain('createdb');
    expect(performance.now() - begun).toBeLessThan(5_000);
  });
});
