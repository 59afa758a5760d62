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

const copy = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/**
 * The Store port in memory, with the same semantics as the SQL stores: guarded updates on
 * (state, epoch), gapless seq, epoch + 1 per commit, one rollout in flight per service and
 * environment, outbox de-duplicated by idempotency key, leases with fencing tokens.
 * Everything goes through a JSON round trip, as it would through a database.
 */
export class MemoryStore implements Store {
  readonly releases = new Map<string, Release>();
  readonly rollouts = new Map<string, RolloutSnapshot>();
  readonly events = new Map<string, TimelineEvent[]>();
  readonly outbox: OutboxMessage[] = [];
  readonly leases = new Map<string, Lease>();
  commits = 0;
  /** Test hook: runs before each commit is applied (e.g. to simulate a concurrent writer). */
  beforeCommit?: (change: RolloutCommit) => void;
  private outboxId = 0;

  async migrate(): Promise<void> {}
  async close(): Promise<void> {}

  async createRelease(release: Release): Promise<void> {
    if (this.releases.has(release.id)) {
      throw new RollgateError('conflict', `release ${release.id} already exists`);
    }
    this.releases.set(release.id, copy(release));
  }

  async getRelease(id: string): Promise<Release | undefined> {
    const r = this.releases.get(id);
    return r && copy(r);
  }

  async createRollout(
    snapshot: RolloutSnapshot,
    events: NewEvent[],
    outbox: NewOutboxMessage[] = [],
  ): Promise<void> {
    if (this.rollouts.has(snapshot.id)) {
      throw new RollgateError('conflict', `rollout ${snapshot.id} already exists`);
    }
    const running = [...this.rollouts.values()].find(
      (r) =>
        r.service === snapshot.service &&
        r.environment === snapshot.environment &&
        IN_FLIGHT_STATES.includes(r.state),
    );
    if (running) {
      throw new RollgateError(
        'conflict',
        `${snapshot.service} already has a rollout in flight in ${snapshot.environment} (${running.id}, ${running.state})`,
        {
          hint: 'wait for it to finish, or abort it first',
          details: { runningRolloutId: running.id },
        },
      );
    }
    if (snapshot.lastSeq !== events.length) {
      throw new RollgateError('internal', 'createRollout: lastSeq must equal events.length');
    }
    this.rollouts.set(snapshot.id, copy(snapshot));
    this.events.set(snapshot.id, []);
    this.append(snapshot.id, 0, events);
    this.enqueue(outbox);
  }

  async commit(change: RolloutCommit): Promise<void> {
    this.beforeCommit?.(change);
    const current = this.rollouts.get(change.rolloutId);
    if (!current) throw new RollgateError('not_found', `rollout ${change.rolloutId} not found`);
    if (change.fence) {
      const lease = this.leases.get(change.rolloutId);
      if (!lease || lease.owner !== change.fence.owner || lease.token !== change.fence.token) {
        throw new RollgateError(
          'conflict',
          `rollout ${change.rolloutId}: lease lost by ${change.fence.owner}`,
        );
      }
    }
    if (current.state !== change.expected.state || current.epoch !== change.expected.epoch) {
      throw new RollgateError(
        'conflict',
        `rollout ${change.rolloutId} changed: expected ${change.expected.state}@${change.expected.epoch}, found ${current.state}@${current.epoch}`,
        { details: { state: current.state, epoch: current.epoch } },
      );
    }
    if (change.next.epoch !== current.epoch + 1) {
      throw new RollgateError('internal', 'commit: next.epoch must be expected.epoch + 1');
    }
    if (change.next.lastSeq !== current.lastSeq + change.events.length) {
      throw new RollgateError('internal', 'commit: next.lastSeq must be lastSeq + events.length');
    }
    this.rollouts.set(change.rolloutId, copy(change.next));
    this.append(change.rolloutId, current.lastSeq, change.events);
    this.enqueue(change.outbox ?? []);
    this.commits += 1;
  }

  private append(rolloutId: string, lastSeq: number, events: NewEvent[]): void {
    const list = this.events.get(rolloutId) ?? [];
    events.forEach((e, i) => {
      list.push(copy({ ...e, rolloutId, seq: lastSeq + i + 1 }));
    });
    this.events.set(rolloutId, list);
  }

  private enqueue(messages: NewOutboxMessage[]): void {
    for (const m of messages) {
      if (this.outbox.some((o) => o.idempotencyKey === m.idempotencyKey)) continue;
      this.outbox.push({
        ...copy(m),
        id: `ob-${++this.outboxId}`,
        status: 'pending',
        attempts: 0,
        nextAttemptAt: '1970-01-01T00:00:00.000Z',
        createdAt: '1970-01-01T00:00:00.000Z',
      });
    }
  }

  async getRollout(id: string): Promise<RolloutSnapshot | undefined> {
    const r = this.rollouts.get(id);
    return r && copy(r);
  }

  async listRollouts(filter: RolloutFilter = {}): Promise<RolloutSnapshot[]> {
    return [...this.rollouts.values()]
      .filter((r) => filter.service === undefined || r.service === filter.service)
      .filter((r) => filter.states === undefined || filter.states.includes(r.state))
      .slice(0, filter.limit ?? Number.POSITIVE_INFINITY)
      .map(copy);
  }

  async listEvents(rolloutId: string, afterSeq = 0): Promise<TimelineEvent[]> {
    return (this.events.get(rolloutId) ?? []).filter((e) => e.seq > afterSeq).map(copy);
  }

  async dueOutbox(now: string, limit: number): Promise<OutboxMessage[]> {
    return this.outbox
      .filter((m) => m.status === 'pending' && m.nextAttemptAt <= now)
      .slice(0, limit)
      .map(copy);
  }

  async markDelivered(id: string, at: string): Promise<void> {
    const m = this.outbox.find((o) => o.id === id);
    if (m) Object.assign(m, { status: 'delivered', deliveredAt: at });
  }

  async markAttemptFailed(
    id: string,
    error: string,
    nextAttemptAt: string,
    dead: boolean,
  ): Promise<void> {
    const m = this.outbox.find((o) => o.id === id);
    if (m) {
      Object.assign(m, {
        attempts: m.attempts + 1,
        lastError: error,
        nextAttemptAt,
        status: dead ? 'dead' : 'pending',
      });
    }
  }

  async acquireLease(
    rolloutId: string,
    owner: string,
    now: string,
    expiresAt: string,
  ): Promise<Lease | undefined> {
    const lease = this.leases.get(rolloutId);
    if (lease && lease.owner !== owner && lease.expiresAt > now) return undefined;
    const token = lease === undefined ? 1 : lease.owner === owner ? lease.token : lease.token + 1;
    const next = { rolloutId, owner, token, expiresAt };
    this.leases.set(rolloutId, next);
    return { ...next };
  }

  async releaseLease(rolloutId: string, owner: string): Promise<void> {
    const lease = this.leases.get(rolloutId);
    if (lease?.owner === owner)
      this.leases.set(rolloutId, { ...lease, expiresAt: '1970-01-01T00:00:00.000Z' });
  }
}
