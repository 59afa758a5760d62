import { describe, expect, it, onTestFinished, type TestContext } from 'vitest';
import type { Store } from '../../src/ports/store.js';
import { advance, at, event, release, snapshot } from './store-fixtures.js';
import { rejection } from './store-harness.js';

/** One empty database; `open` makes a store instance on it (not yet migrated). */
export interface StoreDatabase {
  open(): Store;
  dispose(): Promise<void>;
}

/** How a backend provides fresh databases; a string is the reason the backend is skipped. */
export type StoreTarget = () => { newDatabase(): Promise<StoreDatabase> } | string;

/**
 * The Store port's contract, run against every implementation (CONVENTIONS.md "Tests").
 * Each test gets its own empty database.
 */
export function storeContract(name: string, target: StoreTarget): void {
  async function fresh(ctx: TestContext) {
    const t = target();
    if (typeof t === 'string') {
      ctx.skip(t);
      throw new Error('unreachable');
    }
    const database = await t.newDatabase();
    const opened: Store[] = [];
    onTestFinished(async () => {
      for (const s of opened) await s.close().catch(() => undefined);
      await database.dispose();
    });
    const open = async (): Promise<Store> => {
      const s = database.open();
      opened.push(s);
      await s.migrate();
      return s;
    };
    return { store: await open(), open, database, opened };
  }

  describe(`Store contract: ${name}`, () => {
    it('migrate is idempotent, also when two instances migrate a new database at once', async (ctx) => {
      const t = target();
      if (typeof t === 'string') return ctx.skip(t);
      const database = await t.newDatabase();
      const a = database.open();
      const b = database.open();
      onTestFinished(async () => {
        await a.close();
        await b.close();
        await database.dispose();
      });
      await Promise.all([a.migrate(), b.migrate()]);
      await a.migrate();
      await a.createRelease(release('r1'));
      expect(await b.getRelease('r1')).toEqual(release('r1'));
    });

    it('creates and reads releases; a duplicate id is a conflict', async (ctx) => {
      const { store } = await fresh(ctx);
      await store.createRelease(release('r1'));
      expect(await store.getRelease('r1')).toEqual(release('r1'));
      expect(await store.getRelease('nope')).toBeUndefined();
      const err = await rejection(store.createRelease(release('r1')));
      expect(err.code).toBe('conflict');
      expect(err.message).toContain('r1');
      const bad = await rejection(store.createRelease({ ...release('r2'), service: '' }));
      expect(bad.code).toBe('invalid_input');
      expect(await store.getRelease('r2')).toBeUndefined();
    });

    it('round-trips a snapshot exactly (key order, unicode, fractions, nesting)', async (ctx) => {
      const { store } = await fresh(ctx);
      const s = snapshot('ro-1', {
        lastSeq: 1,
        weight: 12.5,
        pauseReason: 'p99 0.1234567890123 s > 25 % above baseline — «pause» 🚦',
        steps: [
          {
            state: 'succeeded',
            startedAt: at(1),
            endedAt: at(2),
            detail: { z: 1, a: [1, 2.25, null], m: { '': 'empty key' } },
          },
          {
            state: 'running',
            startedAt: at(3),
            detail: { big: 9007199254740991, tiny: 1e-12, neg: -0.5 },
          },
          { state: 'pending' },
        ],
      });
      await store.createRollout(s, [event('rollout.created')]);
      const got = await store.getRollout('ro-1');
      expect(JSON.stringify(got)).toBe(JSON.stringify(s));
      expect(got).toEqual(s);
      expect(await store.getRollout('missing')).toBeUndefined();
    });

    it('lists rollouts newest first, filtered by service and states, limited', async (ctx) => {
      const { store } = await fresh(ctx);
      await store.createRollout(snapshot('a', { createdAt: at(1), state: 'completed' }), []);
      await store.createRollout(snapshot('b', { createdAt: at(2), state: 'running' }), []);
      await store.createRollout(
        snapshot('c', { createdAt: at(3), service: 'search', state: 'running' }),
        [],
      );
      const ids = (xs: { id: string }[]) => xs.map((x) => x.id);
      expect(ids(await store.listRollouts())).toEqual(['c', 'b', 'a']);
      expect(ids(await store.listRollouts({ service: 'payments' }))).toEqual(['b', 'a']);
      expect(ids(await store.listRollouts({ states: ['running', 'paused'] }))).toEqual(['c', 'b']);
      expect(ids(await store.listRollouts({ states: [] }))).toEqual([]);
      expect(ids(await store.listRollouts({ limit: 1 }))).toEqual(['c']);
    });

    it('numbers events 1.. gapless in order across commits; listEvents(afterSeq) pages', async (ctx) => {
      const { store } = await fresh(ctx);
      const s0 = snapshot('ro', { lastSeq: 2 });
      await store.createRollout(s0, [event('created', 0, { by: '@alice' }), event('planned', 1)]);
      const s1 = advance(s0, 3, { state: 'running' });
      await store.commit({
        rolloutId: 'ro',
        expected: { state: 'pending', epoch: 0 },
        next: s1,
        events: [
          event('started', 2),
          event('step.started', 3),
          event('weight.set', 4, { weight: 5 }),
        ],
      });
      const all = await store.listEvents('ro');
      expect(all.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
      expect(all.map((e) => e.type)).toEqual([
        'created',
        'planned',
        'started',
        'step.started',
        'weight.set',
      ]);
      expect(all[0]).toEqual({
        rolloutId: 'ro',
        seq: 1,
        at: at(0),
        actor: 'rollgate',
        type: 'created',
        message: 'created happened',
        data: { by: '@alice' },
      });
      expect((await store.listEvents('ro', 3)).map((e) => e.seq)).toEqual([4, 5]);
      expect(await store.listEvents('ro', 5)).toEqual([]);
      expect(await store.listEvents('other')).toEqual([]);
      expect(await store.getRollout('ro')).toEqual(s1);
    });

    it('refuses a new rollout whose lastSeq does not match its events', async (ctx) => {
      const { store } = await fresh(ctx);
      const err = await rejection(
        store.createRollout(snapshot('ro', { lastSeq: 0 }), [event('x')]),
      );
      expect(err.code).toBe('invalid_input');
      expect(await store.getRollout('ro')).toBeUndefined();
      expect(await store.listEvents('ro')).toEqual([]);
    });

    it('commit with a stale epoch is a conflict and writes nothing', async (ctx) => {
      const { store } = await fresh(ctx);
      const s0 = snapshot('ro', { lastSeq: 1 });
      await store.createRollout(s0, [event('created')]);
      // A transition without events: only the epoch tells it apart.
      const s1 = advance(s0, 0, { state: 'running' });
      await store.commit({
        rolloutId: 'ro',
        expected: { state: 'pending', epoch: 0 },
        next: s1,
        events: [],
      });
      // A second writer still believes epoch 0 (but the right state and lastSeq).
      const stale = advance({ ...s0, state: 'running' }, 1, { weight: 50 });
      const err = await rejection(
        store.commit({
          rolloutId: 'ro',
          expected: { state: 'running', epoch: 0 },
          next: stale,
          events: [event('weight.set')],
          outbox: [
            {
              idempotencyKey: 'k-stale',
              rolloutId: 'ro',
              route: 'slack',
              eventType: 'x',
              payload: {},
            },
          ],
        }),
      );
      expect(err.code).toBe('conflict');
      expect(err.message).toMatch(/epoch 0.*epoch 1/);
      expect(await store.getRollout('ro')).toEqual(s1);
      expect((await store.listEvents('ro')).map((e) => e.type)).toEqual(['created']);
      expect(await store.dueOutbox(at(1e6), 10)).toEqual([]);
    });

    it('commit expecting the wrong state is a conflict and writes nothing', async (ctx) => {
      const { store } = await fresh(ctx);
      const s0 = snapshot('ro');
      await store.createRollout(s0, []);
      const err = await rejection(
        store.commit({
          rolloutId: 'ro',
          expected: { state: 'running', epoch: 0 },
          next: advance(s0, 1, { state: 'paused' }),
          events: [event('paused')],
        }),
      );
      expect(err.code).toBe('conflict');
      expect(err.message).toContain('pending');
      expect(await store.getRollout('ro')).toEqual(s0);
      expect(await store.listEvents('ro')).toEqual([]);
    });

    it('checks the arithmetic: epoch must be expected+1, lastSeq old+events (else invalid_input, nothing written)', async (ctx) => {
      const { store } = await fresh(ctx);
      const s0 = snapshot('ro', { lastSeq: 1 });
      await store.createRollout(s0, [event('created')]);
      const expected = { state: 'pending' as const, epoch: 0 };
      const skipEpoch = await rejection(
        store.commit({
          rolloutId: 'ro',
          expected,
          next: { ...advance(s0, 1), epoch: 2 },
          events: [event('a')],
        }),
      );
      expect(skipEpoch.code).toBe('invalid_input');
      const badSeq = await rejection(
        store.commit({ rolloutId: 'ro', expected, next: advance(s0, 2), events: [event('a')] }),
      );
      expect(badSeq.code).toBe('invalid_input');
      expect(badSeq.message).toContain('lastSeq');
      const otherId = await rejection(
        store.commit({
          rolloutId: 'ro',
          expected,
          next: { ...advance(s0, 1), id: 'x' },
          events: [event('a')],
        }),
      );
      expect(otherId.code).toBe('invalid_input');
      const missing = await rejection(
        store.commit({
          rolloutId: 'nope',
          expected,
          next: advance(snapshot('nope'), 0),
          events: [],
        }),
      );
      expect(missing.code).toBe('not_found');
      expect(await store.getRollout('ro')).toEqual(s0);
      expect((await store.listEvents('ro')).length).toBe(1);
    });

    it('allows one rollout in flight per service and environment, naming the running one', async (ctx) => {
      const { store } = await fresh(ctx);
      const first = snapshot('first', { state: 'running' });
      await store.createRollout(first, []);
      const err = await rejection(
        store.createRollout(snapshot('second', { lastSeq: 1 }), [event('created')]),
      );
      expect(err.code).toBe('conflict');
      expect(err.details?.runningRolloutId).toBe('first');
      expect(err.message).toContain('first');
      expect(await store.getRollout('second')).toBeUndefined();
      expect(await store.listEvents('second')).toEqual([]);
      // Another environment, or another service, is independent.
      await store.createRollout(snapshot('staging', { environment: 'staging' }), []);
      await store.createRollout(snapshot('search', { service: 'search' }), []);
      // Once the first one completes, the next may start...
      await store.commit({
        rolloutId: 'first',
        expected: { state: 'running', epoch: 0 },
        next: advance(first, 0, { state: 'completed' }),
        events: [],
      });
      await store.createRollout(snapshot('second', { state: 'running' }), []);
      // ...and the completed one cannot come back while it runs.
      const back = await rejection(
        store.commit({
          rolloutId: 'first',
          expected: { state: 'completed', epoch: 1 },
          next: advance(advance(first, 0, { state: 'completed' }), 0, { state: 'rolling_back' }),
          events: [],
        }),
      );
      expect(back.code).toBe('conflict');
      expect(back.details?.runningRolloutId).toBe('second');
      expect((await store.getRollout('first'))?.state).toBe('completed');
    });

    it('outbox: written with the events, duplicates by idempotency key ignored, due oldest first', async (ctx) => {
      const { store } = await fresh(ctx);
      const s0 = snapshot('ro', { createdAt: at(10), updatedAt: at(10), lastSeq: 1 });
      const msg = (key: string, eventType = 'rollout.started') => ({
        idempotencyKey: key,
        rolloutId: 'ro',
        route: 'slack',
        eventType,
        payload: { text: `msg ${key}`, n: 1.5 },
      });
      await store.createRollout(s0, [event('created')], [msg('k1'), msg('k2')]);
      const s1 = advance(s0, 1, { state: 'running', updatedAt: at(20) });
      await store.commit({
        rolloutId: 'ro',
        expected: { state: 'pending', epoch: 0 },
        next: s1,
        events: [event('started')],
        outbox: [msg('k1', 'duplicate'), msg('k3')],
      });
      expect(await store.dueOutbox(at(9), 10)).toEqual([]);
      expect((await store.dueOutbox(at(10), 10)).map((m) => m.idempotencyKey)).toEqual([
        'k1',
        'k2',
      ]);
      const due = await store.dueOutbox(at(20), 10);
      expect(due.map((m) => m.idempotencyKey)).toEqual(['k1', 'k2', 'k3']);
      expect(due[0]).toMatchObject({
        rolloutId: 'ro',
        route: 'slack',
        eventType: 'rollout.started',
        payload: { text: 'msg k1', n: 1.5 },
        status: 'pending',
        attempts: 0,
        nextAttemptAt: at(10),
        createdAt: at(10),
      });
      expect(new Set(due.map((m) => m.id)).size).toBe(3);
      expect((await store.dueOutbox(at(20), 2)).map((m) => m.idempotencyKey)).toEqual(['k1', 'k2']);
    });

    it('outbox: delivered leaves the queue; a failed attempt retries later; dead never returns', async (ctx) => {
      const { store } = await fresh(ctx);
      const s0 = snapshot('ro', { createdAt: at(0), updatedAt: at(0) });
      const msg = (key: string) => ({
        idempotencyKey: key,
        rolloutId: 'ro',
        route: 'pagerduty',
        eventType: 'rollout.rolled_back',
        payload: {},
      });
      await store.createRollout(s0, [], [msg('a'), msg('b'), msg('c')]);
      const [a, b, c] = await store.dueOutbox(at(0), 10);
      if (!a || !b || !c) throw new Error('expected three due messages');
      await store.markDelivered(a.id, at(1));
      await store.markAttemptFailed(b.id, 'HTTP 503 from PagerDuty', at(60), false);
      await store.markAttemptFailed(c.id, 'HTTP 400: bad routing key', at(60), true);
      expect(await store.dueOutbox(at(59), 10)).toEqual([]);
      const retry = await store.dueOutbox(at(60), 10);
      expect(retry.map((m) => m.id)).toEqual([b.id]);
      expect(retry[0]).toMatchObject({
        status: 'pending',
        attempts: 1,
        lastError: 'HTTP 503 from PagerDuty',
        nextAttemptAt: at(60),
      });
      await store.markAttemptFailed(b.id, 'HTTP 503 again', at(120), false);
      expect((await store.dueOutbox(at(120), 10))[0]).toMatchObject({
        attempts: 2,
        lastError: 'HTTP 503 again',
      });
      expect(await store.dueOutbox(at(1e7), 10)).toHaveLength(1);
      // Delivering twice is harmless; an unknown id is not_found.
      await store.markDelivered(a.id, at(2));
      expect((await rejection(store.markDelivered('no-such-id', at(2)))).code).toBe('not_found');
      expect((await rejection(store.markAttemptFailed('no-such-id', 'x', at(2), false))).code).toBe(
        'not_found',
      );
    });

    it('leases: acquire, refuse others, renew, steal after expiry with a new token, fence stale writers', async (ctx) => {
      const { store } = await fresh(ctx);
      const s0 = snapshot('ro', { state: 'running' });
      await store.createRollout(s0, []);
      const a = await store.acquireLease('ro', 'ctl-a', at(0), at(30));
      expect(a).toEqual({ rolloutId: 'ro', owner: 'ctl-a', token: 1, expiresAt: at(30) });
      expect(await store.acquireLease('ro', 'ctl-b', at(10), at(40))).toBeUndefined();
      const renewed = await store.acquireLease('ro', 'ctl-a', at(20), at(50));
      expect(renewed).toEqual({ rolloutId: 'ro', owner: 'ctl-a', token: 1, expiresAt: at(50) });
      expect(await store.acquireLease('ro', 'ctl-b', at(49), at(80))).toBeUndefined();
      const b = await store.acquireLease('ro', 'ctl-b', at(50), at(80));
      expect(b).toEqual({ rolloutId: 'ro', owner: 'ctl-b', token: 2, expiresAt: at(80) });

      // ctl-a wakes up and writes with its old token: refused, nothing written.
      const stale = await rejection(
        store.commit({
          rolloutId: 'ro',
          expected: { state: 'running', epoch: 0 },
          next: advance(s0, 1, { weight: 25 }),
          events: [event('weight.set')],
          fence: { owner: 'ctl-a', token: 1 },
        }),
      );
      expect(stale.code).toBe('conflict');
      expect(stale.message).toContain('ctl-b');
      expect(await store.getRollout('ro')).toEqual(s0);
      expect(await store.listEvents('ro')).toEqual([]);

      const s1 = advance(s0, 1, { weight: 25 });
      await store.commit({
        rolloutId: 'ro',
        expected: { state: 'running', epoch: 0 },
        next: s1,
        events: [event('weight.set')],
        fence: { owner: 'ctl-b', token: 2 },
      });
      expect(await store.getRollout('ro')).toEqual(s1);

      // Released: free for anyone, and the token still moves on (fencing stays monotonic).
      await store.releaseLease('ro', 'ctl-a'); // not the holder: no effect
      expect(await store.acquireLease('ro', 'ctl-c', at(60), at(90))).toBeUndefined();
      await store.releaseLease('ro', 'ctl-b');
      const c = await store.acquireLease('ro', 'ctl-c', at(60), at(90));
      expect(c?.token).toBe(3);
      const afterRelease = await rejection(
        store.commit({
          rolloutId: 'ro',
          expected: { state: 'running', epoch: 1 },
          next: advance(s1, 0),
          events: [],
          fence: { owner: 'ctl-b', token: 2 },
        }),
      );
      expect(afterRelease.code).toBe('conflict');
    });

    it('two store instances committing the same transition at once: exactly one wins', async (ctx) => {
      const { store, open } = await fresh(ctx);
      const other = await open();
      for (let round = 0; round < 5; round++) {
        const id = `ro-${round}`;
        const s0 = snapshot(id, { service: `svc-${round}`, state: 'running', lastSeq: 1 });
        await store.createRollout(s0, [event('created')]);
        // Odd rounds append no events, so only the epoch guard separates the two writers.
        const appended = round % 2 === 0 ? 2 : 0;
        const change = (who: string) => ({
          rolloutId: id,
          expected: { state: 'running' as const, epoch: 0 },
          next: advance(s0, appended, { weight: who === 'a' ? 10 : 20 }),
          events: appended === 2 ? [event(`${who}.1`), event(`${who}.2`)] : [],
          outbox: [
            {
              idempotencyKey: `${id}-${who}`,
              rolloutId: id,
              route: 'slack',
              eventType: who,
              payload: {},
            },
          ],
        });
        const results = await Promise.allSettled([
          store.commit(change('a')),
          other.commit(change('b')),
        ]);
        const won = results.filter((r) => r.status === 'fulfilled');
        const lost = results.filter((r) => r.status === 'rejected');
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(1);
        expect((lost[0] as PromiseRejectedResult).reason).toMatchObject({ code: 'conflict' });
        const winner = results[0]?.status === 'fulfilled' ? 'a' : 'b';
        const events = await other.listEvents(id);
        expect(events.map((e) => e.type)).toEqual(
          appended === 2 ? ['created', `${winner}.1`, `${winner}.2`] : ['created'],
        );
        expect((await store.getRollout(id))?.weight).toBe(winner === 'a' ? 10 : 20);
        const due = await store.dueOutbox(at(1e6), 100);
        expect(due.filter((m) => m.rolloutId === id).map((m) => m.eventType)).toEqual([winner]);
      }
    });

    it('two controllers racing for an expired lease: exactly one gets it', async (ctx) => {
      const { store, open } = await fresh(ctx);
      const other = await open();
      await store.createRollout(snapshot('ro', { state: 'running' }), []);
      await store.acquireLease('ro', 'dead-controller', at(0), at(10));
      const [x, y] = await Promise.all([
        store.acquireLease('ro', 'ctl-x', at(11), at(41)),
        other.acquireLease('ro', 'ctl-y', at(11), at(41)),
      ]);
      const got = [x, y].filter((l) => l !== undefined);
      expect(got).toHaveLength(1);
      expect(got[0]?.token).toBe(2);
    });

    it('keeps everything after closing and reopening', async (ctx) => {
      const { store, open } = await fresh(ctx);
      const s0 = snapshot('ro', { lastSeq: 1 });
      await store.createRelease(release('rel-ro'));
      await store.createRollout(
        s0,
        [event('created')],
        [
          {
            idempotencyKey: 'k',
            rolloutId: 'ro',
            route: 'slack',
            eventType: 'x',
            payload: { a: 1 },
          },
        ],
      );
      await store.acquireLease('ro', 'ctl', at(0), at(30));
      await store.close();
      const again = await open();
      expect(await again.getRelease('rel-ro')).toEqual(release('rel-ro'));
      expect(await again.getRollout('ro')).toEqual(s0);
      expect((await again.listEvents('ro')).map((e) => e.type)).toEqual(['created']);
      expect((await again.dueOutbox(at(0), 10)).map((m) => m.idempotencyKey)).toEqual(['k']);
      expect(await again.acquireLease('ro', 'other', at(1), at(31))).toBeUndefined();
      expect((await again.acquireLease('ro', 'ctl', at(1), at(31)))?.token).toBe(1);
    });

    it('rejects times that are not ISO 8601 and limits that are not whole numbers', async (ctx) => {
      const { store } = await fresh(ctx);
      expect((await rejection(store.dueOutbox('yesterday', 10))).code).toBe('invalid_input');
      expect((await rejection(store.acquireLease('ro', 'a', 'now', at(1)))).code).toBe(
        'invalid_input',
      );
      expect((await rejection(store.listRollouts({ limit: -1 }))).code).toBe('invalid_input');
      expect((await rejection(store.dueOutbox(at(0), 1.5))).code).toBe('invalid_input');
    });
  });
}
