import { describe, expect, it } from 'vitest';
import { Engine } from '../../../src/engine/engine.js';
import { EngineHarness } from '../../fakes/engine-harness.js';
import { FakeRouter } from '../../fakes/fake-router.js';
import { runUntil } from '../../fakes/manual-clock.js';
import { patchPlan, release } from '../../fakes/plans.js';

describe('ports per service', () => {
  it('uses the ports portsFor returns, and the defaults for the rest', async () => {
    const h = new EngineHarness();
    const billingRouter = new FakeRouter();
    h.engine = new Engine(
      {
        store: h.store,
        clock: h.clock,
        router: h.router,
        deployer: h.deployer,
        metrics: h.metrics,
        judge: h.judge,
        checks: h.checks,
        portsFor: (t) => (t.service === 'billing' ? { router: billingRouter } : {}),
      },
      { newId: () => `ro-${h.store.rolloutCount() + 1}` },
    );
    const p = await h.start(release('patch'), patchPlan());
    const b = await h.start(
      { ...release('patch'), id: 'rel-b', service: 'billing' },
      { ...patchPlan(), service: 'billing' },
    );
    await runUntil(h.clock, () =>
      [p.id, b.id].every((id) => h.store.peek(id)!.state === 'completed'),
    );
    expect(h.router.weights.get('payments/production')).toBe(100);
    expect(h.router.weights.has('billing/production')).toBe(false);
    expect(billingRouter.weights.get('billing/production')).toBe(100);
    // the shared deployer served both
    expect(new Set(h.deployer.calls.map((c) => c.request.service))).toEqual(
      new Set(['payments', 'billing']),
    );
  });
});
