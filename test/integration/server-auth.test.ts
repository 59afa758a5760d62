import Database from 'better-sqlite3';
import pg from 'pg';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { RollgateError } from '../../src/core/errors/rollgate-error.js';
import { createApiToken } from '../../src/server/api-tokens.js';
import { createServer } from '../../src/server/create-server.js';
import { type ApiFixture, call, startApiServer } from '../helpers/api-server.js';
import { type PostgresServer, startPostgres } from '../helpers/postgres.js';

// The "done when" of issue #8's security, on a real listening server over a real store:
// no token → 401; a viewer cannot command → 403; a revoked token stops working; tokens are
// not stored in clear (the test reads the store's table itself). On SQLite and PostgreSQL.

/** Every row of rollgate_tokens, as the database holds it. */
async function rawTokenRows(f: ApiFixture): Promise<Record<string, unknown>[]> {
  if (f.storeSpec.startsWith('postgres')) {
    const client = new pg.Client({ connectionString: f.storeSpec });
    await client.connect();
    try {
      return (await client.query('select * from rollgate_tokens')).rows;
    } finally {
      await client.end();
    }
  }
  const db = new Database(f.storeSpec, { readonly: true });
  try {
    return db.prepare('select * from rollgate_tokens').all() as Record<string, unknown>[];
  } finally {
    db.close();
  }
}

/** A token made the way `rollgate token create` makes it: straight on the store. */
async function tokenOnStore(f: ApiFixture, name: string, role: 'viewer' | 'operator' | 'admin') {
  const store = f.openStore();
  try {
    await store.migrate();
    return await createApiToken(store, {
      name,
      role,
      createdBy: '@test',
      now: new Date().toISOString(),
    });
  } finally {
    await store.close();
  }
}

