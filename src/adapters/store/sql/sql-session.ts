import { Kysely, sql } from 'kysely';
import { RollgateError } from '../../../core/errors/rollgate-error.js';
import type { SqlBackend } from '../../../ports/sql-backend.js';
import type { StoreSchema } from './store-schema.js';

export type Db = Kysely<StoreSchema>;

/** Turns a unique-index violation into the error the operation means (e.g. which rollout runs). */
export type UniqueExplainer = (err: unknown) => Promise<RollgateError>;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The connection side of the SQL store: opens the backend lazily, runs reads and write
 * transactions, retries what the backend calls `unavailable` with bounded backoff, and
 * turns driver errors into RollgateErrors. Knows nothing of rollouts.
 */
export class SqlSession {
  private dbPromise: Promise<Db> | undefined;
  private closed = false;

  constructor(readonly backend: SqlBackend) {}

  db(): Promise<Db> {
    if (this.closed) {
      return Promise.reject(
        new RollgateError(
          'internal',
          `the ${this.backend.name} store at ${this.backend.location} is closed`,
        ),
      );
    }
    if (!this.dbPromise) {
      this.dbPromise = this.backend.open().then((dialect) => new Kysely<StoreSchema>({ dialect }));
      this.dbPromise.catch(() => {
        this.dbPromise = undefined;
      });
    }
    return this.dbPromise;
  }

  async close(): Promise<void> {
    this.closed = true;
    const pending = this.dbPromise;
    this.dbPromise = undefined;
    if (pending) await (await pending.catch(() => undefined))?.destroy();
  }

  /** A read (or a single statement), retried when the backend is unavailable. */
  read<T>(op: string, fn: (db: Db) => Promise<T>): Promise<T> {
    return this.withRetry(op, async () => fn(await this.db()));
  }

  /** `fn` inside one write transaction (the backend's `beginSql`); all or nothing. */
  write<T>(op: string, fn: (db: Db) => Promise<T>, explainUnique?: UniqueExplainer): Promise<T> {
    return this.withRetry(
      op,
      async () => {
        const db = await this.db();
        return this.backend.exclusive(() =>
          db.connection().execute(async (conn) => {
            await sql.raw(this.backend.beginSql).execute(conn);
            let result: T;
            try {
              result = await fn(conn);
            } catch (err) {
              await sql`rollback`.execute(conn).catch(() => undefined);
              throw err;
            }
            await sql`commit`.execute(conn);
            return result;
          }),
        );
      },
      explainUnique,
    );
  }

  private async withRetry<T>(
    op: string,
    fn: () => Promise<T>,
    explainUnique?: UniqueExplainer,
  ): Promise<T> {
    const { attempts, baseDelayMs, maxDelayMs } = this.backend.retry;
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (err instanceof RollgateError) throw err;
        const kind = this.backend.classify(err);
        if (kind === 'unavailable' && attempt < attempts) {
          await sleep(Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1)));
          continue;
        }
        if (kind === 'unique_violation') {
          if (explainUnique) throw await explainUnique(err);
          throw new RollgateError('conflict', `${op}: the record already exists`, { cause: err });
        }
        if (kind === 'other') {
          const message = err instanceof Error ? err.message : String(err);
          throw new RollgateError(
            'internal',
            `${this.backend.name} store at ${this.backend.location}: ${op} failed: ${message}`,
            { cause: err },
          );
        }
        throw this.backend.describeFailure(kind, err, attempt);
      }
    }
  }
}
