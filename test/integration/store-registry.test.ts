import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_STORE_PATH,
  openStore,
  STORE_BACKENDS,
  storeBackendName,
} from '../../src/app/store-registry.js';
import { RollgateError } from '../../src/core/errors/rollgate-error.js';
import type { Store } from '../../src/ports/store.js';
import { release } from '../contracts/store-fixtures.js';
import { type PostgresServer, startPostgres } from '../helpers/postgres.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rollgate-registry-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function open(spec?: string, cwd?: string): Promise<Store> {
  const store = await openStore(spec, cwd === undefined ? {} : { cwd });
  cleanups.push(() => store.close());
  return store;
}

async function refusal(promise: Promise<unknown>): Promise<RollgateError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(RollgateError);
    return err as RollgateError;
  }
  throw new Error('expected openStore to refuse');
}

describe('openStore', () => {
  it('with no spec opens .rollgate/rollgate.db in the working directory, creating the folder', async () => {
    const cwd = tempDir();
    const store = await open(undefined, cwd);
    await store.createRelease(release('r1'));
    expect(existsSync(join(cwd, DEFAULT_STORE_PATH))).toBe(true);
    await store.close();
    const again = await open('', cwd);
    expect(await again.getRelease('r1')).toEqual(release('r1'));
  });

  it('a path, a relative file: URL and an absolute file:// URL all name the same SQLite file', async () => {
    const cwd = tempDir();
    const a = await open('data.db', cwd);
    await a.createRelease(release('r1'));
    await a.close();
    const b = await open('file:data.db?busyTimeoutMs=2000', cwd);
    expect(await b.getRelease('r1')).toEqual(release('r1'));
    await b.close();
    const c = await open(pathToFileURL(join(cwd, 'data.db')).href);
    expect(await c.getRelease('r1')).toEqual(release('r1'));
  });

  it('picks the backend by URL scheme and refuses unknown schemes with the forms it accepts', async () => {
    expect(storeBackendName('/var/lib/rollgate/rollgate.db')).toBe('sqlite');
    expect(storeBackendName('file:x.db')).toBe('sqlite');
    expect(storeBackendName('postgres://u@h/db')).toBe('postgres');
    expect(storeBackendName('POSTGRESQL://u@h/db')).toBe('postgres');
    expect([...STORE_BACKENDS.keys()]).toEqual(['sqlite', 'postgres']);
    const err = await refusal(openStore('mysql://root:secret@db/rollgate'));
    expect(err.code).toBe('invalid_input');
    expect(err.message).toContain('mysql:');
    expect(err.message).not.toContain('secret');
    expect(err.hint).toContain('postgres://');
    expect((await refusal(openStore('file:x.db?busy=1', { cwd: tempDir() }))).code).toBe(
      'invalid_input',
    );
  });

  it('surfaces store faults from migrate: a corrupt file, a missing folder', async () => {
    const cwd = tempDir();
    writeFileSync(
      join(cwd, 'notes.db'),
      'not a database at all, just some text that is long enough',
    );
    const corrupt = await refusal(openStore('notes.db', { cwd }));
    expect(corrupt.code).toBe('store_corrupt');
    expect(corrupt.message).toContain(join(cwd, 'notes.db'));
    const missing = await refusal(openStore('no/such/folder/x.db', { cwd }));
    expect(missing.code).toBe('store_unavailable');
  });

  describe('PostgreSQL', () => {
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

    it('opens and migrates a postgres:// (and postgresql://) store', async (ctx) => {
      if (!server) return ctx.skip(skip);
      const url = await server.createDatabase();
      const store = await open(url);
      await store.createRelease(release('r1'));
      const other = await open(url.replace(/^postgres:/, 'postgresql:'));
      expect(await other.getRelease('r1')).toEqual(release('r1'));
    });
  });
});
