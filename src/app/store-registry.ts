import { mkdirSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type PostgresOptions,
  postgresBackend,
} from '../adapters/store/postgres/postgres-backend.js';
import { SqlStore } from '../adapters/store/sql/sql-store.js';
import { type SqliteOptions, sqliteBackend } from '../adapters/store/sqlite/sqlite-backend.js';
import { RollgateError } from '../core/errors/rollgate-error.js';
import type { Store } from '../ports/store.js';

/** Where the embedded store lives when no --store is given (relative to the working directory). */
export const DEFAULT_STORE_PATH = '.rollgate/rollgate.db';

export interface OpenStoreOptions {
  /** Resolves relative paths (default: process.cwd()). */
  cwd?: string;
  sqlite?: SqliteOptions;
  postgres?: PostgresOptions;
}

/** A store backend: builds an (unmigrated) store for a store spec it accepts. */
export interface StoreBackendFactory {
  /** The store spec forms it accepts, for messages and --help. */
  forms: readonly string[];
  create(spec: string, options: OpenStoreOptions): Store;
}

function sqliteTarget(spec: string, cwd: string): { path: string; busyTimeoutMs?: number } {
  let rest = spec;
  let query = '';
  if (/^(file|sqlite):/i.test(spec)) {
    const q = spec.indexOf('?');
    if (q >= 0) {
      query = spec.slice(q + 1);
      rest = spec.slice(0, q);
    }
    rest = /^file:\/\//i.test(rest) ? fileURLToPath(rest) : rest.replace(/^(file|sqlite):/i, '');
  }
  if (rest === '') {
    throw new RollgateError('invalid_input', `the store spec "${spec}" names no file`, {
      hint: `Use a path such as ${DEFAULT_STORE_PATH}, or file:///var/lib/rollgate/rollgate.db.`,
    });
  }
  const target: { path: string; busyTimeoutMs?: number } = {
    path: isAbsolute(rest) ? rest : resolve(cwd, rest),
  };
  for (const [key, value] of new URLSearchParams(query)) {
    const ms = Number(value);
    if (key === 'busyTimeoutMs' && Number.isSafeInteger(ms) && ms >= 0) {
      target.busyTimeoutMs = ms;
      continue;
    }
    throw new RollgateError(
      'invalid_input',
      `the SQLite store spec has an unknown or bad parameter ${key}=${value}`,
      {
        hint: 'The one parameter is busyTimeoutMs (a whole number of milliseconds), e.g. file:rollgate.db?busyTimeoutMs=10000.',
      },
    );
  }
  return target;
}

/**
 * Store backends by name. The built-in ones register here like any other would; `openStore`
 * picks one by the spec's URL scheme (SCHEMES), a plain path being SQLite.
 */
export const STORE_BACKENDS: ReadonlyMap<string, StoreBackendFactory> = new Map<
  string,
  StoreBackendFactory
>([
  [
    'sqlite',
    {
      forms: ['PATH', 'file:PATH', 'file:///ABSOLUTE/PATH', 'sqlite:PATH'],
      create(spec, options) {
        const { path, busyTimeoutMs } = sqliteTarget(spec, options.cwd ?? process.cwd());
        return new SqlStore(
          sqliteBackend(path, {
            ...options.sqlite,
            ...(busyTimeoutMs === undefined ? {} : { busyTimeoutMs }),
          }),
        );
      },
    },
  ],
  [
    'postgres',
    {
      forms: ['postgres://USER:PASSWORD@HOST:PORT/DATABASE', 'postgresql://…'],
      create: (spec, options) => new SqlStore(postgresBackend(spec, options.postgres)),
    },
  ],
]);

/** URL scheme → backend name. */
export const STORE_SCHEMES: Readonly<Record<string, string>> = {
  'file:': 'sqlite',
  'sqlite:': 'sqlite',
  'postgres:': 'postgres',
  'postgresql:': 'postgres',
};

/** The backend name for a store spec; a spec without a URL scheme is a SQLite file path. */
export function storeBackendName(spec: string): string {
  const scheme = /^([a-z][a-z0-9+.-]+:)/i.exec(spec)?.[1]?.toLowerCase();
  if (scheme === undefined) return 'sqlite';
  const name = STORE_SCHEMES[scheme];
  if (name) return name;
  const forms = [...STORE_BACKENDS.values()].flatMap((b) => b.forms).join(', ');
  throw new RollgateError('invalid_input', `unsupported store URL scheme "${scheme}"`, {
    hint: `Use one of: ${forms}.`,
    details: { scheme },
  });
}

/**
 * Opens the store a spec names (a file path or `file:` URL for SQLite, a `postgres://` URL
 * for PostgreSQL; none = DEFAULT_STORE_PATH, whose folder is created) and brings its schema
 * up to date. Fails with store_corrupt / store_unavailable / invalid_input, never half open.
 */
export async function openStore(spec?: string, options: OpenStoreOptions = {}): Promise<Store> {
  let target = spec?.trim() ?? '';
  if (target === '') {
    target = resolve(options.cwd ?? process.cwd(), DEFAULT_STORE_PATH);
    mkdirSync(dirname(target), { recursive: true });
  }
  const name = storeBackendName(target);
  const backend = STORE_BACKENDS.get(name);
  if (!backend) throw new RollgateError('internal', `no store backend registered as "${name}"`);
  const store = backend.create(target, options);
  try {
    await store.migrate();
  } catch (err) {
    await store.close().catch(() => undefined);
    throw err;
  }
  return store;
}

/**
 * Where the rollback reaction writes forensics folders (ADR 0140): next to a SQLite file
 * (`.rollgate/forensics` for the default store), else `.rollgate/forensics` under `cwd`.
 */
export function forensicsDirFor(spec: string | undefined, cwd: string): string {
  const target = spec?.trim() ?? '';
  if (target === '') return resolve(cwd, dirname(DEFAULT_STORE_PATH), 'forensics');
  if (storeBackendName(target) === 'sqlite') {
    return resolve(dirname(sqliteTarget(target, cwd).path), 'forensics');
  }
  return resolve(cwd, dirname(DEFAULT_STORE_PATH), 'forensics');
}
