import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqlStore } from '../../src/adapters/store/sql/sql-store.js';
import { sqliteBackend } from '../../src/adapters/store/sqlite/sqlite-backend.js';
import { TO_FILL } from '../../src/core/records/post-mortem.js';
import { runCli, seedRecordStore } from './records-cli-fixture.js';

// The record commands through main(argv, io), on a real SQLite store holding timelines
// written by the real rollout machine.

let dir: string;
let db: string;
const cli = (...args: string[]) => runCli(args, dir, { USER: 'tester' });

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rollgate-records-cli-'));
  db = join(dir, 'store.db');
  await seedRecordStore(db);
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The draft with some sections filled: the action items, not the 5 Whys or lessons. */
function partly(draft: string): string {
  return draft
    .replace(
      `### What Happened?\n\n${TO_FILL}`,
      '### What Happened?\n\nThe new image lacked the gateway TLS certificate.',
    )
    .replace(
      `**Root Cause**: ${TO_FILL}`,
      '**Root Cause**: the certificate bundle was dropped from the Dockerfile.',
    )
    .replace(
      `| 1 | ${TO_FILL} | @owner | YYYY-MM-DD | Planned |  |`,
      '| 1 | Add gateway connectivity preflight check | @alex | 2026-03-16 | In Progress | INFRA-12 |\n| 2 | Synthetic payment smoke test | @sre | 2999-03-20 | Planned |  |',
    );
}

/** Every section filled. */
function filled(draft: string): string {
  return partly(draft)
    .replace(
      `1. **Why did the deployment fail?** ${TO_FILL}`,
      '1. **Why did the deployment fail?** Payment calls timed out.',
    )
    .replace('- [ ] No data loss confirmed', '- [x] No data loss confirmed')
    .replace(
      `### What Went Well?\n\n${TO_FILL}`,
      '### What Went Well?\n\nThe judge caught it at 5 %.',
    );
}

