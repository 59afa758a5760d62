import { randomUUID } from 'node:crypto';
import {
  checkLimit,
  checkRelease,
  checkSnapshot,
  isoTime,
} from '../../src/adapters/store/sql/store-values.js';
import { RollgateError } from '../../src/core/errors/rollgate-error.js';
import {
  IN_FLIGHT_STATES,
  type NewEvent,
  type NewOutboxMessage,
  type OutboxMessage,
  type Release,
  type RolloutSnapshot,
  type TimelineEvent,
} from '../../src/core/rollout/rollout-types.js';
import type { Lease, RolloutCommit, RolloutFilter, Store } from '../../src/ports/store.js';

/** What a memory "database" holds; share one between MemoryStore instances to model two processes. */
export interface MemoryStoreData {
  releases: Map<string, string>;
  rollouts: Map<string, { json: string; snapshot: RolloutSnapshot }>;
  events: Map<string, TimelineEvent[]>;
  outbox: OutboxMessage[];
  outboxKeys: Set<string>;
  leases: Map<string, { owner: string | null; token: number; expiresAt: string }>;
}

export function memoryStoreData(): MemoryStoreData {
  return {
    releases: new Map(),
    rollouts: new Map(),
    events: new Map(),
    outbox: [],
    outboxKeys: new Set(),
    leases: new Map(),
  };
}

const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
const inFlight = (s: { state: string }) =>
  (IN_FLIGHT_STATES as readonly string[]).includes(s.state);

/**
 * The Store port in memory, for unit tests of the engine. It runs the same contract suite
 * as the SQL store (test/unit/memory-store.test.ts), so the engine's unit tests see the
 * behaviour production will: guarded commits, gapless seq, one rollout in flight,
 * idempotent outbox, fencing leases. Every method checks everything before it changes
 * anything and never awaits in between, so each write is atomic.
 */
export class MemoryStore implements Store {
  private closed = false;
  /** Test hook: runs before each commit is checked (e.g. to play a concurrent writer). */
  beforeCommit?: (change: RolloutCommit) => void;

  constructor(private readonly data: MemoryStoreData = memoryStoreData()) {}

  private get db(): MemoryStoreData {
    if (this.closed) throw new RollgateError('internal', 'the memory store is closed');
    return this.data;
  }

  async migrate(): Promise<void> {}

  async close(): Promise<void> {
    this.closed = true;
  }

  async createRelease(release: Release): Promise<void> {
    checkRelease(release);
    if (this.db.releases.has(release.id)) {
      throw new RollgateError('conflict', `release ${release.id} already exists`, {
        details: { releaseId: release.id },
      });
    }
    this.db.releases.set(release.id, JSON.stringify(release));
  }

  async getRelease(id: string): Promise<Release | undefined> {
    const json = this.db.releases.get(id);
    return json === undefined ? undefined : (JSON.parse(json) as Release);
  }

  async createRollout(
    snapshot: RolloutSnapshot,
    events: NewEvent[],
    outbox: NewOutboxMessage[] = [],
  ): Promise<void> {
    checkSnapshot(snapshot, 'createRollout');
    if (snapshot.lastSeq !== events.length) {
      throw new RollgateError(
        'invalid_input',
        `createRollout: snapshot.lastSeq is ${snapshot.lastSeq} but ${events.length} events are appended; lastSeq must be ${events.length}`,
      );
    }
    const at = isoTime(snapshot.createdAt, 'createRollout: snapshot.createdAt');
    isoTime(snapshot.updatedAt, 'createRollout: snapshot.updatedAt');
    if (this.db.rollouts.has(snapshot.id)) {
      throw new RollgateError('conflict', `rollout ${snapshot.id} already exists`, {
        details: { rolloutId: snapshot.id },
      });
    }
    this.refuseSecondInFlight(snapshot);
    this.db.rollouts.set(snapshot.id, { json: JSON.stringify(snapshot), snapshot: copy(snapshot) });
    this.append(snapshot.id, 0, events);
    this.enqueue(outbox, at);
  }

