import type { IncidentRecord, IncidentStatus } from '../core/incident/incident.js';
import type { NewOutboxMessage, OutboxMessage } from '../core/rollout/rollout-types.js';

/**
 * Incidents and the outbox's admin side (issue #9), next to the Store port: the SQL store
 * (SQLite, PostgreSQL; migration 4) implements it; a separate interface so the Store's
 * other implementations need not change. Contract: test/contracts/incident-store-contract.ts.
 */
export interface IncidentFilter {
  service?: string;
  /** Only these statuses. */
  statuses?: readonly IncidentStatus[];
  limit?: number;
}

export interface IncidentUpdate {
  /** Moves forward only (open → mitigated → resolved); a step back is ignored. */
  status?: IncidentStatus;
  notifiedAt?: string;
  mitigatedAt?: string;
  resolvedAt?: string;
  /** Facts that change while the incident is open (verification attempts, …). */
  data?: Record<string, unknown>;
}

export interface OutboxFilter {
  rolloutId?: string;
  statuses?: readonly OutboxMessage['status'][];
  limit?: number;
}

export interface DisabledChannel {
  channel: string;
  at: string;
  reason: string;
}

export interface IncidentStore {
  /** Insert the incident unless its id exists; true when this call created it. */
  openIncident(incident: IncidentRecord): Promise<boolean>;
  getIncident(id: string): Promise<IncidentRecord | undefined>;
  /** Newest first. */
  listIncidents(filter?: IncidentFilter): Promise<IncidentRecord[]>;
  /** Sets the given times (each only once: a time already set is kept). Unknown id → not_found. */
  updateIncident(id: string, update: IncidentUpdate): Promise<IncidentRecord>;

  /** Outbox messages outside a rollout commit (incidents, reminders); duplicate keys ignored. */
  enqueueOutbox(messages: readonly NewOutboxMessage[], at: string): Promise<void>;
  /** A pending message that is no longer worth sending. */
  cancelOutbox(id: string, at: string, reason: string): Promise<void>;
  /** Oldest first. */
  listOutbox(filter?: OutboxFilter): Promise<OutboxMessage[]>;

  /** A channel whose endpoint is gone (HTTP 410); true when this call disabled it. */
  disableChannel(channel: string, at: string, reason: string): Promise<boolean>;
  disabledChannels(): Promise<DisabledChannel[]>;
}

export function isIncidentStore(store: object): store is IncidentStore {
  return typeof (store as Partial<IncidentStore>).openIncident === 'function';
}
