import { describe, expect, it, type TestContext } from 'vitest';
import { RollgateError } from '../../src/core/errors/rollgate-error.js';
import type { IncidentRecord } from '../../src/core/incident/incident.js';
import type { IncidentStore } from '../../src/ports/incident-store.js';
import type { Store } from '../../src/ports/store.js';
import type { StoreTarget } from './store-contract.js';
import { at } from './store-fixtures.js';
import { freshStore, ROLLED_BACK } from './store-harness.js';

type Both = Store & IncidentStore;

const incident = (rolloutId: string, seconds: number, service = 'payments'): IncidentRecord => ({
  id: `INC-${rolloutId}`,
  rolloutId,
  releaseId: `rel-${rolloutId}`,
  service,
  environment: 'production',
  version: 'v2.1.0',
  previousVersion: 'v2.0.3',
  status: 'open',
  reason: 'error rate 3.1 % > 1 % above baseline',
  trigger: 'judge',
  startedAt: at(seconds),
  detectedAt: at(seconds + 60),
  postMortemId: `PM-${rolloutId}`,
  postMortemDueAt: at(seconds + 48 * 3600),
  createdAt: at(seconds + 61),
  data: { detectedBy: 'judge rollback', rollbackStartedAt: at(seconds + 61) },
});

const message = (key: string, extra: Record<string, unknown> = {}) => ({
  idempotencyKey: key,
  rolloutId: 'ro-1',
  route: 'slack',
  eventType: 'incident.opened',
  payload: { incidentId: 'INC-ro-1', ...extra },
});

