import { beforeAll, describe, expect, it } from 'vitest';
import { rebuildSnapshot } from '../../../src/core/rollout/rollout-reducer.js';
import type { RolloutSnapshot } from '../../../src/core/rollout/rollout-types.js';
import { EngineHarness } from '../../fakes/engine-harness.js';
import { FakeJudge } from '../../fakes/fake-judge.js';
import { flush, type ManualClock, runUntil } from '../../fakes/manual-clock.js';
import { majorPlan, minorPlan, release } from '../../fakes/plans.js';

/** Advance `n` timers (each followed by letting the engine run). */
async function advanceTimers(clock: ManualClock, n: number): Promise<void> {
  for (let i = 0; i < n; i += 1) {
    await flush();
    const next = clock.nextTimerAt();
    if (next === undefined) return;
    clock.advanceTo(next);
  }
  await flush();
}

function expectGapless(h: EngineHarness, id: string): void {
  const events = h.events(id);
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  expect(rebuildSnapshot(events)).toEqual(h.store.peek(id));
}

async function referenceRun(): Promise<{ minutes: number; decisions: number }> {
  const h = new EngineHarness();
  const t0 = h.clock.now();
  const { id } = await h.start(release('major'), majorPlan());
  await h.complete(id);
  return {
    minutes: (h.clock.now() - t0) / 60_000,
    decisions: h.events(id).filter((e) => e.type === 'judge.verdict').length,
  };
}