  async commit(change: RolloutCommit): Promise<void> {
    this.beforeCommit?.(change);
    const { rolloutId, expected, next, events, fence } = change;
    checkSnapshot(next, `commit on rollout ${rolloutId}`);
    if (next.id !== rolloutId) {
      throw new RollgateError(
        'invalid_input',
        `commit on rollout ${rolloutId}: the new snapshot is for rollout ${next.id}`,
      );
    }
    if (next.epoch !== expected.epoch + 1) {
      throw new RollgateError(
        'invalid_input',
        `commit on rollout ${rolloutId}: the new snapshot's epoch is ${next.epoch}, it must be ${expected.epoch + 1}`,
      );
    }
    const updatedAt = isoTime(next.updatedAt, `commit on rollout ${rolloutId}: next.updatedAt`);
    if (fence) {
      const lease = this.db.leases.get(rolloutId);
      if (!lease || lease.owner !== fence.owner || lease.token !== fence.token) {
        throw new RollgateError(
          'conflict',
          `commit on rollout ${rolloutId} refused: ${fence.owner} writes with lease token ${fence.token}, but the lease is now held by ${lease?.owner ?? 'nobody'} with token ${lease?.token ?? 'none'}; nothing was written`,
          {
            details: {
              rolloutId,
              fence,
              leaseOwner: lease?.owner ?? null,
              leaseToken: lease?.token ?? null,
            },
          },
        );
      }
    }
    const row = this.db.rollouts.get(rolloutId);
    if (!row) throw new RollgateError('not_found', `commit: rollout ${rolloutId} does not exist`);
    const current = row.snapshot;
    if (current.state !== expected.state || current.epoch !== expected.epoch) {
      throw new RollgateError(
        'conflict',
        `commit on rollout ${rolloutId} refused: expected state ${expected.state} at epoch ${expected.epoch}, but the store has state ${current.state} at epoch ${current.epoch} (someone else moved first); nothing was written`,
        {
          retryable: true,
          details: { rolloutId, expected, actual: { state: current.state, epoch: current.epoch } },
        },
      );
    }
    if (next.lastSeq !== current.lastSeq + events.length) {
      throw new RollgateError(
        'invalid_input',
        `commit on rollout ${rolloutId}: the new snapshot's lastSeq is ${next.lastSeq}, but the rollout's lastSeq is ${current.lastSeq} and the commit appends ${events.length} events, so it must be ${current.lastSeq + events.length}; nothing was written`,
      );
    }
    if (inFlight(next)) this.refuseSecondInFlight(next);
    this.db.rollouts.set(rolloutId, { json: JSON.stringify(next), snapshot: copy(next) });
    this.append(rolloutId, current.lastSeq, events);
    this.enqueue(change.outbox ?? [], updatedAt);
  }

  async getRollout(id: string): Promise<RolloutSnapshot | undefined> {
    const row = this.db.rollouts.get(id);
    return row ? (JSON.parse(row.json) as RolloutSnapshot) : undefined;
  }

  async listRollouts(filter: RolloutFilter = {}): Promise<RolloutSnapshot[]> {
    if (filter.limit !== undefined) checkLimit(filter.limit, 'listRollouts');
    const all = [...this.db.rollouts.values()]
      .map((r) => r.snapshot)
      .filter((s) => filter.service === undefined || s.service === filter.service)
      .filter((s) => filter.states === undefined || filter.states.includes(s.state))
      .sort((a, b) =>
        a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1,
      );
    return all.slice(0, filter.limit ?? all.length).map((s) => copy(s));
  }

  async listEvents(rolloutId: string, afterSeq = 0): Promise<TimelineEvent[]> {
    return copy((this.db.events.get(rolloutId) ?? []).filter((e) => e.seq > afterSeq));
  }

