import { describe, expect, it } from 'vitest';
import { OutboxDispatcher } from '../../../src/engine/outbox-dispatcher.js';
import { EngineHarness } from '../../fakes/engine-harness.js';
import { FakeNotifier } from '../../fakes/fake-notifier.js';
import { runUntil } from '../../fakes/manual-clock.js';
import { patchPlan, release } from '../../fakes/plans.js';

async function completedRollout(h: EngineHarness) {
  const { id } = await h.start(release('patch'), patchPlan());
  return h.complete(id);
}

describe('OutboxDispatcher', () => {
  it('delivers each message once, in order, under its idempotency key', async () => {
    const h = new EngineHarness();
    await completedRollout(h);
    const notify = new FakeNotifier();
    const d = new OutboxDispatcher({ store: h.store, clock: h.clock, notifiers: { notify } });
    const first = await d.deliverDue();
    expect(first).toEqual({ delivered: h.store.outbox.length, retried: 0, dead: 0, cancelled: 0 });
    expect(notify.delivered.map((m) => m.eventType)).toEqual([
      'rollout.started',
      'rollout.promoted',
      'rollout.promoted',
      'rollout.completed',
    ]);
    expect(await d.deliverDue()).toEqual({ delivered: 0, retried: 0, dead: 0, cancelled: 0 });
    expect(h.store.outbox.every((m) => m.status === 'delivered')).toBe(true);
  });

  it('retries with backoff, then gives up and marks the message dead', async () => {
    const h = new EngineHarness();
    await completedRollout(h);
    const notify = new FakeNotifier();
    notify.failNext(1000);
    const d = new OutboxDispatcher(
      { store: h.store, clock: h.clock, notifiers: { notify } },
      { batchSize: 1, retry: { attempts: 3, initialDelayMs: 1000, maxDelayMs: 60_000, factor: 2 } },
    );
    const ac = new AbortController();
    void d.run(ac.signal);
    await runUntil(h.clock, () => h.store.outbox.every((m) => m.status === 'dead'), 3600_000);
    ac.abort();
    const m = h.store.outbox[0]!;
    expect(m).toMatchObject({
      attempts: 3,
      status: 'dead',
      lastError: 'HTTP 503 from hooks.slack.com (fake)',
    });
    expect(notify.attempts.filter((k) => k === m.idempotencyKey)).toHaveLength(3);
  });

  it('a message for a route with no notifier is dead at once, with the reason', async () => {
    const h = new EngineHarness();
    const s = await completedRollout(h);
    await h.engine.command(s.id, 'rollback', '@oncall');
    await h.until(s.id, ['rolled_back']);
    const d = new OutboxDispatcher({ store: h.store, clock: h.clock, notifiers: {} });
    const r = await d.deliverDue();
    expect(r.dead).toBe(h.store.outbox.length);
    expect(h.store.outbox[0]!.lastError).toBe(
      'no notifier for route "notify" (policy notifications section)',
    );
  });

  it('a transient failure is delivered on a later pass', async () => {
    const h = new EngineHarness();
    await completedRollout(h);
    const notify = new FakeNotifier();
    notify.failNext(1);
    const d = new OutboxDispatcher({ store: h.store, clock: h.clock, notifiers: { notify } });
    expect(await d.deliverDue()).toMatchObject({ retried: 1, delivered: 3 });
    h.clock.advance(5_000);
    expect(await d.deliverDue()).toMatchObject({ retried: 0, delivered: 1 });
    expect(new Set(notify.delivered.map((m) => m.idempotencyKey)).size).toBe(4);
  });
});
