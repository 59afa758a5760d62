import type {
  NewEvent,
  NewOutboxMessage,
  OutboxMessage,
  Release,
  RolloutSnapshot,
  RolloutState,
  TimelineEvent,
} from '../core/rollout/rollout-types.js';

/**
 * The Store port: releases, rollout snapshots, the append-only timeline, the outbox and
 * controller leases. Implemented by adapters/store/{sqlite,postgres} (and a memory fake
 * for unit tests); all run the same contract suite (test/integration/store-contract).
 *
 * Every write that changes a rollout goes through `commit`, which in ONE transaction:
 * updates the snapshot with a guarded update (`WHERE id = ? AND state = expected.state
 * AND epoch = expected.epoch`), appends the events with consecutive seq numbers
 * (lastSeq+1 …), and inserts the outbox messages (duplicate idempotency keys are ignored).
 * Zero rows updated → throws RollgateError('conflict'). The new snapshot's epoch must be
 * expected.epoch + 1 and its lastSeq must equal expected lastSeq + events.length; the
 * store checks both.
 */
export interface RolloutCommit {
  rolloutId: string;
  expected: { state: RolloutState; epoch: number };
  next: RolloutSnapshot;
  events: NewEvent[];
  outbox?: NewOutboxMessage[];
  /** With leases: the fencing token the writer holds; a stale token → conflict. */
  fence?: { owner: string; token: number };
}

export interface RolloutFilter {
  service?: string;
  states?: readonly RolloutState[];
  limit?: number;
}

export interface Lease {
  rolloutId: string;
  owner: string;
  /** Fencing token: increases every time the lease changes hands. */
  token: number;
  expiresAt: string;
}

export interface Store {
  /** Apply pending migrations (idempotent). */
  migrate(): Promise<void>;
  close(): Promise<void>;

  createRelease(release: Release): Promise<void>;
  getRelease(id: string): Promise<Release | undefined>;

  /**
   * Insert a new rollout with its first events (and outbox messages) in one transaction.
   * Refused with RollgateError('conflict', details.runningRolloutId) when the service
   * already has a rollout in flight in that environment.
   */
  createRollout(
    snapshot: RolloutSnapshot,
    events: NewEvent[],
    outbox?: NewOutboxMessage[],
  ): Promise<void>;
  commit(change: RolloutCommit): Promise<void>;
  getRollout(id: string): Promise<RolloutSnapshot | undefined>;
  listRollouts(filter?: RolloutFilter): Promise<RolloutSnapshot[]>;
  /** Events of one rollout with seq > afterSeq, in seq order. */
  listEvents(rolloutId: string, afterSeq?: number): Promise<TimelineEvent[]>;

  /** Outbox messages due at `now` (pending, nextAttemptAt ≤ now), oldest first. */
  dueOutbox(now: string, limit: number): Promise<OutboxMessage[]>;
  markDelivered(id: string, at: string): Promise<void>;
  markAttemptFailed(id: string, error: string, nextAttemptAt: string, dead: boolean): Promise<void>;

  /**
   * Acquire or renew the lease on a rollout until `expiresAt`. Succeeds when the lease is
   * free, expired at `now`, or already held by `owner`; returns the lease (token bumped
   * when ownership changes) or undefined when someone else holds it.
   */
  acquireLease(
    rolloutId: string,
    owner: string,
    now: string,
    expiresAt: string,
  ): Promise<Lease | undefined>;
  releaseLease(rolloutId: string, owner: string): Promise<void>;
}