function authSuite(name: string, postgresUrl: () => Promise<string> | string) {
  describe(`API auth on ${name}`, () => {
    let f: ApiFixture;
    let skipped = false;
    beforeAll(async () => {
      const url = await postgresUrl();
      if (url === 'skip') {
        skipped = true;
        return;
      }
      f = await startApiServer(url === '' ? {} : { postgresUrl: url });
    });
    const ready = (ctx: TestContext) => {
      if (skipped) ctx.skip('PostgreSQL is not installed');
    };
    afterAll(async () => {
      await f?.close();
    });

    it('with no token yet, loopback requests act as admin @local; once one exists, no token is 401', async (ctx) => {
      ready(ctx);
      expect((await call(f.url, 'GET', '/api/v1/whoami')).body).toEqual({
        actor: '@local',
        role: 'admin',
      });
      const { token } = await tokenOnStore(f, 'alice', 'viewer');
      const denied = await call(f.url, 'GET', '/api/v1/rollouts');
      expect(denied.status).toBe(401);
      expect(denied.headers['content-type']).toContain('application/problem+json');
      expect(denied.headers['www-authenticate']).toContain('Bearer');
      expect(denied.body).toMatchObject({ status: 401, title: 'Unauthorized' });
      // health and the OpenAPI document need none
      expect((await call(f.url, 'GET', '/api/v1/health')).status).toBe(200);
      expect((await call(f.url, 'GET', '/api/v1/openapi.json')).status).toBe(200);
      // a malformed or unknown token is 401 too
      expect((await call(f.url, 'GET', '/api/v1/rollouts', { token: 'nope' })).status).toBe(401);
      expect(
        (
          await call(f.url, 'GET', '/api/v1/rollouts', {
            token: `rg_000000000000_${'a'.repeat(64)}`,
          })
        ).status,
      ).toBe(401);
      const ok = await call(f.url, 'GET', '/api/v1/whoami', { token });
      expect(ok.body).toEqual({ actor: '@alice', role: 'viewer' });
    });

    it('a viewer reads but cannot command (403); an operator commands and its event names it', async (ctx) => {
      ready(ctx);
      const viewer = (await tokenOnStore(f, 'vera', 'viewer')).token;
      const operator = (await tokenOnStore(f, 'otto', 'operator')).token;
      expect((await call(f.url, 'GET', '/api/v1/rollouts/ro-250', { token: viewer })).status).toBe(
        200,
      );
      const started = await call(f.url, 'POST', '/api/v1/releases', {
        token: viewer,
        body: { service: 'shop', version: 'v2', type: 'minor', previousVersion: 'v1' },
      });
      expect(started.status).toBe(403);
      expect(started.body).toMatchObject({ status: 403 });
      const release = await call(f.url, 'POST', '/api/v1/releases', {
        token: operator,
        body: { service: 'shop', version: 'v2', type: 'minor', previousVersion: 'v1' },
      });
      expect(release.status).toBe(201);
      const id = (release.body as { rollout: { id: string } }).rollout.id;
      const refused = await call(f.url, 'POST', `/api/v1/rollouts/${id}/commands`, {
        token: viewer,
        body: { command: 'abort' },
      });
      expect(refused.status).toBe(403);
      const abort = await call(f.url, 'POST', `/api/v1/rollouts/${id}/commands`, {
        token: operator,
        body: { command: 'abort', reason: 'from the test' },
      });
      expect(abort.status).toBe(202);
      const events = (await call(f.url, 'GET', `/api/v1/rollouts/${id}/events`, { token: viewer }))
        .body as { events: { actor: string; type: string }[] };
      expect(events.events.find((e) => e.type === 'rollback.started')?.actor).toBe('@otto');
      expect(events.events[0]?.actor).toBe('@otto');
      // tokens are for admins only
      expect((await call(f.url, 'GET', '/api/v1/tokens', { token: operator })).status).toBe(403);
      // the event stream takes the token from ?access_token= (EventSource sends no headers)
      const stream = async (query: string) => {
        const abort = new AbortController();
        const res = await request(`${f.url}/api/v1/rollouts/${id}/stream${query}`, {
          signal: abort.signal,
        });
        const type = String(res.headers['content-type']);
        abort.abort();
        await res.body.dump().catch(() => undefined);
        return { status: res.statusCode, type };
      };
      expect(await stream('')).toMatchObject({ status: 401 });
      expect(await stream(`?access_token=${viewer}`)).toEqual({
        status: 200,
        type: 'text/event-stream; charset=utf-8',
      });
      // elsewhere a query token is not accepted
      expect((await call(f.url, 'GET', `/api/v1/rollouts?access_token=${viewer}`)).status).toBe(
        401,
      );
    });

    it('a revoked token stops working at once (revoked on the store, as `rollgate token revoke` does)', async (ctx) => {
      ready(ctx);
      const { token, record } = await tokenOnStore(f, 'rita', 'operator');
      expect((await call(f.url, 'GET', '/api/v1/whoami', { token })).status).toBe(200);
      const store = f.openStore();
      try {
        await store.revokeToken(record.id, new Date().toISOString());
      } finally {
        await store.close();
      }
      const after = await call(f.url, 'GET', '/api/v1/whoami', { token });
      expect(after.status).toBe(401);
      expect((after.body as { detail: string }).detail).toContain('revoked');
    });

    it('admins create, list and revoke tokens over the API; lists never show secrets or hashes', async (ctx) => {
      ready(ctx);
      const admin = (await tokenOnStore(f, 'ada', 'admin')).token;
      const created = await call(f.url, 'POST', '/api/v1/tokens', {
        token: admin,
        body: { name: 'ci-bot', role: 'operator' },
      });
      expect(created.status).toBe(201);
      const { token: bot, id } = created.body as { token: string; id: string };
      expect(bot).toMatch(/^rg_[0-9a-f]{12}_[0-9a-f]{64}$/);
      expect((await call(f.url, 'GET', '/api/v1/whoami', { token: bot })).body).toEqual({
        actor: '@ci-bot',
        role: 'operator',
      });
      const list = await call(f.url, 'GET', '/api/v1/tokens', { token: admin });
      expect(list.text).not.toContain('scrypt');
      expect(list.text).not.toContain(bot.slice(16));
      expect((list.body as { tokens: { id: string }[] }).tokens.map((t) => t.id)).toContain(id);
      const bad = await call(f.url, 'POST', '/api/v1/tokens', {
        token: admin,
        body: { name: 'has space', role: 'root' },
      });
      expect(bad.status).toBe(400);
      expect((bad.body as { errors: { path: string }[] }).errors.map((e) => e.path).sort()).toEqual(
        ['body.name', 'body.role'],
      );
      expect((await call(f.url, 'DELETE', `/api/v1/tokens/${id}`, { token: admin })).status).toBe(
        204,
      );
      expect((await call(f.url, 'GET', '/api/v1/whoami', { token: bot })).status).toBe(401);
    });

    it('stores only scrypt hashes: no token or secret appears anywhere in the table', async (ctx) => {
      ready(ctx);
      const made = [await tokenOnStore(f, 'sam', 'viewer'), await tokenOnStore(f, 'sue', 'admin')];
      const rows = await rawTokenRows(f);
      const dump = JSON.stringify(rows);
      for (const { token } of made) {
        const secret = token.split('_')[2] as string;
        expect(secret).toHaveLength(64);
        expect(dump).not.toContain(secret);
        expect(dump).not.toContain(token);
      }
      for (const row of rows) expect(String(row.hash)).toMatch(/^scrypt\$16384\$8\$1\$/);
    });

    it('refuses a non-loopback bind while no active token exists', async (ctx) => {
      ready(ctx);
      const fresh = await startApiServer(
        name === 'SQLite' ? {} : { postgresUrl: await postgresUrl() },
      );
      try {
        const refused = await createServer(fresh.app, { host: '0.0.0.0' }).then(
          () => undefined,
          (err: unknown) => err,
        );
        expect(refused).toBeInstanceOf(RollgateError);
        expect((refused as RollgateError).message).toContain('not loopback');
        await tokenOnStore(fresh, 'root', 'admin');
        const allowed = await createServer(fresh.app, { host: '0.0.0.0' });
        await allowed.close(); // built, never listened
      } finally {
        await fresh.close();
      }
    });
  });
}

authSuite('SQLite', () => '');

let postgres: PostgresServer | undefined;
let skip: string | undefined;
beforeAll(async () => {
  const started = await startPostgres();
  if (started.server) postgres = started.server;
  else skip = started.skip;
});
afterAll(async () => {
  await postgres?.stop();
});
authSuite('PostgreSQL', async () => {
  if (!postgres) {
    if (skip) return 'skip';
    throw new Error('PostgreSQL did not start');
  }
  return postgres.createDatabase();
});
