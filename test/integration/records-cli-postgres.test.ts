import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresBackend } from '../../src/adapters/store/postgres/postgres-backend.js';
import { SqlStore } from '../../src/adapters/store/sql/sql-store.js';
import { TO_FILL } from '../../src/core/records/post-mortem.js';
import { type PostgresServer, startPostgres } from '../helpers/postgres.js';
import { runCli, seedSqlStore } from './records-cli-fixture.js';

// The record commands on a real PostgreSQL store named by a postgres:// --store URL.

let server: PostgresServer | undefined;
let skip = 'PostgreSQL has not started';
let url = '';
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rollgate-records-pg-'));
  const started = await startPostgres();
  if (!started.server) {
    skip = started.skip;
    return;
  }
  server = started.server;
  url = await server.createDatabase('records_cli');
  await seedSqlStore(new SqlStore(postgresBackend(url)));
});
afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('record commands on PostgreSQL', () => {
  it('opens, exports, completes a post-mortem and lists its actions and metrics', async (ctx) => {
    if (!server) ctx.skip(skip);
    const cli = (...args: string[]) => runCli([...args, '--store', url], dir, { USER: 'pg' });
    expect((await cli('report', 'postmortem', 'ro-250', '--out', 'pm')).code).toBe(0);
    const exported = await cli('postmortem', 'export', 'ro-250');
    expect(exported.code).toBe(0);
    writeFileSync(
      join(dir, 'pm.md'),
      exported.out.replace(
        `| 1 | ${TO_FILL} | @owner | YYYY-MM-DD | Planned |  |`,
        '| 1 | Add a TLS preflight check | @alex | 2026-03-16 | Blocked | INFRA-12 |',
      ),
    );
    const done = await cli(
      'postmortem',
      'complete',
      'PM-ro-250',
      '--file',
      'pm.md',
      '--allow-missing',
    );
    expect(done.code).toBe(0);
    const show = await cli('postmortem', 'show', 'PM-ro-250', '--json');
    expect(JSON.parse(show.out)).toMatchObject({
      completedBy: 'pg',
      state: 'completed_late',
      actionItems: [{ id: '1', status: 'blocked', ticket: 'INFRA-12' }],
    });
    const overdue = await cli('actions', 'list', '--overdue', '--json');
    expect(JSON.parse(overdue.out)).toMatchObject([{ postMortemId: 'PM-ro-250', owner: '@alex' }]);
    const metrics = await cli('metrics', '--since', '5000d', '--json');
    expect(JSON.parse(metrics.out)).toMatchObject({
      deployments: 3,
      rollbackRate: { rolledBack: 1 },
    });
  });
});
