import { describe, expect, it } from 'vitest';
import { RollgateError } from '../../../src/core/errors/rollgate-error.js';
import { applyCommand } from '../../../src/core/rollout/rollout-commands.js';
import { EngineHarness } from '../../fakes/engine-harness.js';
import { flush, runUntil } from '../../fakes/manual-clock.js';
import { minorPlan, release } from '../../fakes/plans.js';

async function atCanary(h: EngineHarness): Promise<string> {
  const { id } = await h.start(release('minor'), minorPlan());
  await runUntil(h.clock, () => h.store.peek(id)!.steps[3]!.state === 'running');
  h.clock.advance(95_000); // mid-hold
  await flush();
  return id;
}

describe('commands through the engine', () => {
  it('abort acts at once: weight 0 and deployer rollback with no virtual time passing', async () => {
    const h = new EngineHarness();
    const id = await atCanary(h);
    const before = h.clock.now();
    const s = await h.engine.command(
      id,
      { name: 'abort', reason: 'latency spike on /checkout' },
      '@oncall',
    );
    expect(s.state).toBe('rolling_back');
    await flush();
    const after = await h.state(id);
    expect(after.state).toBe('rolled_back');
    expect(h.clock.now()).toBe(before);
    expect(h.router.weightOf(after)).toBe(0);
    expect(h.deployer.count('rollback', true)).toBe(1);
    // the judge was not consulted after the abort
    const types = h.types(id);
    expect(types.slice(types.indexOf('rollback.started'))).not.toContain('judge.verdict');
  });

  it('promote ends the step now; promote --full goes to 100 %', async () => {
    const h = new EngineHarness();
    const id = await atCanary(h);
    await h.engine.command(id, 'promote', '@rm');
    await flush();
    expect((await h.state(id)).weight).toBe(25);
    await h.engine.command(id, 'promote_full', '@rm');
    await flush();
    const s = await h.state(id);
    expect(s.weight).toBe(100);
    expect(s.steps.map((x) => x.state).slice(3, 7)).toEqual([
      'succeeded',
      'succeeded',
      'skipped',
      'succeeded',
    ]);
    expect((await h.complete(id)).state).toBe('completed');
  });

  it('pause stops the judge; resume starts the step again at its weight', async () => {
    const h = new EngineHarness();
    const id = await atCanary(h);
    await h.engine.command(id, 'pause', '@ops');
    const batches = h.judge.observations.length;
    await expect(runUntil(h.clock, () => false)).rejects.toThrow(/stalled/);
    expect(h.judge.observations.length).toBe(batches);
    await h.engine.command(id, 'resume', '@ops');
    await flush();
    const s = await h.state(id);
    expect(s).toMatchObject({ state: 'running', stepIndex: 3 });
    expect(s.steps[3]!.startedAt).toBe(new Date(h.clock.now()).toISOString());
    h.clock.advance(10_000);
    await flush();
    // a fresh judge session for the restarted step: the pause's evidence does not carry over
    expect(h.judge.stages).toHaveLength(2);
    expect(h.judge.observations.at(-1)).toMatchObject({ session: 2, nowSeconds: 10 });
  });

  it('a command that lands during a router call: the router ends at the weight the store says', async () => {
    const h = new EngineHarness();
    const id = await atCanary(h);
    const release1 = h.router.block();
    // the judge promotes at the end of the hold; the worker then calls setWeight(25) and waits
    await runUntil(h.clock, () => h.store.peek(id)!.stepIndex === 4);
    await h.engine.command(id, 'pause', '@ops');
    release1(); // the router applies 25 % after the pause was committed
    await flush();
    const s = await h.state(id);
    expect(s).toMatchObject({ state: 'paused', weight: 5 });
    expect(h.router.weightOf(s)).toBe(5);
    expect(h.events(id).at(-1)).toMatchObject({
      type: 'router.weight_set',
      data: { weight: 5, reason: 'resume' },
    });
  });

  it('observe adds a person’s observation to the timeline', async () => {
    const h = new EngineHarness();
    const id = await atCanary(h);
    await h.engine.command(id, { name: 'observe', text: 'CPU on canary hosts at 60 %' }, '@sre');
    expect(h.events(id).at(-1)).toMatchObject({
      type: 'observation.added',
      actor: '@sre',
      message: 'CPU on canary hosts at 60 %',
    });
  });

  it('an illegal command is refused with the reason', async () => {
    const h = new EngineHarness();
    const id = await atCanary(h);
    await h.engine.command(id, 'abort', '@oncall');
    await flush();
    await expect(h.engine.command(id, 'promote', '@rm')).rejects.toThrow(
      'cannot promote: rollout is rolled back',
    );
    await expect(h.engine.command('ro-nope', 'pause', '@rm')).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('refuses a second rollout in flight for the same service and environment', async () => {
    const h = new EngineHarness();
    const first = await h.start(release('minor', 1), minorPlan());
    const err = await h.start(release('minor', 2), minorPlan()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RollgateError);
    expect(err).toMatchObject({ code: 'conflict', details: { runningRolloutId: first.id } });
    // another environment is fine
    const staging = { ...minorPlan(), environment: 'staging' };
    expect((await h.start(release('minor', 3), staging)).environment).toBe('staging');
    // after the first one finishes, the service can be released again
    await h.complete(first.id);
    expect((await h.start(release('minor', 4), minorPlan())).state).toBe('pending');
  });

  it('a concurrent writer: the loser gets a clear conflict, the store is unchanged by it', async () => {
    const h = new EngineHarness();
    const id = await atCanary(h);
    // someone else writes every time @bob tries to commit
    h.store.beforeCommit = (change) => {
      if (change.events.some((e) => e.actor === '@bob')) h.store.interfere(id);
    };
    const err = await h.engine.command(id, 'pause', '@bob').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'conflict' });
    expect((err as Error).message).toBe(
      `pause by @bob was not applied: rollout ${id} was changed by someone else at the same moment`,
    );
    expect(h.events(id).some((e) => e.actor === '@bob')).toBe(false);
  });

  it('a command written to the store by another process is noticed within one scan', async () => {
    const h = new EngineHarness({ batchIntervalMs: 60_000, scanIntervalMs: 5_000 });
    void h.engine.run();
    const id = await atCanary(h);
    await runUntil(h.clock, () => Number(h.store.peek(id)!.steps[3]!.detail?.batches ?? 0) >= 1);
    // another process (the CLI on the same SQLite file) aborts, without this engine's API
    const s = (await h.store.getRollout(id))!;
    const t = applyCommand(s, { name: 'abort' }, '@cli', {
      at: new Date(h.clock.now()).toISOString(),
    });
    await h.store.commit({
      rolloutId: id,
      expected: { state: s.state, epoch: s.epoch },
      next: t.next,
      events: t.events,
      outbox: t.outbox,
    });
    const t0 = h.clock.now();
    await h.until(id, ['rolled_back']);
    expect(h.clock.now() - t0).toBeLessThanOrEqual(5_000);
    expect(h.router.weightOf(s)).toBe(0);
    await h.engine.stop();
  });

  it('two controllers, two people, the same command at once: one wins, the other is told why', async () => {
    const a = new EngineHarness();
    const b = a.sibling();
    const id = await atCanary(a);
    const results = await Promise.allSettled([
      a.engine.command(id, 'abort', '@ann'),
      b.engine.command(id, 'abort', '@ben'),
    ]);
    const ok = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    expect(ok).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect(String(refused[0]!.reason.message)).toMatch(
      /^cannot abort: rollout is rolling back|^abort by @\w+ was not applied/,
    );
    await b.engine.stop();
  });
});
