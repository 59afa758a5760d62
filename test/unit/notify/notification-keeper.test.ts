import { describe, expect, it } from 'vitest';
import type { EscalationConfig } from '../../../src/core/notify/escalation.js';
import { routeNotifications } from '../../../src/core/notify/notification-routing.js';
import type { ResolvedPlan } from '../../../src/core/plan/plan-types.js';
import { rebuildSnapshot } from '../../../src/core/rollout/rollout-reducer.js';
import { NotificationKeeper } from '../../../src/engine/notification-keeper.js';
import { OutboxDispatcher } from '../../../src/engine/outbox-dispatcher.js';
import type { DeliveryOutcome, Notifier } from '../../../src/ports/notifier.js';
import { EngineHarness } from '../../fakes/engine-harness.js';
import { FakeCheck } from '../../fakes/fake-check.js';
import { FakeNotifier } from '../../fakes/fake-notifier.js';
import { FakeRouter } from '../../fakes/fake-router.js';
import { ManualClock, runUntil } from '../../fakes/manual-clock.js';
import { MemoryIncidentStore } from '../../fakes/memory-incident-store.js';
import { minorPlan, release } from '../../fakes/plans.js';

const MIN = 60_000;

const CONFIG: EscalationConfig = {
  channels: ['releases', 'oncall', 'leaders'],
  routes: [
    { events: ['rollout.*', 'incident.opened', 'incident.resolved'], channels: ['releases'] },
  ],
  // seed 003: L1 at once, L2 after 5 min, L3 after 15 min
  escalation: {
    releases: { after: 0, channels: ['releases'] },
    'on-call': { after: 300, channels: ['oncall'] },
    leadership: { after: 900, channels: ['leaders'] },
  },
};

function setup(verification?: FakeCheck) {
  const clock = new ManualClock();
  const store = new MemoryIncidentStore();
  const h = new EngineHarness(
    { routeOutbox: (m) => routeNotifications(m, CONFIG) },
    { clock, store, router: new FakeRouter() },
  );
  const keeper = new NotificationKeeper({
    store,
    incidents: store,
    clock,
    config: CONFIG,
    ...(verification ? { portsFor: () => ({ checks: { verify: verification } }) } : {}),
  });
  const notifiers = {
    releases: new FakeNotifier('releases'),
    oncall: new FakeNotifier('oncall'),
    leaders: new FakeNotifier('leaders'),
  };
  const dispatcher = new OutboxDispatcher({ store, clock, notifiers, hooks: keeper });
  /** What the controller's loops do at one instant: reconcile, then deliver what is due. */
  const tick = async () => {
    await keeper.pass();
    return dispatcher.deliverDue();
  };
  const types = (n: FakeNotifier) => n.delivered.map((m) => m.eventType);
  return { clock, store, h, keeper, notifiers, dispatcher, tick, types };
}

async function rolledBackAtCanary(t: ReturnType<typeof setup>, failRollback: boolean) {
  const { id } = await t.h.start(release('minor'), minorPlan());
  await runUntil(t.clock, () => t.store.peek(id)?.steps[3]?.state === 'running');
  if (failRollback) t.h.deployer.failNext('rollback', 5);
  t.h.judge.script('rollback');
  await t.h.until(id);
  return id;
}