/** Incidents, the outbox's admin side and disabled channels, on every SQL backend. */
export function incidentStoreContract(name: string, target: StoreTarget): void {
  const fresh = (ctx: TestContext) => freshStore<Both>(ctx, target, ROLLED_BACK);

  describe(`IncidentStore contract: ${name}`, () => {
    it('opens an incident once per id; a second open is a no-op that keeps the first', async (ctx) => {
      const store = await fresh(ctx);
      expect(await store.openIncident(incident('ro-1', 0))).toBe(true);
      expect(await store.openIncident({ ...incident('ro-1', 0), reason: 'other' })).toBe(false);
      expect(await store.getIncident('INC-ro-1')).toEqual(incident('ro-1', 0));
      expect(await store.getIncident('INC-nope')).toBeUndefined();
      const err = await store.openIncident(incident('ro-missing', 0)).catch((e) => e);
      expect(err).toBeInstanceOf(RollgateError);
      expect((err as RollgateError).code).toBe('not_found');
    });

    it('lists newest first, by service and status', async (ctx) => {
      const store = await fresh(ctx);
      await store.openIncident(incident('ro-1', 0));
      await store.openIncident(incident('ro-2', 100));
      await store.openIncident(incident('ro-3', 200, 'search'));
      await store.updateIncident('INC-ro-2', { status: 'resolved', resolvedAt: at(500) });
      const ids = (xs: IncidentRecord[]) => xs.map((x) => x.id);
      expect(ids(await store.listIncidents())).toEqual(['INC-ro-3', 'INC-ro-2', 'INC-ro-1']);
      expect(ids(await store.listIncidents({ service: 'payments' }))).toEqual([
        'INC-ro-2',
        'INC-ro-1',
      ]);
      expect(ids(await store.listIncidents({ statuses: ['open', 'mitigated'] }))).toEqual([
        'INC-ro-3',
        'INC-ro-1',
      ]);
      expect(ids(await store.listIncidents({ limit: 1 }))).toEqual(['INC-ro-3']);
    });

    it('sets each time once and moves the status forward only', async (ctx) => {
      const store = await fresh(ctx);
      await store.openIncident(incident('ro-1', 0));
      let i = await store.updateIncident('INC-ro-1', { notifiedAt: at(70) });
      expect(i.notifiedAt).toBe(at(70));
      i = await store.updateIncident('INC-ro-1', { notifiedAt: at(90) });
      expect(i.notifiedAt).toBe(at(70));
      i = await store.updateIncident('INC-ro-1', { status: 'mitigated', mitigatedAt: at(80) });
      expect([i.status, i.mitigatedAt]).toEqual(['mitigated', at(80)]);
      i = await store.updateIncident('INC-ro-1', { status: 'open' });
      expect(i.status).toBe('mitigated');
      i = await store.updateIncident('INC-ro-1', {
        status: 'resolved',
        resolvedAt: at(120),
        data: { verification: { checks: [] } },
      });
      expect(i).toMatchObject({ status: 'resolved', resolvedAt: at(120) });
      expect(i.data).toEqual({
        detectedBy: 'judge rollback',
        rollbackStartedAt: at(61),
        verification: { checks: [] },
      });
      expect(await store.getIncident('INC-ro-1')).toEqual(i);
      const missing = await store.updateIncident('INC-x', { notifiedAt: at(1) }).catch((e) => e);
      expect((missing as RollgateError).code).toBe('not_found');
    });

    it('enqueues delayed messages once per key; they fall due at notBefore', async (ctx) => {
      const store = await fresh(ctx);
      await store.enqueueOutbox([message('k1'), { ...message('k2'), notBefore: at(300) }], at(0));
      await store.enqueueOutbox([message('k1', { other: true })], at(10));
      expect((await store.dueOutbox(at(1), 10)).map((m) => m.idempotencyKey)).toEqual(['k1']);
      const later = await store.dueOutbox(at(300), 10);
      expect(later.map((m) => m.idempotencyKey)).toEqual(['k1', 'k2']);
      expect(later[0]?.payload).toEqual({ incidentId: 'INC-ro-1' });
      expect(later[1]?.nextAttemptAt).toBe(at(300));
    });

    it('cancels a pending message: never due again, listed as cancelled, not as dead', async (ctx) => {
      const store = await fresh(ctx);
      await store.enqueueOutbox(
        [{ ...message('k1'), notBefore: at(300) }, message('k2'), message('k3')],
        at(0),
      );
      const [k2, k3] = await store.dueOutbox(at(1), 10);
      await store.markAttemptFailed(k3?.id as string, 'HTTP 400', at(2), true);
      const k1 = (await store.listOutbox({ rolloutId: 'ro-1' })).find(
        (m) => m.idempotencyKey === 'k1',
      );
      await store.cancelOutbox(k1?.id as string, at(301), 'incident INC-ro-1 is resolved');
      await store.cancelOutbox(k1?.id as string, at(302), 'again: no-op');
      expect(await store.dueOutbox(at(400), 10)).toEqual([k2]);
      const all = await store.listOutbox({ rolloutId: 'ro-1' });
      expect(all.map((m) => [m.idempotencyKey, m.status])).toEqual([
        ['k1', 'cancelled'],
        ['k2', 'pending'],
        ['k3', 'dead'],
      ]);
      expect(all[0]?.lastError).toBe('cancelled: incident INC-ro-1 is resolved');
      expect((await store.listOutbox({ statuses: ['dead'] })).map((m) => m.idempotencyKey)).toEqual(
        ['k3'],
      );
      expect(await store.listOutbox({ rolloutId: 'ro-2' })).toEqual([]);
      const err = await store.cancelOutbox('nope', at(1), 'x').catch((e) => e);
      expect((err as RollgateError).code).toBe('not_found');
    });

    it('disables a channel once and lists it', async (ctx) => {
      const store = await fresh(ctx);
      expect(await store.disabledChannels()).toEqual([]);
      expect(await store.disableChannel('slack', at(5), 'HTTP 410')).toBe(true);
      expect(await store.disableChannel('slack', at(9), 'again')).toBe(false);
      expect(await store.disabledChannels()).toEqual([
        { channel: 'slack', at: at(5), reason: 'HTTP 410' },
      ]);
    });
  });
}
