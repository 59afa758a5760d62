import { describe, expect, it } from 'vitest';
import type { ResolvedPlan } from '../../../src/core/plan/plan-types.js';
import { buildPostMortem } from '../../../src/core/records/post-mortem.js';
import { releaseLogEntry } from '../../../src/core/records/release-log.js';
import { readRolloutHistory } from '../../../src/core/records/rollout-history.js';
import { patchPlan } from '../../fakes/plans.js';
import {
  type ArmShape,
  HistoryDriver,
  makeRelease,
  successfulMinorDriver,
} from './record-history-fixture.js';

const STABLE: ArmShape = { rpm: 60000, errorRate: 0.0005, paymentErrorRate: 0 };
const SLOWER: ArmShape = { rpm: 60000, errorRate: 0.004, paymentErrorRate: 0 };

function canary(plan: ResolvedPlan = patchPlan()): HistoryDriver {
  const rel = makeRelease(
    'rel-7',
    'v7.0.0',
    'v6.0.0',
    'patch',
    'low',
    '2026-03-12T09:58:00.000Z',
    '@kim',
  );
  const d = new HistoryDriver('ro-7', rel, plan, '2026-03-12T10:00:00.000Z');
  d.input({ type: 'start' });
  d.startStep().tick(30).deployed('canary');
  d.startStep().tick(10).checks(['health']);
  d.tick(1).startStep();
  return d;
}

describe('post-mortem: how the rollback came about', () => {
  it('detects at the judge’s pause when a person rolls back afterwards', () => {
    const d = canary();
    d.batch(STABLE, SLOWER);
    d.batch(STABLE, SLOWER, 'pause', {
      reason: 'error rate 0.4 % vs 0.05 % (more than 0.1 % above)',
      decidedBy: 'error-rate-pause',
    });
    d.tick(300).command({ name: 'rollback', reason: 'error rate up, not worth it' }, '@kim');
    d.tick(20).input({ type: 'rollback_done', message: 'ok' });
    const pm = buildPostMortem({ history: readRolloutHistory(d.events) });
    expect(pm.times.detectedAt).toBe('2026-03-12T10:02:41.000Z');
    expect(pm.times.detectedBy).toBe('judge pause (gate error-rate-pause)');
    expect(pm.trigger).toBe('person');
    expect(pm.resolutionSeconds).toBe(320);
    // the pause notified at once
    expect(pm.notificationSeconds).toBe(0);
    expect(pm.markdown).toContain('was rolled back by hand to v6.0.0');
  });

  it('handles a rollback after the rollout completed', () => {
    const d = successfulMinorDriver();
    d.tick(3600).command({ name: 'rollback', reason: 'support tickets about refunds' }, '@sarah');
    d.tick(30).input({ type: 'rollback_done', message: 'ok' });
    const h = readRolloutHistory(d.events);
    expect(h.result).toBe('rollback');
    const pm = buildPostMortem({ history: h });
    expect(pm.times.detectedBy).toBe('@sarah (by hand)');
    expect(pm.resolutionSeconds).toBe(30);
    // everything the new version served, canary and watch
    expect(pm.impact.newVersion.requests).toBe(2_280_000);
    expect(pm.impact.peakWeight).toBe(100);
  });

  it('drafts a failed rollback with its deadline from the failure', () => {
    const d = canary();
    d.batch(STABLE, SLOWER, 'rollback', {
      reason: 'error rate above 2 %',
      decidedBy: 'error-rate-ceiling',
    });
    d.tick(40).input({ type: 'rollback_failed', error: 'deploy script exited 1' });
    const h = readRolloutHistory(d.events);
    expect(h.result).toBe('partial');
    const pm = buildPostMortem({ history: h });
    expect(pm.times.restoredAt).toBeUndefined();
    expect(pm.resolutionSeconds).toBeUndefined();
    expect(pm.times.dueAt).toBe('2026-03-14T10:02:21.000Z');
    expect(pm.markdown).toContain('The rollback to v6.0.0 FAILED and needs a person');
    expect(pm.markdown).toContain('**Rollback failed**');
    expect(releaseLogEntry(h).result).toBe('partial');
  });

  it('shows an in-flight rollout as in progress in the release log', () => {
    const d = canary();
    d.batch(STABLE, STABLE);
    const e = releaseLogEntry(readRolloutHistory(d.events), {}, '2026-03-12T10:30:00.000Z');
    expect(e.result).toBe('in_progress');
    expect(Math.round(e.durationSeconds / 60)).toBe(30);
  });
});

describe('a step restarted by resume', () => {
  it('quotes only the restarted attempt’s batches as the evidence of its promotion', () => {
    const d = canary();
    d.batch(STABLE, SLOWER);
    d.batch(STABLE, SLOWER, 'pause', { reason: 'error rate 0.4 %', decidedBy: 'error-rate-pause' });
    d.tick(120).command({ name: 'resume' }, '@kim');
    d.startStep();
    for (let m = 1; m <= 5; m += 1) d.batch(STABLE, STABLE, m === 5 ? 'promote' : 'continue');
    const h = readRolloutHistory(d.events);
    expect(h.steps[2]?.starts).toHaveLength(2);
    const lines = releaseLogEntry(h).timeline.map((l) => l.text);
    expect(lines).toContain('Resumed; the 10 % canary starts again.');
    const promote = lines.find((l) => l.startsWith('Promoting past the 10 % canary'));
    // 5 batches × 6,000 canary requests, not 7
    expect(promote).toContain('30,000 requests on the new version');
    expect(promote).toContain('after 5 minutes');
  });
});
