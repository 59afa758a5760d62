import type { Dialect } from 'kysely';
import type { RollgateError } from '../core/errors/rollgate-error.js';

/**
 * A SQL backend profile: everything that differs between the SQLite and PostgreSQL stores,
 * in one object (CONVENTIONS.md "Backend differences live in one place"). The generic store
 * (adapters/store/sql) runs on any profile; adapters/store/{sqlite,postgres} each build one;
 * the composition root (src/app/store-registry.ts) puts the two together. It is a port so
 * that neither store adapter imports the other.
 */

/** One numbered migration: statements run in order inside the migration transaction. */
export interface SqlMigration {
  version: number;
  name: string;
  statements: readonly string[];
}

/**
 * How the store should treat a driver error.
 * - `unique_violation`: a unique index refused the write (the store explains which).
 * - `busy`: the database is locked by another writer past the busy timeout.
 * - `unavailable`: the server cannot be reached right now (retried with backoff).
 * - `refused`: the server answered but will not serve us (bad credentials, no such database).
 * - `corrupt`: the data on disk is not a (readable) rollgate store.
 * - `other`: anything else (a bug): reported as `internal`.
 */
export type SqlErrorKind =
  | 'unique_violation'
  | 'busy'
  | 'unavailable'
  | 'refused'
  | 'corrupt'
  | 'other';

export interface SqlRetryPolicy {
  /** Total attempts for an operation that fails with `unavailable` (1 = no retry). */
  attempts: number;
  /** First backoff delay; doubled each attempt, capped at maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface SqlBackend {
  /** "sqlite" | "postgres": for messages. */
  readonly name: string;
  /** Where the store lives, safe to print: a file path, or host:port/database (never a password). */
  readonly location: string;
  /** Check the target and connect; returns the Kysely dialect the store runs on. */
  open(): Promise<Dialect>;
  readonly migrations: readonly SqlMigration[];
  /** Starts a write transaction: `begin immediate` on SQLite (take the write lock now), `begin` on PostgreSQL. */
  readonly beginSql: string;
  /** Run first inside the migration transaction to serialise concurrent migrators (PostgreSQL advisory lock). */
  readonly migrationLockSql?: string;
  /**
   * Serialises write transactions of this process on the same database where the driver
   * would otherwise block the event loop (better-sqlite3 is synchronous); identity elsewhere.
   */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
  readonly retry: SqlRetryPolicy;
  classify(err: unknown): SqlErrorKind;
  /**
   * The user-facing error for an infrastructure failure (`busy`, `unavailable`, `refused`,
   * `corrupt`): what went wrong, where (`location`), what to do. `attempts` made so far.
   */
  describeFailure(kind: SqlErrorKind, err: unknown, attempts: number): RollgateError;
}
