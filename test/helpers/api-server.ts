import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { postgresBackend } from '../../src/adapters/store/postgres/postgres-backend.js';
import { SqlStore } from '../../src/adapters/store/sql/sql-store.js';
import { sqliteBackend } from '../../src/adapters/store/sqlite/sqlite-backend.js';
import { type App, createApp } from '../../src/app.js';
import { VERSION } from '../../src/cli/version.js';
import {
  builtinLayer,
  compilePolicy,
  parsePolicyLayer,
} from '../../src/core/policy/compile-policy.js';
import type { Policy } from '../../src/core/policy/policy-types.js';
import {
  createServer,
  type RollgateServer,
  type ServerOptions,
} from '../../src/server/create-server.js';
import { seedSqlStore } from '../integration/records-cli-fixture.js';

export const SHOP_POLICY_YAML = `version: 1
services:
  shop:
    router: { type: command, setWeight: "true", getWeight: "echo 0" }
    deployer: { type: command, deploy: "true", rollback: "true" }
    metrics: { type: prometheus, url: "http://127.0.0.1:9" }
`;

export function shopPolicy(): Policy {
  const layer = parsePolicyLayer(SHOP_POLICY_YAML, 'rollgate.yaml');
  if (!layer.ok) throw new Error(JSON.stringify(layer.issues));
  const result = compilePolicy([builtinLayer(), layer.layer]);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.policy;
}

export interface ApiFixture {
  url: string;
  app: App;
  server: RollgateServer;
  /** The store spec (SQLite file or postgres URL) the server uses. */
  storeSpec: string;
  /** Another connection to the same store (what `rollgate token …` would open). */
  openStore(): SqlStore;
  close(): Promise<void>;
}

/**
 * A real listening server (port 0 on 127.0.0.1) over a real store holding the records
 * fixture (payments: ro-230, ro-240 completed, ro-250 rolled back), with a policy for
 * `shop`. Its engine is stopped: commands are recorded, nothing is driven.
 */
export async function startApiServer(
  options: { postgresUrl?: string; server?: ServerOptions } = {},
): Promise<ApiFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'rollgate-api-'));
  const storeSpec = options.postgresUrl ?? join(dir, 'rollgate.db');
  const openStore = () =>
    new SqlStore(
      options.postgresUrl ? postgresBackend(options.postgresUrl) : sqliteBackend(storeSpec),
    );
  await seedSqlStore(openStore());
  const app = await createApp({ policy: shopPolicy(), store: storeSpec, cwd: dir });
  await app.engine.stop();
  const server = await createServer(app, {
    version: VERSION,
    dashboardDir: join(dir, 'no-dashboard'),
    ...options.server,
  });
  const url = await server.listen(0);
  return {
    url,
    app,
    server,
    storeSpec,
    openStore,
    async close() {
      await server.close().catch(() => undefined);
      await app.close().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  text: string;
}

/** One HTTP call; JSON bodies are parsed. */
export async function call(
  base: string,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const res = await request(`${base}${path}`, {
    method,
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...options.headers,
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await res.body.text();
  const type = String(res.headers['content-type'] ?? '');
  return {
    status: res.statusCode,
    headers: res.headers,
    text,
    body: type.includes('json') && text !== '' ? JSON.parse(text) : undefined,
  };
}