describe('rollgate report', () => {
  it('report release writes the post-release report, its JSON and charts', async () => {
    const run = await cli('report', 'release', 'ro-240', '--out', 'out', '--store', db);
    expect(run).toMatchObject({ code: 0, err: '' });
    expect(run.out).toContain('wrote out/post-release-report-ro-240.md\n');
    expect(run.out).toMatch(/wrote out\/charts\/.+\.svg/);
    expect(readFileSync(join(dir, 'out/post-release-report-ro-240.md'), 'utf8')).toContain(
      'v2.4.0',
    );
  });

  it('report postmortem opens the post-mortem once and writes draft and forensics', async () => {
    const run = await cli('report', 'postmortem', 'ro-250', '--out', 'pm', '--store', db, '--json');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.out)).toEqual({
      files: ['pm/2026-03-12-v2.5.0.md', 'pm/2026-03-12-v2.5.0.json', 'pm/forensics/ro-250.json'],
    });
    expect((await cli('report', 'postmortem', 'ro-250', '--out', 'pm', '--store', db)).code).toBe(
      0,
    );
    const list = await cli('postmortem', 'list', '--store', db, '--json');
    expect(JSON.parse(list.out).map((p: { id: string }) => p.id)).toEqual(['PM-ro-250']);
  });

  it('report log takes a service name; ROLLGATE_STORE names the store', async () => {
    const run = await runCli(['report', 'log', 'payments', '--out', 'logs'], dir, {
      ROLLGATE_STORE: db,
    });
    expect(run).toMatchObject({ code: 0, out: 'wrote logs/release-log-payments.md\n' });
    const log = readFileSync(join(dir, 'logs/release-log-payments.md'), 'utf8');
    expect(log).toContain('v2.5.0');
    expect(log).toContain('v2.4.0');
  });

  it('an unknown rollout is exit 2 with what to do, and nothing written', async () => {
    const run = await cli('report', 'release', 'ro-999', '--out', 'out', '--store', db);
    expect(run.code).toBe(2);
    expect(run.err).toContain('no rollout ro-999');
    expect(run.err).toContain('rollgate history');
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('report notes reads the Conventional Commits of git log FROM..TO in the cwd', async () => {
    const env = {
      ...process.env,
      GIT_AUTHOR_NAME: 'Test',
      GIT_AUTHOR_EMAIL: 'test@example.com',
      GIT_COMMITTER_NAME: 'Test',
      GIT_COMMITTER_EMAIL: 'test@example.com',
    };
    const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, env });
    const commit = (message: string) => {
      writeFileSync(join(dir, 'file.txt'), message);
      git('add', 'file.txt');
      git('commit', '-q', '-m', message);
    };
    git('init', '-q');
    commit('chore: initial');
    git('tag', 'v2.3.1');
    commit('feat(api): add refunds');
    commit('fix: round fees half-up');
    git('tag', 'v2.4.0');
    const run = await cli(
      'report',
      'notes',
      'ro-240',
      '--from',
      'v2.3.1',
      '--to',
      'v2.4.0',
      '--out',
      'notes',
      '--store',
      db,
    );
    expect(run).toMatchObject({ code: 0, out: 'wrote notes/release-notes-payments-v2.4.0.md\n' });
    const notes = readFileSync(join(dir, 'notes/release-notes-payments-v2.4.0.md'), 'utf8');
    expect(notes).toContain('add refunds');
    expect(notes).toContain('round fees half-up');
    expect(notes).not.toContain('initial');

    const bad = await cli(
      'report',
      'notes',
      'ro-240',
      '--from',
      'v0',
      '--to',
      'v2.4.0',
      '--store',
      db,
    );
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('git log v0..v2.4.0 failed');
  });

  it('report log of a service with no rollouts is exit 2, nothing written', async () => {
    const run = await cli('report', 'log', 'paymnts', '--out', 'logs', '--store', db);
    expect(run.code).toBe(2);
    expect(run.err).toContain('no rollouts of service paymnts in the store');
    expect(run.err).toContain('check the service name');
    expect(existsSync(join(dir, 'logs'))).toBe(false);
  });

  it('report postmortem of a rollout that was not rolled back is exit 2', async () => {
    const run = await cli('report', 'postmortem', 'ro-240', '--out', 'pm', '--store', db);
    expect(run.code).toBe(2);
    expect(run.err).toContain('rollout ro-240 was not rolled back');
    expect((await cli('postmortem', 'list', '--store', db)).out).toBe('no post-mortems\n');
  });

  it('report notes without --from/--to is exit 2', async () => {
    const run = await cli('report', 'notes', 'ro-240', '--store', db);
    expect(run.code).toBe(2);
    expect(run.err).toContain("required option '--from <ref>'");
  });
});

describe('a rollback no controller reacted to', () => {
  it('report postmortem runs the rollback reaction: forensics kept, linked risks updated, once', async () => {
    expect(
      (
        await cli(
          'risk',
          'add',
          '--title',
          'Gateway TLS bundle dropped',
          '--likelihood',
          'low',
          '--impact',
          'low',
          '--owner',
          '@sre',
          '--service',
          'payments',
          '--review',
          '2026-12-31',
          '--store',
          db,
        )
      ).code,
    ).toBe(0);
    for (let i = 0; i < 2; i++) {
      expect((await cli('report', 'postmortem', 'ro-250', '--out', 'pm', '--store', db)).code).toBe(
        0,
      );
    }
    const store = new SqlStore(sqliteBackend(db));
    try {
      const risk = await store.getRisk('RISK-1');
      expect(risk?.history.map((h) => h.kind)).toEqual(['created', 'rollback']);
      expect(risk?.history[1]?.rolloutId).toBe('ro-250');
      // rolled back 2026-03-12: the review comes forward to a week after
      expect(risk?.reviewOn).toBe('2026-03-19');
      const captured = await store.getForensics('ro-250');
      expect(captured?.bundle.servedError).toBe('no metric source for this service');
    } finally {
      await store.close();
    }
    // the forensics folder next to the store
    expect(existsSync(join(dir, 'forensics', 'v2.5.0-ro-250', 'metadata.json'))).toBe(true);
  });
});

