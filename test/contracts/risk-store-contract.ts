import { describe, expect, it, type TestContext } from 'vitest';
import type { PostMortemStore } from '../../src/ports/post-mortem-store.js';
import type { RiskStore } from '../../src/ports/risk-store.js';
import type { Store } from '../../src/ports/store.js';
import type { StoreTarget } from './store-contract.js';
import { at, event, snapshot } from './store-fixtures.js';
import { freshStore, rejection } from './store-harness.js';

type All = Store & PostMortemStore & RiskStore;

const by = (seconds: number, actor = '@alex') => ({ at: at(seconds), actor });

const gateway = {
  title: 'Payment gateway certificate expires unnoticed',
  likelihood: 'medium' as const,
  impact: 'high' as const,
  owner: '@sre',
  services: ['payments', 'checkout'],
};

/** The risk register, forensics and the rollback reaction's work list, on every SQL backend. */
export function riskStoreContract(name: string, target: StoreTarget): void {
  const fresh = (ctx: TestContext) => freshStore<All>(ctx, target);

  describe(`RiskStore contract: ${name}`, () => {
    it('adds risks with the next RISK-<n>, defaults and a created entry; refuses a taken id', async (ctx) => {
      const store = await fresh(ctx);
      const a = await store.createRisk(gateway, by(0));
      expect(a).toMatchObject({
        id: 'RISK-1',
        status: 'open',
        services: ['checkout', 'payments'],
        // medium × high = 6: first review in 7 days
        reviewOn: '2026-01-08',
        createdAt: at(0),
      });
      expect(a.history).toEqual([
        expect.objectContaining({ kind: 'created', actor: '@alex', at: at(0) }),
      ]);
      const b = await store.createRisk(
        {
          ...gateway,
          title: 'Search index drift',
          likelihood: 'low',
          impact: 'low',
          services: ['search'],
        },
        by(10),
      );
      expect(b.id).toBe('RISK-2');
      expect(b.reviewOn).toBe('2026-04-01');
      const c = await store.createRisk({ ...gateway, id: 'DB-7' }, by(20));
      expect(c.id).toBe('DB-7');
      expect((await rejection(store.createRisk({ ...gateway, id: 'DB-7' }, by(30)))).code).toBe(
        'conflict',
      );
      expect(await store.getRisk('RISK-1')).toEqual(a);
      expect(await store.getRisk('RISK-404')).toBeUndefined();
    });

    it('refuses bad input with what, where and what to do', async (ctx) => {
      const store = await fresh(ctx);
      const bad = async (p: Promise<unknown>, text: string) => {
        const e = await rejection(p);
        expect(e.code).toBe('invalid_input');
        expect(e.message).toContain(text);
        expect(e.hint).toBeTruthy();
      };
      await bad(
        store.createRisk({ ...gateway, likelihood: 'huge' as 'high' }, by(0)),
        'likelihood "huge" is not one of low, medium, high',
      );
      await bad(
        store.createRisk({ ...gateway, owner: 'sre' }, by(0)),
        'owner "sre" is not an @name',
      );
      await bad(
        store.createRisk({ ...gateway, services: [] }, by(0)),
        'at least one linked service',
      );
      await bad(store.createRisk({ ...gateway, reviewOn: '31/12/2026' }, by(0)), 'is not a date');
      await store.createRisk(gateway, by(0));
      await bad(store.updateRisk('RISK-1', {}, by(1)), 'nothing to change');
      await bad(
        store.updateRisk('RISK-1', { status: 'done' as 'closed' }, by(1)),
        'status "done" is not one of open, mitigating, accepted, closed',
      );
      expect((await rejection(store.updateRisk('RISK-9', { status: 'closed' }, by(1)))).code).toBe(
        'not_found',
      );
      expect(await store.listRisks()).toHaveLength(1);
    });

    it('updates in one transaction with the changes in the history', async (ctx) => {
      const store = await fresh(ctx);
      await store.createRisk(gateway, by(0));
      const r = await store.updateRisk(
        'RISK-1',
        { status: 'mitigating', likelihood: 'low', services: ['payments'] },
        by(60, '@dana'),
      );
      expect(r).toMatchObject({ status: 'mitigating', likelihood: 'low', services: ['payments'] });
      expect(r.updatedAt).toBe(at(60));
      expect(r.history.at(-1)).toMatchObject({
        kind: 'updated',
        actor: '@dana',
        changes: {
          status: ['open', 'mitigating'],
          likelihood: ['medium', 'low'],
          services: [['checkout', 'payments'], ['payments']],
        },
      });
      // the same values again change nothing and add no entry
      const same = await store.updateRisk('RISK-1', { status: 'mitigating' }, by(70));
      expect(same.history).toHaveLength(2);
    });

    it('lists highest score first, by service and status', async (ctx) => {
      const store = await fresh(ctx);
      await store.createRisk({ ...gateway, likelihood: 'low', impact: 'low' }, by(0));
      await store.createRisk(
        { ...gateway, likelihood: 'high', impact: 'high', services: ['search'] },
        by(1),
      );
      await store.createRisk(gateway, by(2));
      const ids = async (f?: Parameters<All['listRisks']>[0]) =>
        (await store.listRisks(f)).map((r) => r.id);
      expect(await ids()).toEqual(['RISK-2', 'RISK-3', 'RISK-1']);
      expect(await ids({ service: 'payments' })).toEqual(['RISK-3', 'RISK-1']);
      expect(await ids({ service: 'nope' })).toEqual([]);
      await store.updateRisk('RISK-3', { status: 'closed' }, by(3));
      expect(await ids({ status: 'closed' })).toEqual(['RISK-3']);
    });

    it('a rollback adds one entry per linked open risk and brings its review forward, once', async (ctx) => {
      const store = await fresh(ctx);
      await store.createRisk({ ...gateway, likelihood: 'low', impact: 'low' }, by(0)); // review 2026-04-01
      await store.createRisk({ ...gateway, reviewOn: '2026-01-05' }, by(0)); // already sooner
      await store.createRisk({ ...gateway, services: ['search'] }, by(0)); // not linked
      await store.createRisk(gateway, by(0));
      await store.updateRisk('RISK-4', { status: 'closed' }, by(1)); // closed: left alone
      const rb = {
        rolloutId: 'ro-9',
        service: 'payments',
        at: at(3600),
        text: 'payments v2.5.0 rolled back to v2.4.0',
        reviewBy: '2026-01-08',
      };
      expect(await store.recordRollback(rb)).toEqual(['RISK-1', 'RISK-2']);
      const r1 = (await store.getRisk('RISK-1'))!;
      expect(r1.reviewOn).toBe('2026-01-08');
      expect(r1.history.at(-1)).toMatchObject({
        kind: 'rollback',
        actor: 'rollgate',
        rolloutId: 'ro-9',
        changes: { reviewOn: ['2026-04-01', '2026-01-08'] },
      });
      expect(r1.history.at(-1)?.text).toContain(
        'review brought forward from 2026-04-01 to 2026-01-08',
      );
      const r2 = (await store.getRisk('RISK-2'))!;
      expect(r2.reviewOn).toBe('2026-01-05');
      expect(r2.history.at(-1)).toMatchObject({ kind: 'rollback', rolloutId: 'ro-9' });
      expect((await store.getRisk('RISK-3'))?.history).toHaveLength(1);
      expect((await store.getRisk('RISK-4'))?.history).toHaveLength(2);
      // the same rollout again (a retried reaction): nothing more
      expect(await store.recordRollback(rb)).toEqual([]);
      expect((await store.getRisk('RISK-1'))?.history).toHaveLength(2);
    });

    it('keeps the first forensics capture of a rollout and lists rollbacks still without a post-mortem', async (ctx) => {
      const store = await fresh(ctx);
      for (const [id, state, s] of [
        ['ro-1', 'rolled_back', 10],
        ['ro-2', 'completed', 20],
        ['ro-3', 'rolled_back', 30],
      ] as const) {
        await store.createRollout(
          snapshot(id, { state, lastSeq: 1, updatedAt: at(s), environment: id }),
          [event('rollout.created')],
        );
      }
      expect(await store.listRollbacksWithoutPostMortem(10)).toEqual(['ro-1', 'ro-3']);
      expect(await store.listRollbacksWithoutPostMortem(1)).toEqual(['ro-1']);
      await store.createPostMortem({
        id: 'PM-ro-1',
        rolloutId: 'ro-1',
        service: 'payments',
        environment: 'production',
        failedVersion: 'v2',
        restoredVersion: 'v1',
        createdAt: at(40),
        dueAt: at(40 + 48 * 3600),
      });
      expect(await store.listRollbacksWithoutPostMortem(10)).toEqual(['ro-3']);

      const bundle = { format: 'rollgate.forensics/v1', served: { newVersion: { requests: 7 } } };
      expect(await store.saveForensics({ rolloutId: 'ro-3', capturedAt: at(50), bundle })).toBe(
        true,
      );
      expect(
        await store.saveForensics({ rolloutId: 'ro-3', capturedAt: at(60), bundle: { other: 1 } }),
      ).toBe(false);
      expect(await store.getForensics('ro-3')).toEqual({
        rolloutId: 'ro-3',
        capturedAt: at(50),
        bundle,
      });
      expect(await store.getForensics('ro-1')).toBeUndefined();
      expect(
        (await rejection(store.saveForensics({ rolloutId: 'ro-404', capturedAt: at(1), bundle })))
          .code,
      ).toBe('not_found');
    });
  });
}
