import { describe, expect, it } from 'vitest';
import { createJudge } from '../../../src/core/judge/create-judge.js';
import type { TrafficStep } from '../../../src/core/plan/plan-types.js';
import { buildForensics } from '../../../src/core/records/forensics.js';
import { buildPostMortem } from '../../../src/core/records/post-mortem.js';
import { releaseLogEntry } from '../../../src/core/records/release-log.js';
import { readRolloutHistory } from '../../../src/core/records/rollout-history.js';
import { minorPlan } from '../../fakes/plans.js';
import { type ArmShape, HistoryDriver, makeRelease } from './record-history-fixture.js';

// The records built from a timeline whose verdicts come from the real judge (core/judge),
// not from hand-written ones: the evidence shapes are the judge's own.

const STABLE: ArmShape = { rpm: 60000, errorRate: 0.0005, paymentErrorRate: 0 };
const BAD: ArmShape = { rpm: 60000, errorRate: 0.0005, paymentErrorRate: 0.05 };

describe('records over real judge verdicts', () => {
  it('drafts the post-mortem of a rollback the judge decided', () => {
    const plan = minorPlan();
    const rel = makeRelease(
      'rel-9',
      'v9.0.0',
      'v8.0.0',
      'minor',
      'high',
      '2026-03-12T09:58:00.000Z',
      '@alex',
    );
    const d = new HistoryDriver('ro-9', rel, plan, '2026-03-12T10:00:00.000Z');
    d.input({ type: 'start' });
    d.startStep().tick(2).checks(['health']);
    d.startStep().tick(40).deployed('canary');
    d.startStep().tick(15).checks(['health', 'login-flow']);
    d.startStep();
    const step = plan.steps[3] as TrafficStep;
    const session = createJudge(plan.judge).startStage({ ...step, startSeconds: 0 });
    let decision = 'continue';
    for (let m = 0; m < 10 && d.snapshot.state === 'running'; m += 1) {
      decision = d.judgedBatch(session, STABLE, BAD);
    }
    expect(['rollback', 'halt']).toContain(decision);
    d.tick(20).input({ type: 'rollback_done', message: 'ok' });

    const h = readRolloutHistory(d.events);
    expect(h.result).toBe('rollback');
    const pm = buildPostMortem({ history: h });
    expect(pm.findings.length).toBeGreaterThan(0);
    expect(pm.decidedBy).toBe('critical-endpoint-5xx');
    expect(pm.markdown).toContain('| critical-endpoint-5xx |');
    expect(pm.impact.newVersion.endpoints['/v1/payment/process']?.errors).toBeGreaterThan(0);
    const f = buildForensics(h);
    expect(f.verdict?.decision).toBe(decision);
    expect(f.metrics.beforeDetection.length).toBeGreaterThan(0);
    const entry = releaseLogEntry(h);
    expect(
      entry.timeline.some((l) => l.text.includes('Rolling back to v8.0.0 automatically')),
    ).toBe(true);
  });
});
