import { describe, expect, it } from 'vitest';
import { gateIndicator } from '../../../src/core/records/gate-words.js';
import {
  buildReleaseLog,
  quickReference,
  releaseLogEntry,
} from '../../../src/core/records/release-log.js';
import { readRolloutHistory } from '../../../src/core/records/rollout-history.js';
import { expectGolden } from './golden.js';
import {
  NOW,
  quickPatch,
  rolledBackMajor,
  successfulMinor,
  syntheticHistory,
} from './record-history-fixture.js';

describe('release log (seed 000)', () => {
  it('renders the whole log of a service, newest first, with the quick reference', () => {
    const histories = syntheticHistory().map(readRolloutHistory);
    const doc = buildReleaseLog({
      service: 'payments',
      histories,
      annotations: { 'ro-231': { learnings: ['Query optimisation gave a 10 % latency win'] } },
      now: NOW,
    });
    expect(doc.entries.map((e) => e.version)).toEqual(['v2.5.0', 'v2.4.0', 'v2.3.1']);
    expectGolden('release-log.md', doc.markdown);
  });

  it('states result, risk and duration from the timeline', () => {
    const ok = releaseLogEntry(readRolloutHistory(successfulMinor()));
    expect(ok.result).toBe('success');
    expect(ok.risk).toBe('medium');
    // 14:00 start → watch end: 3 checks/deploy (~1 min) + 30 min canary + 5 min hold + deploy + 30 min watch
    expect(Math.round(ok.durationSeconds / 60)).toBe(67);
    expect(ok.learnings).toEqual([
      'the new connection pooling raised DB connections but stayed within bounds',
    ]);
    expect(ok.actionItems).toEqual(['lower the DB connection alert threshold from 100 to 90']);
    const rb = releaseLogEntry(readRolloutHistory(rolledBackMajor()));
    expect(rb.result).toBe('rollback');
    expect(rb.rollbackReason).toContain('critical endpoint');
  });

  it('puts people’s observations and rollgate’s decisions with their evidence on the timeline', () => {
    const e = releaseLogEntry(readRolloutHistory(successfulMinor()));
    const lines = e.timeline.map((l) => `${l.actor} ${l.text}`);
    expect(lines).toContain(
      '@mike Noticed minor increase in DB connections (75 → 82), but well within limits.',
    );
    const promote = lines.find((l) => l.startsWith('rollgate Promoting past the 5 % canary'));
    expect(promote).toMatch(
      /P99 holding at [\d.]+ ms \(baseline [\d.]+ ms\); error rate [\d.]+ % \(baseline [\d.]+ %\)/,
    );
    // prefixed observations go to their sections, not the timeline
    expect(lines.some((l) => l.includes('learning:'))).toBe(false);
  });

  it('computes typical durations per risk level and common rollback reasons from history', () => {
    const q = quickReference(
      [quickPatch(), successfulMinor(), rolledBackMajor(), rolledBackMajor()].map(
        readRolloutHistory,
      ),
    );
    expect(q.rollbackReasons).toEqual([
      {
        key: 'critical-endpoint-5xx',
        count: 2,
        example: 'any 5xx on a critical endpoint: 90 errors on /v1/payment/process',
      },
    ]);
    expect(q.timelines.map((t) => [t.risk, t.releases])).toEqual([
      ['low', 1],
      ['medium', 1],
    ]);
    expect(Math.round((q.timelines[1]?.phases.canary ?? 0) / 60)).toBe(30);
  });
});

describe('gate indicators', () => {
  it('says each kind of gate the way the seeds do', () => {
    const base = { name: 'g', forSeconds: 0, action: 'pause' as const };
    expect(
      gateIndicator({ ...base, metric: 'latency_p99', comparison: 'relative', threshold: 0.1 }),
    ).toBe('P99 latency within 10 % of baseline');
    expect(
      gateIndicator({
        ...base,
        metric: 'latency_p99',
        comparison: 'absolute',
        threshold: 2,
        forSeconds: 180,
      }),
    ).toBe('P99 latency at most 2 s (for 3+ min)');
    expect(
      gateIndicator({
        ...base,
        metric: 'gauge',
        gauge: 'memory',
        comparison: 'absolute',
        threshold: 0.85,
      }),
    ).toBe('Memory usage at most 85 %');
  });
});
