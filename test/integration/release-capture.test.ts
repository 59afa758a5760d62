import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SystemClock } from '../../src/adapters/clock/system-clock.js';
import { SqlStore } from '../../src/adapters/store/sql/sql-store.js';
import { sqliteBackend } from '../../src/adapters/store/sqlite/sqlite-backend.js';
import { RollbackRecords } from '../../src/app/rollback-records.js';
import type { ArmBatch } from '../../src/core/judge/judge-types.js';
import { readRolloutHistory } from '../../src/core/records/rollout-history.js';
import type { MetricRead, MetricWindow } from '../../src/ports/metric-source.js';
import { releaseReportDocument } from '../../src/records-io/record-documents.js';
import { seedRecordStore } from './records-cli-fixture.js';

// The capture a completed rollout gets (ADR 0143) on a real SQLite store: one read over
// the whole rollout, kept in the forensics row of the rollout, is what the post-release
// report shows per endpoint and per version; without it the report uses the batches.

const newVersion: ArmBatch = {
  requests: 12_345,
  errors: 6,
  latency: { '0.05': 10_000, '0.1': 12_000, '0.25': 12_345, '+Inf': 12_345 },
  endpoints: {
    '/v1/health': {
      requests: 10_000,
      errors: 1,
      latency: { '0.05': 9_000, '0.1': 10_000, '+Inf': 10_000 },
    },
    '/v1/payment/process': {
      requests: 2_345,
      errors: 5,
      latency: { '0.05': 1_000, '0.1': 2_000, '0.25': 2_345, '+Inf': 2_345 },
    },
  },
};
const baseline: ArmBatch = { requests: 50_000, errors: 10, endpoints: {} };

let dir: string;
let store: SqlStore;
const windows: MetricWindow[] = [];
let failRead = false;

function records(): RollbackRecords {
  return new RollbackRecords(
    {
      store,
      clock: new SystemClock(),
      metricsFor: () => ({
        name: 'fake-metrics',
        read: async (_t, w): Promise<MetricRead> => {
          windows.push(w);
          if (failRead) return { ok: false, reason: 'retention exceeded', retryable: false };
          return { ok: true, batch: { canary: newVersion, baseline } };
        },
      }),
    },
    { settleMs: 0 },
  );
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rollgate-release-capture-'));
  await seedRecordStore(join(dir, 'store.db'));
  store = new SqlStore(sqliteBackend(join(dir, 'store.db')));
  windows.length = 0;
  failRead = false;
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const NOW = '2026-11-01T00:00:00.000Z';

describe('the capture of a completed rollout', () => {
  it('reads the whole rollout once, stores it, and the report shows exactly that', async () => {
    const capture = await records().captureCompleted('ro-240');
    expect(capture?.format).toBe('rollgate.release-capture/v1');
    expect(capture?.served?.newVersion.requests).toBe(12_345);
    const h = readRolloutHistory(await store.listEvents('ro-240'));
    expect(windows).toHaveLength(1);
    expect(windows[0]?.use).toBe('records');
    expect(windows[0]?.from).toBe(Date.parse(h.startedAt));
    expect(windows[0]?.to).toBeGreaterThanOrEqual(Date.parse(h.endedAt as string));

    // durable and first-wins: a second pass reads nothing and returns the stored one
    const again = await records().captureCompleted('ro-240');
    expect(windows).toHaveLength(1);
    expect(again).toEqual(capture);

    const { report, markdown } = await releaseReportDocument(store, 'ro-240', {
      now: NOW,
      charts: 'inline',
    });
    expect(report.measured).toMatchObject({ kind: 'whole_rollout', source: 'fake-metrics' });
    const byRoute = Object.fromEntries(report.endpoints.map((e) => [e.route, e]));
    expect(byRoute['/v1/health']).toMatchObject({ requests: 10_000, errors: 1 });
    expect(byRoute['/v1/payment/process']).toMatchObject({ requests: 2_345, errors: 5 });
    // p95 of /v1/health: 9,500th of 10,000 in (0.05, 0.1]: 0.05 + 0.05 × 500 / 1000
    expect(byRoute['/v1/health']?.percentiles.p95).toBeCloseTo(0.075, 12);
    expect(report.overall.newVersion).toMatchObject({ requests: 12_345, errors: 6 });
    expect(report.overall.baseline).toMatchObject({ requests: 50_000, errors: 10 });
    expect(markdown).toContain('one read of fake-metrics over the whole rollout');
  });

  it('leaves rolled-back rollouts to the rollback reaction', async () => {
    expect(await records().captureCompleted('ro-250')).toBeUndefined();
    expect(await store.getForensics('ro-250')).toBeUndefined();
    expect(windows).toHaveLength(0);
  });

  it('a failed read is stored as such; the report falls back to the batches and says why', async () => {
    failRead = true;
    const capture = await records().captureCompleted('ro-231');
    expect(capture?.servedError).toBe('retention exceeded');
    const { report, markdown } = await releaseReportDocument(store, 'ro-231', {
      now: NOW,
      charts: 'inline',
    });
    expect(report.measured).toEqual({ kind: 'batches', reason: 'retention exceeded' });
    expect(markdown).toContain("the judge's recorded batches (retention exceeded)");
    const uncaptured = await releaseReportDocument(store, 'ro-240', { now: NOW, charts: 'inline' });
    expect(uncaptured.report.measured).toEqual({
      kind: 'batches',
      reason: 'no whole-rollout capture in the store',
    });
  });
});