describe('kill and resume', () => {
  let reference: { minutes: number; decisions: number };
  beforeAll(async () => {
    reference = await referenceRun();
  });

  it.each([1, 2, 40, 271, 545, 1000])(
    'a controller killed after %i timer ticks: a fresh one finishes the rollout from the snapshot',
    async (ticks) => {
      const a = new EngineHarness();
      const t0 = a.clock.now();
      const { id } = await a.start(release('major'), majorPlan());
      // let A work, approving when it asks
      for (let done = 0; done < ticks; done += 1) {
        const s = a.store.peek(id)!;
        if (s.state === 'paused') await a.engine.command(id, 'resume', '@rm');
        await advanceTimers(a.clock, 1);
      }
      await a.engine.stop();
      const atKill: RolloutSnapshot = (await a.state(id))!;
      const seqAtKill = atKill.lastSeq;

      // the router drifted while nobody was in charge
      a.router.weights.set('payments/production', 77);
      const callsBefore = a.router.calls.length;

      const b = a.sibling({ scanIntervalMs: 3_600_000 }); // one scan at start is all it needs;
      b.judge = new FakeJudge();
      b.engine = b.build();
      void b.engine.run();
      const end = await b.complete(id);
      await b.engine.stop();

      expect(end.state).toBe('completed');
      expectGapless(b, id);
      // the first thing B did to the router: put back the weight the store says
      if (atKill.state === 'running') {
        expect(a.router.calls[callsBefore]).toMatchObject({
          op: 'setWeight',
          weight: atKill.weight,
        });
        expect(b.events(id)[seqAtKill]).toMatchObject({
          type: 'router.weight_set',
          data: { reason: 'resume' },
        });
      }
      // the step A was in kept its start time: holds continued, they did not restart
      const step = atKill.stepIndex;
      if (atKill.steps[step]?.startedAt) {
        expect(end.steps[step]!.startedAt).toBe(atKill.steps[step]!.startedAt);
      }
      expect((b.clock.now() - t0) / 60_000).toBe(reference.minutes);
      expect(b.events(id).filter((e) => e.type === 'judge.verdict')).toHaveLength(
        reference.decisions,
      );
      // no notification twice
      const keys = b.store.outbox.map((m) => m.idempotencyKey);
      expect(new Set(keys).size).toBe(keys.length);
      expect(b.store.outbox.filter((m) => m.eventType === 'rollout.completed')).toHaveLength(1);
    },
  );

  it('a chain of controllers, each killed after a few ticks, still runs the rollout exactly once', async () => {
    let h = new EngineHarness();
    const t0 = h.clock.now();
    const { id } = await h.start(release('major'), majorPlan());
    const lengths = [3, 17, 120, 1, 250, 33, 400, 2, 90];
    for (const ticks of lengths) {
      for (let i = 0; i < ticks; i += 1) {
        if (h.store.peek(id)!.state === 'paused') await h.engine.command(id, 'resume', '@rm');
        await advanceTimers(h.clock, 1);
      }
      await h.engine.stop();
      h = h.sibling({ scanIntervalMs: 3_600_000 });
      void h.engine.run();
    }
    const end = await h.complete(id);
    await h.engine.stop();
    expect(end.state).toBe('completed');
    expectGapless(h, id);
    expect((h.clock.now() - t0) / 60_000).toBe(reference.minutes);
    expect(h.events(id).filter((e) => e.type === 'judge.verdict')).toHaveLength(
      reference.decisions,
    );
    expect(h.store.outbox.filter((m) => m.eventType === 'rollout.promoted')).toHaveLength(5);
  });

  it('rebuilds the judge session from the recorded batches', async () => {
    const a = new EngineHarness();
    const { id } = await a.start(release('minor'), minorPlan());
    await runUntil(a.clock, () => (a.store.peek(id)!.steps[3]!.detail?.batches ?? 0) === 25);
    await a.engine.stop();
    const b = a.sibling();
    b.judge = new FakeJudge();
    b.engine = b.build();
    await b.engine.scan();
    await advanceTimers(b.clock, 1);
    // the new judge saw the 25 recorded batches again, then the new one, in one session
    expect(b.judge.stages).toHaveLength(1);
    expect(b.judge.observations.map((o) => o.nowSeconds).slice(0, 26)).toEqual(
      Array.from({ length: 26 }, (_, i) => (i + 1) * 10),
    );
    await b.engine.stop();
  });

  it('killed between a router call and its commit: nothing is written, the next controller redoes it', async () => {
    const a = new EngineHarness();
    const release1 = a.router.block();
    const { id } = await a.start(release('minor'), minorPlan());
    await runUntil(a.clock, () => a.store.peek(id)!.stepIndex === 3);
    const before = await a.state(id);
    expect(before.steps[3]!.state).toBe('pending');
    const stopping = a.engine.stop();
    release1(); // the router call completes after the kill
    await stopping;
    expect((await a.state(id)).lastSeq).toBe(before.lastSeq);

    const b = a.sibling();
    void b.engine.run();
    expect((await b.complete(id)).state).toBe('completed');
    expectGapless(b, id);
    await b.engine.stop();
  });

  it('killed during a rollback: the next controller finishes it', async () => {
    const a = new EngineHarness();
    const { id } = await a.start(release('minor'), minorPlan());
    await runUntil(a.clock, () => a.store.peek(id)!.steps[3]!.state === 'running');
    a.deployer.failNext('rollback', 2);
    await a.engine.command(id, 'abort', '@oncall');
    await flush();
    expect((await a.state(id)).state).toBe('rolling_back'); // waiting in backoff
    await a.engine.stop();

    const b = a.sibling();
    void b.engine.run();
    const end = await b.until(id);
    expect(end.state).toBe('rolled_back');
    expect(b.router.weightOf(end)).toBe(0);
    expectGapless(b, id);
    await b.engine.stop();
  });

  it('with leases, a second controller does not drive a rollout the first one holds', async () => {
    const a = new EngineHarness({ lease: { owner: 'a', ttlMs: 30_000 } });
    const b = a.sibling({ lease: { owner: 'b', ttlMs: 30_000 } });
    void a.engine.run();
    void b.engine.run();
    const { id } = await a.start(release('minor'), minorPlan());
    await runUntil(a.clock, () => a.store.peek(id)!.stepIndex === 5);
    expect(b.judge.stages).toHaveLength(0);
    expect(a.store.lease(id)).toMatchObject({ owner: 'a' });
    // A goes away; B takes over on its next scan and finishes
    await a.engine.stop();
    const end = await b.complete(id);
    expect(end.state).toBe('completed');
    expect(b.judge.stages.map((s) => s.weight)).toEqual([50]);
    expect(a.store.lease(id)).toMatchObject({ owner: 'b', token: 2 });
    expectGapless(b, id);
    await b.engine.stop();
  });
});