describe('escalation on a virtual clock (engine + keeper + dispatcher)', () => {
  it('a failed rollback stays open: on-call is paged at 5 min, leadership told at 15 min', async () => {
    const t = setup();
    const id = await rolledBackAtCanary(t, true);
    expect((await t.h.state(id)).state).toBe('failed');
    await t.tick();
    const inc = await t.store.getIncident(`INC-${id}`);
    expect(inc?.status).toBe('open');
    expect(t.types(t.notifiers.releases)).toContain('incident.opened');
    expect(t.types(t.notifiers.releases)).toContain('rollout.failed');
    expect(t.notifiers.oncall.delivered).toEqual([]);
    const opened = Date.parse(String(inc?.data.rollbackStartedAt));

    t.clock.advanceTo(opened + 5 * MIN - 1);
    await t.tick();
    expect(t.notifiers.oncall.delivered).toEqual([]);
    t.clock.advanceTo(opened + 5 * MIN);
    await t.tick();
    expect(t.types(t.notifiers.oncall)).toEqual(['incident.escalated']);
    expect(t.notifiers.oncall.delivered[0]?.payload).toMatchObject({
      incidentId: `INC-${id}`,
      level: 'on-call',
      afterSeconds: 300,
    });
    expect(t.notifiers.leaders.delivered).toEqual([]);

    t.clock.advanceTo(opened + 15 * MIN);
    await t.tick();
    expect(t.types(t.notifiers.leaders)).toEqual(['incident.escalated']);
    // later passes send nothing twice
    t.clock.advanceTo(opened + 60 * MIN);
    await t.tick();
    expect(t.notifiers.oncall.delivered).toHaveLength(1);
    expect(t.notifiers.leaders.delivered).toHaveLength(1);
  });

  it('a rollback that restores the old version cancels L2 and L3 before they are due', async () => {
    const t = setup();
    const id = await rolledBackAtCanary(t, false);
    expect((await t.h.state(id)).state).toBe('rolled_back');
    await t.tick();
    const inc = await t.store.getIncident(`INC-${id}`);
    // no verification checks in the plan: the completed rollback is the verification
    expect(inc?.status).toBe('resolved');
    expect(inc?.mitigatedAt).toBe(inc?.resolvedAt);
    expect(t.types(t.notifiers.releases)).toEqual(
      expect.arrayContaining(['rollout.rolled_back', 'incident.opened', 'incident.resolved']),
    );
    t.clock.advance(20 * MIN);
    const report = await t.tick();
    expect(report.cancelled).toBe(2);
    expect(t.notifiers.oncall.delivered).toEqual([]);
    expect(t.notifiers.leaders.delivered).toEqual([]);
    const cancelled = (await t.store.listOutbox({ rolloutId: id })).filter(
      (m) => m.status === 'cancelled',
    );
    expect(cancelled.map((m) => m.route).sort()).toEqual(['leaders', 'oncall']);
    expect(cancelled[0]?.lastError).toMatch(/incident INC-.* is resolved/);
    // the timeline says what happened to the incident, once each, and still folds into
    // the stored snapshot
    await t.tick();
    const types = t.h.types(id);
    for (const type of ['incident.opened', 'incident.mitigated', 'incident.resolved']) {
      expect(types.filter((x) => x === type)).toHaveLength(1);
    }
    expect(rebuildSnapshot(t.h.events(id))).toEqual(await t.h.state(id));
  });

  it('resolves only once the post-rollback verification passes (mitigated meanwhile)', async () => {
    const plan = minorPlan();
    const withVerification: ResolvedPlan = {
      ...plan,
      steps: [
        ...plan.steps,
        { kind: 'checks', name: 'verification', phase: 'verification', checks: ['verify'] },
      ],
    };
    const verify = new FakeCheck('verify', [false, true]);
    const t = setup(verify);
    const { id } = await t.h.start(release('minor'), withVerification);
    await runUntil(t.clock, () => t.store.peek(id)?.steps[3]?.state === 'running');
    t.h.judge.script('rollback');
    await t.h.until(id);
    await t.tick();
    let inc = await t.store.getIncident(`INC-${id}`);
    expect(inc?.status).toBe('mitigated');
    expect(verify.runs[0]).toMatchObject({ version: 'v2.0.0', phase: 'verification' });
    expect(t.types(t.notifiers.releases)).not.toContain('incident.resolved');
    t.clock.advance(MIN);
    await t.tick();
    inc = await t.store.getIncident(`INC-${id}`);
    expect(inc?.status).toBe('resolved');
    expect(Date.parse(inc?.resolvedAt ?? '')).toBeGreaterThan(Date.parse(inc?.mitigatedAt ?? ''));
    expect(t.types(t.notifiers.releases)).toContain('incident.resolved');
    // mitigated before 5 min: nobody was paged
    t.clock.advance(30 * MIN);
    await t.tick();
    expect(t.notifiers.oncall.delivered).toEqual([]);
  });

  it('a 410 disables the channel: later messages to it go dead at once, with a timeline event', async () => {
    const t = setup();
    const gone: Notifier = {
      name: 'releases',
      async deliver(): Promise<DeliveryOutcome> {
        return { ok: false, retryable: false, disableEndpoint: true, error: 'HTTP 410 gone' };
      },
    };
    const dispatcher = new OutboxDispatcher({
      store: t.store,
      clock: t.clock,
      notifiers: { ...t.notifiers, releases: gone },
      hooks: t.keeper,
    });
    const id = await rolledBackAtCanary(t, false);
    await t.keeper.pass();
    await dispatcher.deliverDue();
    expect((await t.store.disabledChannels()).map((d) => d.channel)).toEqual(['releases']);
    expect(t.h.types(id)).toContain('notification.channel_disabled');
    expect(t.h.types(id)).toContain('notification.dead');
    const dead = await t.store.listOutbox({ rolloutId: id, statuses: ['dead'] });
    expect(dead.length).toBeGreaterThan(1);
    expect(dead.slice(1).every((m) => m.lastError?.includes('disabled'))).toBe(true);
  });
});
