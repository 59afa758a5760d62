import { describe, expect, it } from 'vitest';
import { RollgateError } from '../../../src/core/errors/rollgate-error.js';
import type { ResolvedPlan } from '../../../src/core/plan/plan-types.js';
import { EngineHarness } from '../../fakes/engine-harness.js';
import { FakeCheck } from '../../fakes/fake-check.js';
import { runUntil } from '../../fakes/manual-clock.js';
import { minorPlan, release, traffic } from '../../fakes/plans.js';

/** Run a minor rollout until its first traffic step (5 %) is holding. */
async function atCanary(h: EngineHarness): Promise<string> {
  const { id } = await h.start(release('minor'), minorPlan());
  await runUntil(h.clock, () => h.store.peek(id)!.steps[3]!.state === 'running');
  return id;
}

describe('router and deployer errors', () => {
  it('retries with backoff, records every failed call, then pauses with the error', async () => {
    const h = new EngineHarness();
    // no router call happens before the first traffic step (3): checks and deploys take no time
    h.router.failNext(Number.POSITIVE_INFINITY);
    const t0 = h.clock.now();
    const { id } = await h.start(release('minor'), minorPlan());
    const s = await h.until(id);
    expect(s).toMatchObject({ state: 'paused', stepIndex: 3, weight: 0 });
    expect(s.pauseReason).toBe(
      'router setWeight failed after 5 attempts: router unreachable: connection refused (fake)',
    );
    const failed = h.events(id).filter((e) => e.type === 'router.call_failed');
    expect(failed.map((e) => e.data.attempt)).toEqual([1, 2, 3, 4, 5]);
    expect(failed.map((e) => e.data.retryInMs)).toEqual([1000, 2000, 4000, 8000, undefined]);
    expect(h.clock.now() - t0).toBe(15_000);
    expect(h.store.outbox.at(-1)!.eventType).toBe('rollout.paused');

    // the router comes back; a person resumes; the rollout finishes
    h.router.heal();
    await h.engine.command(id, 'resume', '@ops');
    expect((await h.complete(id)).state).toBe('completed');
  });

  it('a transient deployer failure is retried and the rollout goes on', async () => {
    const h = new EngineHarness();
    h.deployer.failureMode = 'result';
    h.deployer.failNext('deploy', 2);
    const { id } = await h.start(release('minor'), minorPlan());
    expect((await h.complete(id)).state).toBe('completed');
    expect(h.types(id).filter((t) => t === 'deployer.call_failed')).toHaveLength(2);
    expect(h.deployer.count('deploy', true)).toBe(2);
  });

  it('a failed rollback ends in failed, loudly, and retry finishes it', async () => {
    const h = new EngineHarness();
    const id = await atCanary(h);
    h.deployer.failNext('rollback', 5);
    h.judge.script('rollback');
    const s = await h.until(id);
    expect(s.state).toBe('failed');
    const failed = h.events(id).find((e) => e.type === 'rollout.failed')!;
    expect(failed.message).toMatch(/^ROLLBACK FAILED/);
    expect(failed.data.error).toContain('deployer rollback failed after 5 attempts');
    expect(
      h.store.outbox.filter((m) => m.eventType === 'rollout.failed').map((m) => m.route),
    ).toEqual(['notify', 'page']);
    // the router part of the rollback did happen
    expect(h.router.weightOf(s)).toBe(0);

    await h.engine.command(id, 'retry', '@oncall');
    expect((await h.until(id)).state).toBe('rolled_back');
  });
});

describe('the judge', () => {
  it('rollback: weight 0 and the deployer rollback, without waiting', async () => {
    const h = new EngineHarness();
    const id = await atCanary(h);
    h.judge.script('continue', 'continue', 'rollback');
    const s = await h.until(id);
    expect(s.state).toBe('rolled_back');
    expect(h.router.weightOf(s)).toBe(0);
    expect(h.deployer.calls.at(-1)).toMatchObject({
      op: 'rollback',
      request: { target: 'canary' },
    });
    const types = h.types(id);
    expect(types.slice(types.indexOf('rollback.started'))).toEqual([
      'rollback.started',
      'router.weight_set',
      'deployer.rolled_back',
      'rollback.completed',
    ]);
    expect(h.store.outbox.at(-1)!.eventType).toBe('rollout.rolled_back');
  });

  it('halt rolls back and pages', async () => {
    const h = new EngineHarness();
    const id = await atCanary(h);
    h.judge.script('halt');
    expect((await h.until(id)).state).toBe('rolled_back');
    expect(h.store.outbox.find((m) => m.eventType === 'rollout.halted')?.route).toBe('page');
  });

  it('a metrics outage: inconclusive, then pause after maxNoDataSeconds, never promote; resume works', async () => {
    const h = new EngineHarness();
    const id = await atCanary(h);
    h.metrics.down();
    // a judge that would promote on anything: the engine must still refuse on missing data
    h.judge.rule = () => 'promote';
    const t0 = h.clock.now();
    const s = await h.until(id);
    expect(s.state).toBe('paused');
    expect(s.pauseReason).toMatch(/^metrics unavailable: no data for 120 s/);
    expect(h.clock.now() - t0).toBe(120_000);
    expect(s.stepIndex).toBe(3);
    const verdicts = h.events(id).filter((e) => e.type === 'judge.verdict');
    expect(verdicts.map((e) => e.data.decision)).toEqual(Array(12).fill('inconclusive'));
    expect(verdicts[0]!.data.noDataReason).toBe('prometheus: connection refused (fake)');
    expect(verdicts.every((e) => e.data.source === 'fake-metrics')).toBe(true);
    expect(s.pauseReason).toMatch(/Last error: prometheus: connection refused \(fake\)$/);
    expect(h.types(id)).not.toContain('rollout.promoted');

    h.metrics.up();
    h.judge.rule = undefined;
    await h.engine.command(id, 'resume', '@ops');
    expect((await h.complete(id)).state).toBe('completed');
  });

  it('stale data counts as no data', async () => {
    const h = new EngineHarness();
    const id = await atCanary(h);
    h.metrics.setGenerator(() => ({
      ok: true,
      staleSeconds: 300,
      batch: { baseline: { requests: 1, errors: 0 }, canary: { requests: 1, errors: 0 } },
    }));
    const s = await h.until(id);
    expect(s.pauseReason).toMatch(/^metrics unavailable/);
    expect(h.judge.observations.every((o) => o.batch === undefined)).toBe(true);
  });
});

