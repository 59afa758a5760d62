import { type Dialect, PostgresDialect } from 'kysely';
import pg from 'pg';
import { RollgateError } from '../../../core/errors/rollgate-error.js';
import type { SqlBackend, SqlErrorKind, SqlRetryPolicy } from '../../../ports/sql-backend.js';
import { POSTGRES_MIGRATIONS } from './postgres-migrations.js';

export interface PostgresOptions {
  /** Per connection attempt (ms). */
  connectTimeoutMs?: number;
  /** Bounded retries when the server cannot be reached. */
  retry?: Partial<SqlRetryPolicy>;
  /** Pool size. */
  maxConnections?: number;
}

export const POSTGRES_DEFAULT_RETRY: SqlRetryPolicy = {
  attempts: 5,
  baseDelayMs: 200,
  maxDelayMs: 2_000,
};

const UNREACHABLE_ERRNO = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
]);
const UNREACHABLE_MESSAGE =
  /Connection terminated|timeout exceeded when trying to connect|connection timeout|not queryable|Connection ended/i;

function codeOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
}

function classify(err: unknown): SqlErrorKind {
  const code = codeOf(err);
  if (code === '23505') return 'unique_violation';
  if (
    code.startsWith('08') ||
    ['57P01', '57P02', '57P03', '53300', '40001', '40P01'].includes(code) ||
    UNREACHABLE_ERRNO.has(code)
  ) {
    return 'unavailable';
  }
  if (code.startsWith('28') || code === '3D000' || code === '42501') return 'refused';
  if (code === 'XX001' || code === 'XX002') return 'corrupt';
  if (code === '' && err instanceof Error && UNREACHABLE_MESSAGE.test(err.message)) {
    return 'unavailable';
  }
  return 'other';
}

/** Where the server is, for messages: host:port/database, never the user's password. */
export function describePostgresUrl(url: string): {
  host: string;
  port: number;
  database: string;
  location: string;
  password: string;
} {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RollgateError('invalid_input', 'the PostgreSQL store URL is not a valid URL', {
      hint: 'Use postgres://USER:PASSWORD@HOST:PORT/DATABASE (the password may also come from PGPASSWORD).',
    });
  }
  const host = decodeURIComponent(parsed.hostname || 'localhost');
  const port = Number(parsed.port || 5432);
  // As libpq and pg do: no database in the URL means the one named like the user.
  const database =
    decodeURIComponent(parsed.pathname.replace(/^\//, '')) ||
    process.env.PGDATABASE ||
    decodeURIComponent(parsed.username) ||
    'postgres';
  return {
    host,
    port,
    database,
    location: `${host}:${port}/${database}`,
    password: decodeURIComponent(parsed.password),
  };
}

/**
 * The PostgreSQL backend profile: a connection pool, `json` columns, transactions at READ
 * COMMITTED (the guarded updates re-check their WHERE clause after waiting on a row lock),
 * an advisory lock around migrations, and bounded retries with backoff when the server
 * cannot be reached.
 */
export function postgresBackend(url: string, options: PostgresOptions = {}): SqlBackend {
  const target = describePostgresUrl(url);
  const retry: SqlRetryPolicy = { ...POSTGRES_DEFAULT_RETRY, ...options.retry };
  const scrub = (text: string) =>
    target.password ? text.split(target.password).join('***') : text;
  const messageOf = (err: unknown) => scrub(err instanceof Error ? err.message : String(err));
  const hostPort = `${target.host}:${target.port}`;

  function describeFailure(kind: SqlErrorKind, err: unknown, attempts: number): RollgateError {
    const details = { host: target.host, port: target.port, database: target.database, attempts };
    if (kind === 'unavailable' || kind === 'busy') {
      return new RollgateError(
        'store_unavailable',
        `the PostgreSQL store at ${target.location} is unreachable after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${messageOf(err)}`,
        {
          cause: err,
          retryable: true,
          hint: `Check that PostgreSQL is running and accepts connections at ${hostPort} (pg_isready -h ${target.host} -p ${target.port}), then retry.`,
          details,
        },
      );
    }
    if (kind === 'corrupt') {
      return new RollgateError(
        'store_corrupt',
        `the PostgreSQL store at ${target.location} reports damaged data: ${messageOf(err)}`,
        {
          cause: err,
          hint: 'Restore the database from a backup; see the PostgreSQL server log.',
          details,
        },
      );
    }
    return new RollgateError(
      'store_unavailable',
      `the PostgreSQL server at ${hostPort} refused the store ${target.location}: ${messageOf(err)}`,
      {
        cause: err,
        hint: `Check the user and password in the store URL (or PGPASSWORD), that database "${target.database}" exists (createdb -h ${target.host} -p ${target.port} ${target.database}), and that the user may create tables in it.`,
        details,
      },
    );
  }

  async function open(): Promise<Dialect> {
    const pool = new pg.Pool({
      connectionString: url,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 3_000,
      max: options.maxConnections ?? 10,
      application_name: 'rollgate',
    });
    // A client whose server went away emits 'error' (idle in the pool, or checked out
    // between queries); the query in flight fails on its own and the next one reconnects.
    // Without these listeners the process would crash on an unhandled 'error' event.
    pool.on('error', () => undefined);
    pool.on('connect', (client) => {
      client.on('error', () => undefined);
    });
    return new PostgresDialect({ pool });
  }

  return {
    name: 'postgres',
    location: target.location,
    open,
    migrations: POSTGRES_MIGRATIONS,
    beginSql: 'begin',
    migrationLockSql: `select pg_advisory_xact_lock(hashtext('rollgate.migrate'))`,
    exclusive: (fn) => fn(),
    retry,
    classify,
    describeFailure,
  };
}
