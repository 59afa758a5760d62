import { describe, expect, it, type TestContext } from 'vitest';
import type { PostMortemStore } from '../../src/ports/post-mortem-store.js';
import type { Store } from '../../src/ports/store.js';
import type { StoreTarget } from './store-contract.js';
import { at } from './store-fixtures.js';
import { freshStore, ROLLED_BACK, rejection } from './store-harness.js';

type Both = Store & PostMortemStore;

const pm = (id: string, rolloutId: string, createdSeconds: number, service = 'payments') => ({
  id,
  rolloutId,
  service,
  environment: 'production',
  failedVersion: 'v2.5.0',
  restoredVersion: 'v2.4.0',
  createdAt: at(createdSeconds),
  dueAt: at(createdSeconds + 48 * 3600),
});

const ITEMS = [
  {
    id: '1',
    action: 'Add a gateway preflight check',
    owner: '@alex',
    due: '2026-03-16',
    status: 'in_progress' as const,
    ticket: 'INFRA-12',
  },
  {
    id: '2',
    action: 'Synthetic payment | smoke',
    owner: '@sre',
    due: '2026-03-20',
    status: 'planned' as const,
  },
  {
    id: '3',
    action: 'Fix the Dockerfile',
    owner: '@dev',
    due: '2026-03-13',
    status: 'done' as const,
  },
];

/** The post-mortem half of the store, on every backend that implements it. */
export function postMortemStoreContract(name: string, target: StoreTarget): void {
  const fresh = (ctx: TestContext) => freshStore<Both>(ctx, target, ROLLED_BACK);

  describe(`PostMortemStore contract: ${name}`, () => {
    it('creates, reads back and refuses a second post-mortem for the same id or rollout', async (ctx) => {
      const store = await fresh(ctx);
      await store.createPostMortem(pm('PM-1', 'ro-1', 0));
      expect(await store.getPostMortem('PM-1')).toEqual(pm('PM-1', 'ro-1', 0));
      expect(await store.getPostMortemByRollout('ro-1')).toEqual(pm('PM-1', 'ro-1', 0));
      expect(await store.getPostMortem('nope')).toBeUndefined();
      expect((await rejection(store.createPostMortem(pm('PM-1', 'ro-2', 0)))).code).toBe(
        'conflict',
      );
      expect((await rejection(store.createPostMortem(pm('PM-9', 'ro-1', 0)))).code).toBe(
        'conflict',
      );
      expect((await rejection(store.createPostMortem(pm('PM-8', 'ro-404', 0)))).code).toBe(
        'not_found',
      );
    });

    it('lists newest first, by service, open and overdue', async (ctx) => {
      const store = await fresh(ctx);
      await store.createPostMortem(pm('PM-1', 'ro-1', 0));
      await store.createPostMortem(pm('PM-2', 'ro-2', 3600));
      await store.createPostMortem(pm('PM-3', 'ro-3', 7200, 'search'));
      const ids = async (f?: Parameters<Both['listPostMortems']>[0]) =>
        (await store.listPostMortems(f)).map((p) => p.id);
      expect(await ids()).toEqual(['PM-3', 'PM-2', 'PM-1']);
      expect(await ids({ service: 'payments' })).toEqual(['PM-2', 'PM-1']);
      expect(await ids({ limit: 1 })).toEqual(['PM-3']);
      // due 48 h after creation: at 48.5 h only PM-1 is overdue
      expect(await ids({ overdueAt: at(48 * 3600 + 1800) })).toEqual(['PM-1']);
      await store.completePostMortem('PM-1', {
        at: at(100),
        by: '@alex',
        content: {},
        actionItems: [],
      });
      expect(await ids({ overdueAt: at(48 * 3600 + 1800) })).toEqual([]);
      expect(await ids({ open: true })).toEqual(['PM-3', 'PM-2']);
    });

    it('completes with content and action items in one go, and completing again replaces them', async (ctx) => {
      const store = await fresh(ctx);
      await store.createPostMortem(pm('PM-1', 'ro-1', 0));
      const content = { rootCause: 'missing certificate', whys: ['a', 'b'], nested: { n: 1.5 } };
      await store.completePostMortem('PM-1', {
        at: at(60),
        by: '@alex',
        content,
        actionItems: ITEMS,
      });
      expect(await store.getPostMortem('PM-1')).toEqual({
        ...pm('PM-1', 'ro-1', 0),
        completedAt: at(60),
        completedBy: '@alex',
        content,
      });
      expect((await store.listActionItems()).map((i) => [i.id, i.due])).toEqual([
        ['3', '2026-03-13'],
        ['1', '2026-03-16'],
        ['2', '2026-03-20'],
      ]);
      expect((await store.listActionItems())[1]).toEqual({
        ...ITEMS[0],
        postMortemId: 'PM-1',
        service: 'payments',
      });
      await store.completePostMortem('PM-1', {
        at: at(90),
        by: '@alex',
        content,
        actionItems: [ITEMS[1] as (typeof ITEMS)[number]],
      });
      expect((await store.listActionItems()).map((i) => i.id)).toEqual(['2']);
    });

    it('lists open and overdue action items', async (ctx) => {
      const store = await fresh(ctx);
      await store.createPostMortem(pm('PM-1', 'ro-1', 0));
      await store.createPostMortem(pm('PM-3', 'ro-3', 0, 'search'));
      await store.completePostMortem('PM-1', {
        at: at(60),
        by: '@alex',
        content: {},
        actionItems: ITEMS,
      });
      await store.completePostMortem('PM-3', {
        at: at(60),
        by: '@sam',
        content: {},
        actionItems: [
          { id: '1', action: 'Reindex', owner: '@sam', due: '2026-03-10', status: 'blocked' },
        ],
      });
      const ids = async (f?: Parameters<Both['listActionItems']>[0]) =>
        (await store.listActionItems(f)).map((i) => `${i.postMortemId}/${i.id}`);
      expect(await ids({ open: true })).toEqual(['PM-3/1', 'PM-1/1', 'PM-1/2']);
      expect(await ids({ overdueOn: '2026-03-17' })).toEqual(['PM-3/1', 'PM-1/1']);
      expect(await ids({ overdueOn: '2026-03-17', service: 'payments' })).toEqual(['PM-1/1']);
    });

    it('refuses an unknown post-mortem, duplicate item ids and bad dates without changing anything', async (ctx) => {
      const store = await fresh(ctx);
      await store.createPostMortem(pm('PM-1', 'ro-1', 0));
      const c = { at: at(1), by: '@a', content: {}, actionItems: ITEMS };
      expect((await rejection(store.completePostMortem('PM-404', c))).code).toBe('not_found');
      const dup = { ...c, actionItems: [ITEMS[0], ITEMS[0]] as typeof ITEMS };
      expect((await rejection(store.completePostMortem('PM-1', dup))).code).toBe('invalid_input');
      const bad = {
        ...c,
        actionItems: [{ ...(ITEMS[0] as (typeof ITEMS)[number]), due: '16/03/2026' }],
      };
      expect((await rejection(store.completePostMortem('PM-1', bad))).code).toBe('invalid_input');
      expect((await store.getPostMortem('PM-1'))?.completedAt).toBeUndefined();
      expect(await store.listActionItems()).toEqual([]);
    });
  });
}