describe('a store that keeps saying conflict', () => {
  it('does not make the engine spin: after three quick re-reads it backs off', async () => {
    const h = new EngineHarness();
    const id = await atCanary(h);
    let conflicts = 0;
    const times: number[] = [];
    h.store.beforeCommit = () => {
      if (conflicts >= 50) return;
      conflicts += 1;
      times.push(h.clock.now());
      throw new RollgateError('conflict', 'someone else moved first (test)');
    };
    await runUntil(h.clock, () => conflicts >= 50, 3_600_000);
    expect(times.at(-1)! - times[0]!).toBeGreaterThanOrEqual(46 * 5_000);
    h.store.beforeCommit = undefined;
    expect((await h.complete(id)).state).toBe('completed');
  });
});

describe('post-release watch', () => {
  it('a hard-gate breach during the watch rolls back the stable pool too', async () => {
    const h = new EngineHarness();
    const { id } = await h.start(release('minor'), minorPlan());
    await runUntil(h.clock, () => h.store.peek(id)!.stepIndex === 8);
    h.metrics.setGenerator(() => ({
      ok: true,
      batch: {
        baseline: { requests: 0, errors: 0 },
        canary: {
          requests: 900,
          errors: 3,
          endpoints: { '/v1/payment/process': { requests: 90, errors: 2 } },
        },
      },
    }));
    const s = await h.until(id);
    expect(s.state).toBe('rolled_back');
    expect(h.deployer.calls.at(-1)).toMatchObject({
      op: 'rollback',
      request: { target: 'stable' },
    });
    const sample = h.events(id).findLast((e) => e.type === 'watch.sample')!;
    expect(sample.data.decision).toBe('rollback');
    expect(h.router.weightOf(s)).toBe(0);
  });
});

describe('one bad rollout does not stop the others', () => {
  it('records the error on that rollout, pauses it after repeated errors, and the other completes', async () => {
    const h = new EngineHarness();
    const bad: ResolvedPlan = { ...minorPlan(), service: 'billing', steps: [traffic(7, 10)] };
    const original = h.judge.startStage.bind(h.judge);
    h.judge.startStage = (stage) => {
      if (stage.weight === 7) throw new TypeError('judge exploded');
      return original(stage);
    };
    const b = await h.start({ ...release('minor'), id: 'rel-billing', service: 'billing' }, bad);
    const p = await h.start(release('minor'), minorPlan());
    const badState = await h.until(b.id);
    expect(badState.state).toBe('paused');
    expect(badState.pauseReason).toBe('engine error 3 times in a row: judge exploded');
    expect(h.types(b.id).filter((t) => t === 'engine.error')).toHaveLength(2);
    expect(h.errors.map((e) => e.message)).toContain('judge exploded');
    expect((await h.complete(p.id)).state).toBe('completed');
  });

  it('an unknown check pauses the rollout with the name', async () => {
    const h = new EngineHarness();
    const plan = minorPlan();
    plan.steps[0] = {
      kind: 'checks',
      name: 'preflight',
      phase: 'preflight',
      checks: ['db-migrations'],
    };
    const { id } = await h.start(release('minor'), plan);
    const s = await h.until(id);
    expect(s.pauseReason).toBe("check 'db-migrations' is not configured (policy checks section)");
  });

  it('a failing smoke check rolls back', async () => {
    const h = new EngineHarness();
    h.checks['login-flow'] = new FakeCheck('login-flow', [false]);
    const { id } = await h.start(release('minor'), minorPlan());
    const s = await h.until(id);
    expect(s.state).toBe('rolled_back');
    const started = h.events(id).find((e) => e.type === 'rollback.started')!;
    expect(started.data).toMatchObject({ trigger: 'check' });
    expect(started.data.reason).toBe("check 'login-flow' failed: HTTP 500 from /health (fake)");
  });
});