describe('rollgate postmortem', () => {
  beforeEach(async () => {
    expect((await cli('report', 'postmortem', 'ro-250', '--out', 'pm', '--store', db)).code).toBe(
      0,
    );
  });

  it('list shows it overdue (due 48 h after the rollback), with --overdue too', async () => {
    const all = await cli('postmortem', 'list', '--store', db);
    expect(all.code).toBe(0);
    expect(all.out).toMatch(/^ID\s+SERVICE\s+ENV\s+FAILED\s+ROLLOUT\s+DUE\s+STATE\n/);
    expect(all.out).toMatch(
      /PM-ro-250\s+payments\s+production\s+v2\.5\.0\s+ro-250\s+2026-03-14T10:04:26\.000Z\s+overdue/,
    );
    const overdue = await cli('postmortem', 'list', '--overdue', '--store', db, '--json');
    expect(JSON.parse(overdue.out)).toMatchObject([{ id: 'PM-ro-250', state: 'overdue' }]);
  });

  it('list --overdue leaves out one not yet due', async () => {
    const store = new SqlStore(sqliteBackend(db));
    await store.createPostMortem({
      id: 'PM-future',
      rolloutId: 'ro-240',
      service: 'search',
      environment: 'production',
      failedVersion: 'v9.0.0',
      restoredVersion: 'v8.0.0',
      createdAt: '2026-03-12T00:00:00.000Z',
      dueAt: '2999-01-01T00:00:00.000Z',
    });
    await store.close();
    const all = await cli('postmortem', 'list', '--store', db, '--json');
    expect(JSON.parse(all.out)).toHaveLength(2);
    expect(all.out).toContain('"state": "open"');
    const overdue = await cli('postmortem', 'list', '--overdue', '--store', db, '--json');
    expect(JSON.parse(overdue.out).map((p: { id: string }) => p.id)).toEqual(['PM-ro-250']);
  });

  it('export prints the draft; complete reads it back; show and actions list report it', async () => {
    const exported = await cli('postmortem', 'export', 'PM-ro-250', '--store', db);
    expect(exported.code).toBe(0);
    expect(exported.out).toContain('PM-ro-250');
    expect(exported.out).toContain(TO_FILL);
    expect(exported.out).toBe(readFileSync(join(dir, 'pm/2026-03-12-v2.5.0.md'), 'utf8'));

    writeFileSync(join(dir, 'pm.md'), filled(exported.out));
    const done = await cli('postmortem', 'complete', 'PM-ro-250', '--file', 'pm.md', '--store', db);
    expect(done.code).toBe(0);
    expect(done).toMatchObject({
      code: 0,
      out: 'completed PM-ro-250: 2 action items recorded\n',
      err: '',
    });

    const show = await cli('postmortem', 'show', 'ro-250', '--store', db, '--json');
    expect(JSON.parse(show.out)).toMatchObject({
      id: 'PM-ro-250',
      completedBy: 'tester',
      state: 'completed_late',
      content: { rootCause: 'the certificate bundle was dropped from the Dockerfile.' },
      actionItems: [
        { id: '1', owner: '@alex', due: '2026-03-16', status: 'in_progress', ticket: 'INFRA-12' },
        { id: '2', owner: '@sre', due: '2999-03-20', status: 'planned' },
      ],
    });
    const text = await cli('postmortem', 'show', 'PM-ro-250', '--store', db);
    expect(text.out).toContain('root cause the certificate bundle was dropped');
    expect(text.out).toMatch(/1\s+@alex\s+2026-03-16\s+in_progress/);

    const actions = await cli('actions', 'list', '--store', db);
    expect(actions.code).toBe(0);
    expect(actions.out.split('\n').filter((l) => l.startsWith('PM-ro-250'))).toHaveLength(2);
    const overdue = await cli('actions', 'list', '--overdue', '--store', db, '--json');
    expect(JSON.parse(overdue.out)).toMatchObject([
      { postMortemId: 'PM-ro-250', id: '1', service: 'payments' },
    ]);
  });

  it('a malformed file is exit 2 with file:line, and nothing is recorded', async () => {
    const exported = await cli('postmortem', 'export', 'PM-ro-250', '--store', db);
    const bad = partly(exported.out).replace(
      '| 2026-03-16 | In Progress | INFRA-12 |',
      '| 2026-03-16 | In Progress |',
    );
    writeFileSync(join(dir, 'pm.md'), bad);
    const line = bad.split('\n').findIndex((l) => l.includes('gateway connectivity preflight')) + 1;
    const run = await cli('postmortem', 'complete', 'PM-ro-250', '--file', 'pm.md', '--store', db);
    expect(run.code).toBe(2);
    expect(run.out).toBe('');
    expect(run.err).toContain(`pm.md:${line}: action item row 1 has 5 cells, the header has 6`);
    const show = await cli('postmortem', 'show', 'PM-ro-250', '--store', db, '--json');
    expect(JSON.parse(show.out)).toMatchObject({ state: 'overdue', actionItems: [] });
    expect(JSON.parse(show.out).completedAt).toBeUndefined();
    expect((await cli('actions', 'list', '--store', db)).out).toBe('no action items\n');
  });

  it('unfilled sections are exit 2 naming them, unless --allow-missing', async () => {
    const exported = await cli('postmortem', 'export', 'PM-ro-250', '--store', db);
    writeFileSync(join(dir, 'pm.md'), partly(exported.out));
    const refused = await cli(
      'postmortem',
      'complete',
      'PM-ro-250',
      '--file',
      'pm.md',
      '--store',
      db,
    );
    expect(refused.code).toBe(2);
    expect(refused.err).toContain(
      'pm.md still has unfilled sections: 5 Whys, Data Integrity, Lessons Learned',
    );
    expect(refused.err).toContain('--allow-missing');
    expect((await cli('actions', 'list', '--store', db)).out).toBe('no action items\n');

    const partial = await cli(
      'postmortem',
      'complete',
      'PM-ro-250',
      '--file',
      'pm.md',
      '--allow-missing',
      '--by',
      'sam',
      '--store',
      db,
    );
    expect(partial.code).toBe(0);
    expect(partial.out).toContain('still to fill: 5 Whys, Data Integrity, Lessons Learned');
    const show = await cli('postmortem', 'show', 'PM-ro-250', '--store', db);
    expect(show.out).toContain('by sam');
    expect(show.out).toContain('unfilled   5 Whys, Data Integrity, Lessons Learned');
  });

  it('unknown ids and missing files are exit 2 saying what to do', async () => {
    for (const args of [
      ['show', 'PM-nope'],
      ['export', 'PM-nope'],
      ['complete', 'PM-nope', '--file', 'pm/2026-03-12-v2.5.0.md'],
    ]) {
      const run = await cli('postmortem', ...args, '--store', db);
      expect(run.code).toBe(2);
      expect(run.err).toContain('no post-mortem PM-nope');
      expect(run.err).toContain('rollgate postmortem list');
    }
    const missing = await cli(
      'postmortem',
      'complete',
      'PM-ro-250',
      '--file',
      'nope.md',
      '--store',
      db,
    );
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('cannot read nope.md');
    expect(missing.err).toContain('rollgate postmortem export PM-ro-250 > nope.md');
  });
});

