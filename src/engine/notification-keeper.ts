/**
 * Incidents and reminders (issue #9, ADR 0172): a reconciler that, on every pass, reads
 * the rollouts that rolled back and the open post-mortems, and makes the store agree with
 * them — the incident opened (`INC-<rolloutId>`), its escalation messages enqueued,
 * mitigated when the previous version is restored, resolved when the post-rollback
 * verification passes; the post-mortem and action-item reminders enqueued. Every write is
 * idempotent (stable outbox keys, times set once), so a controller killed at any point
 * does the rest on its next pass. It is also the outbox dispatcher's hooks: a delayed
 * message's condition, cancellations, dead letters and disabled channels.
 */
import { coerceError } from '../core/errors/rollgate-error.js';
import {
  type IncidentRecord,
  incidentFromHistory,
  incidentIdOf,
  verificationChecks,
} from '../core/incident/incident.js';
import {
  type EscalationConfig,
  incidentChangeMessages,
  incidentOpenedMessages,
} from '../core/notify/escalation.js';
import {
  type ConditionFacts,
  conditionHolds,
  type DeliveryCondition,
  routeMessage,
} from '../core/notify/notification-routing.js';
import { actionItemReminders, postMortemReminders } from '../core/notify/reminders.js';
import { type RolloutHistory, readRolloutHistory } from '../core/records/rollout-history.js';
import type { RolloutEventType } from '../core/rollout/rollout-events.js';
import { TransitionBuilder } from '../core/rollout/rollout-transition.js';
import type {
  NewOutboxMessage,
  OutboxMessage,
  RolloutState,
} from '../core/rollout/rollout-types.js';
import type { Clock } from '../ports/clock.js';
import type { IncidentStore } from '../ports/incident-store.js';
import type { PostMortemStore } from '../ports/post-mortem-store.js';
import type { Store } from '../ports/store.js';
import type { ServicePorts } from './engine-ports.js';
import type { OutboxHooks } from './outbox-dispatcher.js';

/** How long after resolution the keeper still records the first notification's time. */
const NOTIFIED_WATCH_MS = 3_600_000;
/** Rollouts whose incident the keeper looks after. */
const ROLLED_BACK: readonly RolloutState[] = ['rolling_back', 'rolled_back', 'failed'];
/** The engine drives these: the keeper writes no timeline event to them (yet). */
const DRIVEN: readonly RolloutState[] = ['pending', 'running', 'rolling_back'];

export interface NotificationKeeperDeps {
  store: Store;
  incidents: IncidentStore;
  postMortems?: PostMortemStore;
  clock: Clock;
  /** Channels, routes and escalation levels from the policy. */
  config: EscalationConfig;
  /** The checks of a service, for the post-rollback verification. */
  portsFor?: (target: { service: string; environment: string }) => Partial<ServicePorts>;
  postMortemDeadlineHours?: number;
  onError?: (error: Error, rolloutId?: string) => void;
}

export interface KeeperReport {
  opened: string[];
  mitigated: string[];
  resolved: string[];
}

export class NotificationKeeper implements OutboxHooks {
  /** Keys this process already enqueued (the store ignores duplicates anyway). */
  private readonly enqueued = new Set<string>();

  constructor(private readonly deps: NotificationKeeperDeps) {}

  private now(): string {
    return new Date(this.deps.clock.now()).toISOString();
  }

  private async enqueue(messages: readonly NewOutboxMessage[]): Promise<void> {
    const fresh = messages.filter((m) => !this.enqueued.has(m.idempotencyKey));
    if (fresh.length === 0) return;
    await this.deps.incidents.enqueueOutbox(fresh, this.now());
    for (const m of fresh) this.enqueued.add(m.idempotencyKey);
  }

  /** One reconciliation pass. Errors of one rollout are reported, not thrown. */
  async pass(signal?: AbortSignal): Promise<KeeperReport> {
    const report: KeeperReport = { opened: [], mitigated: [], resolved: [] };
    const { store, incidents } = this.deps;
    const rollouts = await store.listRollouts({ states: ROLLED_BACK, limit: 200 });
    for (const r of rollouts) {
      signal?.throwIfAborted();
      try {
        const known = await incidents.getIncident(incidentIdOf(r.id));
        if (known?.status === 'resolved' && !this.awaitsNotifiedTime(known)) continue;
        await this.reconcile(r.id, r.state, known, report, signal);
      } catch (err) {
        if (signal?.aborted) throw err;
        this.deps.onError?.(coerceError(err), r.id);
      }
    }
    try {
      await this.reminders();
    } catch (err) {
      this.deps.onError?.(coerceError(err));
    }
    return report;
  }

