import { describe, expect, it } from 'vitest';
import { applyEngineInput, createRollout } from '../../src/core/rollout/rollout-machine.js';
import { histogramQuantile } from '../../src/core/rollout/watch-gates.js';
import { MemoryStore } from '../fakes/memory-store.js';
import { minorPlan, release } from '../fakes/plans.js';

const at = '2026-03-02T09:00:00.000Z';

async function seeded(store = new MemoryStore(), id = 'ro-1', environment = 'production') {
  const t = createRollout(id, release('minor'), { ...minorPlan(), environment }, '@alice', { at });
  await store.createRollout(t.next, t.events, t.outbox);
  return { store, snapshot: t.next };
}

describe('MemoryStore (the guarded-update semantics the SQL stores have)', () => {
  it('commits against the expected state and epoch, and refuses a stale writer', async () => {
    const { store, snapshot } = await seeded();
    const t = applyEngineInput(snapshot, { type: 'start' }, { at });
    const change = {
      rolloutId: 'ro-1',
      expected: { state: snapshot.state, epoch: snapshot.epoch },
      next: t.next,
      events: t.events,
      outbox: t.outbox,
    };
    await store.commit(change);
    await expect(store.commit(change)).rejects.toMatchObject({ code: 'conflict' });
    expect((await store.listEvents('ro-1')).map((e) => e.seq)).toEqual([1, 2]);
    expect(await store.listEvents('ro-1', 1)).toHaveLength(1);
  });

  it('checks epoch + 1 and lastSeq + events.length', async () => {
    const { store, snapshot } = await seeded();
    const t = applyEngineInput(snapshot, { type: 'start' }, { at });
    const expected = { state: snapshot.state, epoch: snapshot.epoch };
    await expect(
      store.commit({
        rolloutId: 'ro-1',
        expected,
        next: { ...t.next, epoch: 9 },
        events: t.events,
      }),
    ).rejects.toThrow(/epoch/);
    await expect(
      store.commit({ rolloutId: 'ro-1', expected, next: t.next, events: [] }),
    ).rejects.toThrow(/lastSeq/);
  });

  it('refuses a second rollout in flight for the same service and environment', async () => {
    const { store } = await seeded();
    await expect(seeded(store, 'ro-2')).rejects.toMatchObject({
      code: 'conflict',
      details: { runningRolloutId: 'ro-1' },
    });
    await expect(seeded(store, 'ro-3', 'staging')).resolves.toBeDefined();
  });

  it('ignores a duplicate outbox idempotency key', async () => {
    const { store, snapshot } = await seeded();
    const t = applyEngineInput(snapshot, { type: 'start' }, { at });
    await store.commit({
      rolloutId: 'ro-1',
      expected: { state: snapshot.state, epoch: snapshot.epoch },
      next: t.next,
      events: t.events,
      outbox: [...t.outbox, ...t.outbox],
    });
    expect(await store.dueOutbox(at, 10)).toHaveLength(1);
  });

  it('leases: held by one owner until expiry, the token bumps when it changes hands', async () => {
    const store = new MemoryStore();
    expect(await store.acquireLease('r', 'a', at, '2026-03-02T09:00:30.000Z')).toMatchObject({
      token: 1,
    });
    expect(await store.acquireLease('r', 'b', at, '2026-03-02T09:00:30.000Z')).toBeUndefined();
    expect(await store.acquireLease('r', 'a', at, '2026-03-02T09:01:00.000Z')).toMatchObject({
      token: 1,
    });
    const later = '2026-03-02T09:02:00.000Z';
    expect(await store.acquireLease('r', 'b', later, '2026-03-02T09:03:00.000Z')).toMatchObject({
      owner: 'b',
      token: 2,
    });
  });
});

describe('histogramQuantile', () => {
  it('returns the upper bound of the bucket holding the quantile', () => {
    const h = { '0.1': 600, '0.5': 990, '1': 999, '+Inf': 1000 };
    expect(histogramQuantile(h, 0.5)).toBe(0.1);
    expect(histogramQuantile(h, 0.99)).toBe(0.5);
    expect(histogramQuantile(h, 0.999)).toBe(1);
    expect(histogramQuantile(h, 1)).toBe(Number.POSITIVE_INFINITY);
    expect(histogramQuantile({ '+Inf': 0 }, 0.5)).toBeUndefined();
  });
});
