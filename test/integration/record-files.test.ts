import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqlStore } from '../../src/adapters/store/sql/sql-store.js';
import { sqliteBackend } from '../../src/adapters/store/sqlite/sqlite-backend.js';
import { TO_FILL } from '../../src/core/records/post-mortem.js';
import {
  completePostMortem,
  loadHistories,
  writePostMortem,
  writeReleaseLog,
  writeReleaseNotes,
  writeReleaseReport,
} from '../../src/records-io/record-files.js';
import {
  quickPatchDriver,
  rolledBackMajorDriver,
  successfulMinorDriver,
} from '../unit/records/record-history-fixture.js';
import { xmlProblem } from '../unit/records/xml-wellformed.js';
import { replayInto } from './records-cli-fixture.js';

// Records rendered from a real SQLite store holding timelines written by the real
// rollout machine, into real files.

let dir: string;
let store: SqlStore;
const NOW = '2026-03-13T09:00:00.000Z';

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rollgate-records-'));
  store = new SqlStore(sqliteBackend(join(dir, 'store.db')));
  await store.migrate();
  for (const d of [quickPatchDriver(), successfulMinorDriver(), rolledBackMajorDriver()])
    await replayInto(store, d);
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('record files from the store', () => {
  const out = () => join(dir, 'out');

  it('opens the post-mortem of a rollback once, and writes the draft and forensics', async () => {
    const ctx = { store, outDir: out(), now: NOW };
    const first = await writePostMortem(ctx, 'ro-250');
    expect(first.record).toMatchObject({
      id: 'PM-ro-250',
      dueAt: '2026-03-14T10:04:26.000Z',
      createdAt: NOW,
    });
    expect(first.files.map((f) => f.slice(out().length + 1))).toEqual([
      '2026-03-12-v2.5.0.md',
      '2026-03-12-v2.5.0.json',
      'forensics/ro-250.json',
    ]);
    const draft = JSON.parse(readFileSync(join(out(), '2026-03-12-v2.5.0.json'), 'utf8'));
    expect(draft).toMatchObject({
      incidentId: 'PM-ro-250',
      failedVersion: 'v2.5.0',
      resolutionSeconds: 27,
    });
    const forensics = JSON.parse(readFileSync(join(out(), 'forensics/ro-250.json'), 'utf8'));
    expect(forensics.router).toMatchObject({ weightBefore: 5, weightAfter: 0 });
    const again = await writePostMortem({ ...ctx, now: '2026-03-13T10:00:00.000Z' }, 'ro-250');
    expect(again.record.createdAt).toBe(NOW);
    expect(await store.listPostMortems({ overdueAt: '2026-03-15T00:00:00.000Z' })).toHaveLength(1);
    await expect(writePostMortem(ctx, 'ro-240')).rejects.toThrow(/was not rolled back/);
  });

  it('completes a post-mortem from the filled file and tracks its action items', async () => {
    const ctx = { store, outDir: out(), now: NOW };
    const { files } = await writePostMortem(ctx, 'ro-250');
    const draft = readFileSync(files[0] as string, 'utf8');
    const filled = draft
      .replace(`### What Happened?\n\n${TO_FILL}`, '### What Happened?\n\nMissing TLS certificate.')
      .replace(
        `| 1 | ${TO_FILL} | @owner | YYYY-MM-DD | Planned |  |`,
        '| 1 | Gateway preflight check | @alex | 2026-03-16 | Planned | INFRA-12 |',
      );
    const result = await completePostMortem(
      store,
      'PM-ro-250',
      filled,
      'pm.md',
      '@alex',
      '2026-03-13T12:00:00.000Z',
    );
    expect(result.actionItems).toBe(1);
    expect(result.missing).toContain('Root Cause');
    const pm = await store.getPostMortem('PM-ro-250');
    expect(pm?.completedAt).toBe('2026-03-13T12:00:00.000Z');
    expect(pm?.content?.whatHappened).toBe('Missing TLS certificate.');
    expect(await store.listActionItems({ overdueOn: '2026-03-17' })).toEqual([
      {
        postMortemId: 'PM-ro-250',
        service: 'payments',
        id: '1',
        action: 'Gateway preflight check',
        owner: '@alex',
        due: '2026-03-16',
        status: 'planned',
        ticket: 'INFRA-12',
      },
    ]);
  });

  it('writes the post-release report with its JSON and well-formed SVG charts', async () => {
    const files = await writeReleaseReport({ store, outDir: out(), now: NOW }, 'ro-240', {
      '/v1/payment/process': { p99: 1 },
    });
    expect(files.map((f) => f.slice(out().length + 1)).sort()).toEqual([
      'charts/ro-240-error-rate.svg',
      'charts/ro-240-latency-by-phase.svg',
      'post-release-report-ro-240.json',
      'post-release-report-ro-240.md',
    ]);
    for (const f of files.filter((x) => x.endsWith('.svg')))
      expect(xmlProblem(readFileSync(f, 'utf8'))).toBeUndefined();
    expect(readFileSync(join(out(), 'post-release-report-ro-240.md'), 'utf8')).toContain(
      '](charts/ro-240-error-rate.svg)',
    );
  });

  it('writes the release log of a service and release notes', async () => {
    const [log] = await writeReleaseLog({ store, outDir: out(), now: NOW }, 'payments');
    const text = readFileSync(log as string, 'utf8');
    expect(text.indexOf('v2.5.0')).toBeLessThan(text.indexOf('v2.4.0'));
    const [notes] = await writeReleaseNotes({ store, outDir: out(), now: NOW }, 'ro-240', [
      { subject: 'feat: saved cards' },
    ]);
    expect(existsSync(notes as string)).toBe(true);
    expect(readFileSync(notes as string, 'utf8')).toContain('- **Date:** 2026-03-10');
  });
});

describe('loading histories', () => {
  it('filters by service and skips rollouts created before `since`', async () => {
    expect((await loadHistories(store)).map((h) => h.rolloutId)).toEqual([
      'ro-250',
      'ro-240',
      'ro-231',
    ]);
    expect((await loadHistories(store, { service: 'search' })).length).toBe(0);
    expect(
      (await loadHistories(store, { since: '2026-03-09T00:00:00.000Z' })).map((h) => h.rolloutId),
    ).toEqual(['ro-250', 'ro-240']);
  });
});