  private async reconcile(
    rolloutId: string,
    state: RolloutState,
    known: IncidentRecord | undefined,
    report: KeeperReport,
    signal?: AbortSignal,
  ): Promise<void> {
    const { incidents, config } = this.deps;
    const events = await this.deps.store.listEvents(rolloutId);
    const h = readRolloutHistory(events);
    const deliveries = (await incidents.listOutbox({ rolloutId, statuses: ['delivered'] })).flatMap(
      (m) =>
        m.deliveredAt
          ? [{ route: m.route, eventType: m.eventType, deliveredAt: m.deliveredAt }]
          : [],
    );
    const now = this.now();
    const computed = incidentFromHistory(h, deliveries, now, this.deps.postMortemDeadlineHours);
    if (computed === undefined) return;
    let incident = known;
    if (incident === undefined) {
      const pm = await this.deps.postMortems?.getPostMortemByRollout(rolloutId);
      const fresh = pm ? { ...computed, postMortemId: pm.id, postMortemDueAt: pm.dueAt } : computed;
      if (await incidents.openIncident({ ...fresh, status: 'open', data: fresh.data }))
        report.opened.push(fresh.id);
      incident = (await incidents.getIncident(fresh.id)) ?? fresh;
    }
    if (incident.status === 'open') await this.enqueue(incidentOpenedMessages(incident, config));
    const driven = DRIVEN.includes(state);
    if (!driven) await this.note(rolloutId, events, 'incident.opened', incident);
    if (computed.notifiedAt !== undefined && incident.notifiedAt === undefined) {
      incident = await incidents.updateIncident(incident.id, { notifiedAt: computed.notifiedAt });
    }
    if (incident.status === 'resolved') return;
    if (computed.mitigatedAt === undefined) return;
    if (incident.status === 'open') {
      const mitigated = {
        ...incident,
        status: 'mitigated' as const,
        mitigatedAt: computed.mitigatedAt,
      };
      await this.enqueue(
        incidentChangeMessages(mitigated, 'mitigated', computed.mitigatedAt, config),
      );
      await this.note(rolloutId, events, 'incident.mitigated', mitigated);
      incident = await incidents.updateIncident(incident.id, {
        status: 'mitigated',
        mitigatedAt: computed.mitigatedAt,
      });
      report.mitigated.push(incident.id);
    }
    const verified = await this.verify(h, incident, signal);
    if (verified === undefined) return;
    const resolved = { ...incident, status: 'resolved' as const, resolvedAt: verified.at };
    await this.enqueue(incidentChangeMessages(resolved, 'resolved', verified.at, config));
    await this.note(rolloutId, events, 'incident.resolved', resolved, verified.detail);
    await incidents.updateIncident(incident.id, {
      status: 'resolved',
      resolvedAt: verified.at,
      data: { verification: verified.detail },
    });
    report.resolved.push(incident.id);
  }

  /**
   * A resolved incident whose first notification may still be delivered (an incident can
   * resolve before its messages go out): looked at for an hour, then left alone.
   */
  private awaitsNotifiedTime(i: IncidentRecord): boolean {
    if (i.notifiedAt !== undefined || this.deps.config.channels.length === 0) return false;
    const resolved = Date.parse(i.resolvedAt ?? i.createdAt);
    return this.deps.clock.now() - resolved < NOTIFIED_WATCH_MS;
  }

  /**
   * The post-rollback verification: the plan's `verification` checks, run against the
   * restored version; without any, the restore itself (deployer ok, router at 0 %) is it.
   */
  private async verify(
    h: RolloutHistory,
    incident: IncidentRecord,
    signal?: AbortSignal,
  ): Promise<{ at: string; detail: Record<string, unknown> } | undefined> {
    const names = verificationChecks(h);
    if (names.length === 0 || this.deps.portsFor === undefined) {
      return {
        at: incident.mitigatedAt ?? this.now(),
        detail: {
          checks: [],
          note: 'no verification checks: the completed rollback is the verification',
        },
      };
    }
    const target = { service: incident.service, environment: incident.environment };
    const checks = this.deps.portsFor(target).checks ?? {};
    const results: { name: string; ok: boolean; message: string }[] = [];
    for (const name of names) {
      const check = checks[name];
      if (check === undefined) {
        results.push({ name, ok: false, message: 'not configured' });
        break;
      }
      try {
        const r = await check.run(
          {
            ...target,
            rolloutId: incident.rolloutId,
            version: incident.previousVersion,
            phase: 'verification',
          },
          signal ?? new AbortController().signal,
        );
        results.push({ name, ok: r.ok, message: r.message });
        if (!r.ok) break;
      } catch (err) {
        if (signal?.aborted) throw err;
        results.push({ name, ok: false, message: coerceError(err).message });
        break;
      }
    }
    const at = this.now();
    if (results.every((r) => r.ok) && results.length === names.length) {
      return { at, detail: { checks: results } };
    }
    await this.deps.incidents.updateIncident(incident.id, {
      data: { lastVerification: { at, checks: results } },
    });
    return undefined;
  }

  private async reminders(): Promise<void> {
    const pms = this.deps.postMortems;
    if (!pms) return;
    const open = await pms.listPostMortems({ open: true, limit: 200 });
    const rolloutOf = new Map<string, string>();
    for (const pm of open) {
      rolloutOf.set(pm.id, pm.rolloutId);
      await this.enqueue(postMortemReminders(pm, this.deps.config));
    }
    for (const item of await pms.listActionItems({ open: true })) {
      const rolloutId =
        rolloutOf.get(item.postMortemId) ??
        (await pms.getPostMortem(item.postMortemId))?.rolloutId ??
        null;
      await this.enqueue(actionItemReminders(item, rolloutId, this.deps.config));
    }
  }

