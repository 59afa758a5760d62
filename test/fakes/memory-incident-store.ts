import { randomUUID } from 'node:crypto';
import { RollgateError } from '../../src/core/errors/rollgate-error.js';
import { type IncidentRecord, laterStatus } from '../../src/core/incident/incident.js';
import type { NewOutboxMessage, OutboxMessage } from '../../src/core/rollout/rollout-types.js';
import type {
  DisabledChannel,
  IncidentFilter,
  IncidentStore,
  IncidentUpdate,
  OutboxFilter,
} from '../../src/ports/incident-store.js';
import { MemoryStore, type MemoryStoreData, memoryStoreData } from './memory-store.js';

const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** The memory store with incidents (for unit tests of the notification keeper). */
export class MemoryIncidentStore extends MemoryStore implements IncidentStore {
  private readonly incidents = new Map<string, IncidentRecord>();
  private readonly disabled: DisabledChannel[] = [];

  constructor(private readonly shared: MemoryStoreData = memoryStoreData()) {
    super(shared);
  }

  async openIncident(i: IncidentRecord): Promise<boolean> {
    if (this.incidents.has(i.id)) return false;
    if (!this.shared.rollouts.has(i.rolloutId)) {
      throw new RollgateError('not_found', `openIncident: no rollout ${i.rolloutId}`);
    }
    this.incidents.set(i.id, copy(i));
    return true;
  }

  async getIncident(id: string): Promise<IncidentRecord | undefined> {
    const i = this.incidents.get(id);
    return i ? copy(i) : undefined;
  }

  async listIncidents(filter: IncidentFilter = {}): Promise<IncidentRecord[]> {
    return copy(
      [...this.incidents.values()]
        .filter((i) => filter.service === undefined || i.service === filter.service)
        .filter((i) => filter.statuses === undefined || filter.statuses.includes(i.status))
        .sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1))
        .slice(0, filter.limit ?? 100),
    );
  }

  async updateIncident(id: string, u: IncidentUpdate): Promise<IncidentRecord> {
    const i = this.incidents.get(id);
    if (!i) throw new RollgateError('not_found', `incident ${id} not found`);
    if (u.status) i.status = laterStatus(i.status, u.status);
    i.notifiedAt ??= u.notifiedAt;
    i.mitigatedAt ??= u.mitigatedAt;
    i.resolvedAt ??= u.resolvedAt;
    for (const k of ['notifiedAt', 'mitigatedAt', 'resolvedAt'] as const) {
      if (i[k] === undefined) delete i[k];
    }
    i.data = { ...i.data, ...(u.data ?? {}) };
    return copy(i);
  }

  async enqueueOutbox(messages: readonly NewOutboxMessage[], at: string): Promise<void> {
    for (const m of messages) {
      if (this.shared.outboxKeys.has(m.idempotencyKey)) continue;
      this.shared.outboxKeys.add(m.idempotencyKey);
      this.shared.outbox.push({
        id: randomUUID(),
        idempotencyKey: m.idempotencyKey,
        rolloutId: m.rolloutId,
        route: m.route,
        eventType: m.eventType,
        payload: copy(m.payload),
        status: 'pending',
        attempts: 0,
        nextAttemptAt: m.notBefore ?? at,
        createdAt: at,
      });
    }
  }

  async cancelOutbox(id: string, _at: string, reason: string): Promise<void> {
    const m = this.shared.outbox.find((x) => x.id === id);
    if (!m) throw new RollgateError('not_found', `outbox message ${id} does not exist`);
    if (m.status !== 'pending') return;
    m.status = 'cancelled';
    m.lastError = `cancelled: ${reason}`;
  }

  async listOutbox(filter: OutboxFilter = {}): Promise<OutboxMessage[]> {
    return copy(
      this.shared.outbox
        .filter((m) => filter.rolloutId === undefined || m.rolloutId === filter.rolloutId)
        .filter((m) => filter.statuses === undefined || filter.statuses.includes(m.status)),
    );
  }

  async disableChannel(channel: string, at: string, reason: string): Promise<boolean> {
    if (this.disabled.some((d) => d.channel === channel)) return false;
    this.disabled.push({ channel, at, reason });
    return true;
  }

  async disabledChannels(): Promise<DisabledChannel[]> {
    return copy(this.disabled);
  }
}