  async dueOutbox(now: string, limit: number): Promise<OutboxMessage[]> {
    const at = isoTime(now, 'dueOutbox: now');
    checkLimit(limit, 'dueOutbox');
    return copy(
      this.db.outbox
        .filter((m) => m.status === 'pending' && m.nextAttemptAt <= at)
        .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0))
        .slice(0, limit),
    );
  }

  async markDelivered(id: string, at: string): Promise<void> {
    const deliveredAt = isoTime(at, 'markDelivered: at');
    const m = this.message(id);
    if (m.status !== 'pending') return;
    m.status = 'delivered';
    m.deliveredAt = deliveredAt;
  }

  async markAttemptFailed(
    id: string,
    error: string,
    nextAttemptAt: string,
    dead: boolean,
  ): Promise<void> {
    const next = isoTime(nextAttemptAt, 'markAttemptFailed: nextAttemptAt');
    const m = this.message(id);
    if (m.status !== 'pending') return;
    m.attempts += 1;
    m.lastError = String(error).slice(0, 2000);
    m.nextAttemptAt = next;
    m.status = dead ? 'dead' : 'pending';
  }

  async acquireLease(
    rolloutId: string,
    owner: string,
    now: string,
    expiresAt: string,
  ): Promise<Lease | undefined> {
    const nowAt = isoTime(now, 'acquireLease: now');
    const until = isoTime(expiresAt, 'acquireLease: expiresAt');
    const current = this.db.leases.get(rolloutId);
    let token = 1;
    if (current) {
      const free = current.owner === null || current.expiresAt <= nowAt;
      if (current.owner !== owner && !free) return undefined;
      token = current.owner === owner ? current.token : current.token + 1;
    }
    this.db.leases.set(rolloutId, { owner, token, expiresAt: until });
    return { rolloutId, owner, token, expiresAt: until };
  }

  async releaseLease(rolloutId: string, owner: string): Promise<void> {
    const lease = this.db.leases.get(rolloutId);
    if (lease && lease.owner === owner) lease.owner = null;
  }

  // ---- introspection for unit tests (synchronous, copies; never part of the Store port) ----

  /** The stored snapshot of a rollout, now. */
  peek(id: string): RolloutSnapshot | undefined {
    const row = this.data.rollouts.get(id);
    return row ? copy(row.snapshot) : undefined;
  }

  /** The timeline of a rollout, now. */
  timeline(id: string): TimelineEvent[] {
    return copy(this.data.events.get(id) ?? []);
  }

  /** Every outbox message, in insertion order. */
  get outbox(): OutboxMessage[] {
    return copy(this.data.outbox);
  }

  rolloutCount(): number {
    return this.data.rollouts.size;
  }

  lease(id: string): { owner: string | null; token: number; expiresAt: string } | undefined {
    const lease = this.data.leases.get(id);
    return lease && copy(lease);
  }

  /** Plays another writer: moves the rollout's epoch on, as a commit elsewhere would. */
  interfere(id: string): void {
    const row = this.data.rollouts.get(id);
    if (!row) throw new Error(`no rollout ${id}`);
    const moved = { ...row.snapshot, epoch: row.snapshot.epoch + 1 };
    this.data.rollouts.set(id, { json: JSON.stringify(moved), snapshot: copy(moved) });
  }

  private refuseSecondInFlight(s: RolloutSnapshot): void {
    const running = [...this.db.rollouts.values()]
      .map((r) => r.snapshot)
      .find(
        (r) =>
          r.id !== s.id &&
          r.service === s.service &&
          r.environment === s.environment &&
          inFlight(r),
      );
    if (!running) return;
    throw new RollgateError(
      'conflict',
      `${s.service} already has rollout ${running.id} (${running.state}) in flight in ${s.environment}; one rollout per service and environment at a time, nothing was written`,
      {
        details: {
          rolloutId: s.id,
          service: s.service,
          environment: s.environment,
          runningRolloutId: running.id,
        },
      },
    );
  }

  private append(rolloutId: string, previousSeq: number, events: readonly NewEvent[]): void {
    const list = this.db.events.get(rolloutId) ?? [];
    events.forEach((e, i) => {
      list.push(
        copy({
          rolloutId,
          seq: previousSeq + 1 + i,
          at: e.at,
          actor: e.actor,
          type: e.type,
          message: e.message,
          data: e.data ?? {},
        }),
      );
    });
    this.db.events.set(rolloutId, list);
  }

  private enqueue(messages: readonly NewOutboxMessage[], at: string): void {
    for (const m of messages) {
      if (this.db.outboxKeys.has(m.idempotencyKey)) continue;
      this.db.outboxKeys.add(m.idempotencyKey);
      this.db.outbox.push({
        id: randomUUID(),
        idempotencyKey: m.idempotencyKey,
        rolloutId: m.rolloutId,
        route: m.route,
        eventType: m.eventType,
        payload: copy(m.payload ?? {}),
        status: 'pending',
        attempts: 0,
        nextAttemptAt: m.notBefore ?? at,
        createdAt: at,
      });
    }
  }

  private message(id: string): OutboxMessage {
    const m = this.db.outbox.find((x) => x.id === id);
    if (!m)
      throw new RollgateError('not_found', `outbox message ${id} does not exist`, {
        details: { outboxId: id },
      });
    return m;
  }
}
