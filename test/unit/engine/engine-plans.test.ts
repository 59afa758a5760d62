import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { rebuildSnapshot } from '../../../src/core/rollout/rollout-reducer.js';
import type { ReleaseType } from '../../../src/core/rollout/rollout-types.js';
import { EngineHarness } from '../../fakes/engine-harness.js';
import { PLANS, release } from '../../fakes/plans.js';

const EXPECTED_WEIGHTS: Record<ReleaseType, number[]> = {
  patch: [10, 100],
  minor: [5, 25, 50, 100],
  major: [10, 25, 50, 100],
  breaking: [5, 25, 50, 100],
};

describe('full rollouts of every release type on a virtual clock', () => {
  it.each(Object.keys(PLANS) as ReleaseType[])('%s: runs its plan to completion', async (type) => {
    const h = new EngineHarness();
    const plan = PLANS[type]();
    const t0 = h.clock.now();
    const wall = performance.now();
    const { id } = await h.start(release(type), plan);
    const done = await h.complete(id);
    const wallMs = performance.now() - wall;
    const virtualMin = (h.clock.now() - t0) / 60_000;
    // Reported, not asserted (PREAMBLE: no timed assertions in unit tests).
    console.log(
      `${type}: ${virtualMin} min of rollout in ${wallMs.toFixed(0)} ms wall, ${h.events(id).length} events`,
    );

    expect(done.state).toBe('completed');
    expect(done.steps.every((s) => s.state === 'succeeded')).toBe(true);
    // holds and watch windows ran for their full length, no shorter
    expect(h.clock.now() - t0).toBeGreaterThanOrEqual(plan.expectedSeconds * 1000);
    // the router saw the plan's weights, in order
    const weights = h.router.calls.filter((c) => c.op === 'setWeight').map((c) => c.weight);
    expect(weights).toEqual(EXPECTED_WEIGHTS[type]);
    expect(h.router.weightOf(done)).toBe(100);
    // the deployer put the version on the canary, then on the stable pool
    expect(h.deployer.calls.map((c) => `${c.op}:${c.request.target}:${c.request.version}`)).toEqual(
      [`deploy:canary:${done.version}`, `deploy:stable:${done.version}`],
    );
    // one judge session per analysed traffic step
    expect(h.judge.stages.map((s) => s.weight)).toEqual(
      EXPECTED_WEIGHTS[type].filter((w) => w < 100),
    );
    // timeline: gapless, rebuildable, with the notifications
    const events = h.events(id);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(rebuildSnapshot(events)).toEqual(await h.state(id));
    const outbox = h.store.outbox.map((m) => m.eventType);
    expect(outbox[0]).toBe('rollout.started');
    expect(outbox.at(-1)).toBe('rollout.completed');
    expect(outbox.filter((t) => t === 'rollout.promoted')).toHaveLength(
      EXPECTED_WEIGHTS[type].length + plan.steps.filter((s) => s.kind === 'approval').length,
    );
    expect(new Set(h.store.outbox.map((m) => m.idempotencyKey)).size).toBe(h.store.outbox.length);
    expect(h.errors).toEqual([]);
  });

  it('a major rollout spends about three hours of virtual time', async () => {
    const h = new EngineHarness();
    const t0 = h.clock.now();
    const { id } = await h.start(release('major'), PLANS.major());
    await h.complete(id);
    expect((h.clock.now() - t0) / 3600_000).toBeCloseTo(3, 1);
    // the checks ran by name, with the phase
    expect(h.checks.health.runs.map((r) => r.phase)).toEqual(['preflight', 'smoke']);
    expect(h.checks['login-flow'].runs.map((r) => r.phase)).toEqual(['smoke']);
    // approval by a person is on the timeline
    const approval = h.events(id).find((e) => e.type === 'approval.granted')!;
    expect(approval.actor).toBe('@rm');
  });
});