describe('rollgate metrics', () => {
  it('prints the DORA table over the period, and JSON with --json', async () => {
    // The fixture's rollouts are in March 2026; a long period reaches them from any clock.
    const json = await cli(
      'metrics',
      '--since',
      '5000d',
      '--service',
      'payments',
      '--json',
      '--store',
      db,
    );
    expect(json.code).toBe(0);
    const m = JSON.parse(json.out);
    expect(m).toMatchObject({
      service: 'payments',
      environment: 'production',
      deployments: 3,
      rollbackRate: { rolledBack: 1 },
    });
    const table = await cli('metrics', '--since', '5000d', '--store', db);
    expect(table.code).toBe(0);
    expect(table.out).toMatch(/^all services, production, .*: 3 deployments\n/);
    expect(table.out).toMatch(/change fail rate\s+\d+\.\d %/);
    expect(table.out).toMatch(/rollback rate\s+33\.3 % \(1\)/);
    expect(table.out).toMatch(/recovery time \(median\)\s+27 s\s+elite/);
  });

  it('an empty period has no deployments; a bad --since is exit 2', async () => {
    const none = await cli('metrics', '--since', '1h', '--store', db, '--json');
    expect(JSON.parse(none.out)).toMatchObject({ deployments: 0 });
    const bad = await cli('metrics', '--since', 'a month', '--store', db);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--since "a month" is not a period');
    expect(bad.err).toContain('12h, 30d or 4w');
  });
});