  /** Appends one event to a rollout's timeline, unless it already has one of that type. */
  private async note(
    rolloutId: string,
    events: readonly { type: string }[] | undefined,
    type: RolloutEventType,
    incident: IncidentRecord,
    extra: Record<string, unknown> = {},
  ): Promise<void> {
    if (events?.some((e) => e.type === type)) return;
    const words: Record<string, string> = {
      'incident.opened': `incident ${incident.id} opened: ${incident.reason}`,
      'incident.mitigated': `incident ${incident.id} mitigated: ${incident.previousVersion} restored`,
      'incident.resolved': `incident ${incident.id} resolved: post-rollback verification passed`,
    };
    await this.append(rolloutId, type, words[type] ?? type, {
      incidentId: incident.id,
      status: incident.status,
      postMortemId: incident.postMortemId,
      ...extra,
    });
  }

  private async append(
    rolloutId: string,
    type: RolloutEventType,
    message: string,
    data: Record<string, unknown>,
  ): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const s = await this.deps.store.getRollout(rolloutId);
      if (s === undefined) return;
      const t = new TransitionBuilder(s, { at: this.now() }).add(type, message, data).build();
      try {
        await this.deps.store.commit({
          rolloutId,
          expected: { state: s.state, epoch: s.epoch },
          next: t.next,
          events: t.events,
        });
        return;
      } catch (err) {
        if (coerceError(err).code !== 'conflict') throw err;
      }
    }
  }

  // ---- the outbox dispatcher's hooks ----

  async stillDue(m: OutboxMessage): Promise<{ send: true } | { send: false; reason: string }> {
    const c = m.payload.condition as DeliveryCondition | undefined;
    if (c === undefined) return { send: true };
    const facts: ConditionFacts = {};
    switch (c.kind) {
      case 'rollout_state': {
        const r = await this.deps.store.getRollout(c.rolloutId);
        if (r) facts.rollout = { state: r.state, stepIndex: r.stepIndex };
        break;
      }
      case 'incident_open': {
        const i = await this.deps.incidents.getIncident(c.incidentId);
        if (i) facts.incident = { status: i.status };
        break;
      }
      case 'postmortem_open': {
        const pm = await this.deps.postMortems?.getPostMortem(c.postMortemId);
        if (pm) facts.postMortem = pm.completedAt ? { completedAt: pm.completedAt } : {};
        break;
      }
      case 'action_item_open': {
        const items = (await this.deps.postMortems?.listActionItems({})) ?? [];
        const a = items.find((x) => x.postMortemId === c.postMortemId && x.id === c.itemId);
        if (a) facts.actionItem = { status: a.status, due: a.due };
        break;
      }
    }
    const held = conditionHolds(c, facts);
    return held.holds ? { send: true } : { send: false, reason: held.reason };
  }

  cancel(m: OutboxMessage, reason: string, at: string): Promise<void> {
    return this.deps.incidents.cancelOutbox(m.id, at, reason);
  }

  async disabledChannels(): Promise<ReadonlySet<string>> {
    return new Set((await this.deps.incidents.disabledChannels()).map((d) => d.channel));
  }

  /** A 410: the channel is off until the policy changes; the timeline and the others hear it. */
  async disableChannel(m: OutboxMessage, reason: string, at: string): Promise<void> {
    if (!(await this.deps.incidents.disableChannel(m.route, at, reason))) return;
    const message = `notification channel "${m.route}" disabled: ${reason}`;
    if (m.rolloutId !== null) {
      await this.append(m.rolloutId, 'notification.channel_disabled', message, {
        channel: m.route,
        reason,
      });
    }
    const others = {
      ...this.deps.config,
      channels: this.deps.config.channels.filter((c) => c !== m.route),
      routes: this.deps.config.routes.map((r) => ({
        ...r,
        channels: r.channels.filter((c) => c !== m.route),
      })),
    };
    await this.enqueue(
      routeMessage(
        {
          idempotencyKey: `channel:${m.route}:disabled:${at}`,
          rolloutId: m.rolloutId,
          route: '',
          eventType: 'notification.channel_disabled',
          payload: {
            ...m.payload,
            channel: m.route,
            at,
            message,
            reason: message,
            condition: undefined,
          },
        },
        others,
      ),
    );
  }

  async onDead(m: OutboxMessage, error: string): Promise<void> {
    if (m.rolloutId === null) return;
    await this.append(
      m.rolloutId,
      'notification.dead',
      `notification ${m.eventType} to "${m.route}" was not delivered: ${error}`,
      { channel: m.route, eventType: m.eventType, idempotencyKey: m.idempotencyKey, error },
    );
  }

  /** Pass every `intervalMs` until the signal aborts. */
  async run(signal: AbortSignal, intervalMs = 2_000): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.pass(signal);
      } catch (err) {
        if (signal.aborted) break;
        this.deps.onError?.(coerceError(err));
      }
      try {
        await this.deps.clock.sleep(intervalMs, signal);
      } catch {
        break;
      }
    }
  }
}
