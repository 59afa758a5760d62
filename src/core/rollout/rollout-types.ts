/**
 * Releases, rollouts and timeline events: the domain the rollout machine moves and the
 * store persists. Pure data, JSON-serialisable. Times are ISO 8601 strings (UTC).
 */
import type { ResolvedPlan } from '../plan/plan-types.js';

export const RELEASE_TYPES = ['patch', 'minor', 'major', 'breaking'] as const;
export type ReleaseType = (typeof RELEASE_TYPES)[number];

export const ROLLOUT_STATES = [
  'pending',
  'running',
  'paused',
  'rolling_back',
  'rolled_back',
  'completed',
  'failed',
] as const;
export type RolloutState = (typeof ROLLOUT_STATES)[number];

/** States in which a rollout is "in flight": a second start for the service is refused. */
export const IN_FLIGHT_STATES: readonly RolloutState[] = [
  'pending',
  'running',
  'paused',
  'rolling_back',
];

export const COMMANDS = [
  'pause',
  'resume',
  'promote',
  'promote_full',
  'abort',
  'rollback',
  'retry',
  'observe',
] as const;
export type CommandName = (typeof COMMANDS)[number];

export interface Release {
  id: string;
  service: string;
  version: string;
  /** The version it replaces: the rollback target. */
  previousVersion: string;
  type: ReleaseType;
  risk: 'low' | 'medium' | 'high';
  notes?: string;
  /**
   * When the release's newest commit was made (ISO 8601), given at release start; the
   * release metrics' change lead time runs from it to the completed rollout.
   */
  commitAt?: string;
  createdAt: string;
  createdBy: string;
}

export interface StepStatus {
  state: 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped';
  startedAt?: string;
  endedAt?: string;
  /** Free-form per-step progress the engine keeps (attempts, last verdict, …). */
  detail?: Record<string, unknown>;
}

/** The current state of one rollout; always rebuildable from its events. */
export interface RolloutSnapshot {
  id: string;
  releaseId: string;
  service: string;
  environment: string;
  version: string;
  previousVersion: string;
  releaseType: ReleaseType;
  state: RolloutState;
  /** Index into plan.steps of the current step. */
  stepIndex: number;
  /** Canary weight the router should have now (percent). */
  weight: number;
  pauseReason?: string;
  plan: ResolvedPlan;
  steps: StepStatus[];
  /** Incremented by every change; guarded updates compare it. */
  epoch: number;
  /** Sequence number of the last event appended for this rollout. */
  lastSeq: number;
  createdAt: string;
  updatedAt: string;
}

/** One immutable timeline entry. `seq` is 1-based and gapless per rollout. */
export interface TimelineEvent {
  rolloutId: string;
  seq: number;
  at: string;
  /** `@person` or `rollgate`. */
  actor: string;
  type: string;
  message: string;
  data: Record<string, unknown>;
}

export type NewEvent = Omit<TimelineEvent, 'rolloutId' | 'seq'>;

/** A notification to deliver, written in the same transaction as the events. */
export interface OutboxMessage {
  id: string;
  /** Stable key: the same message is never delivered twice under it. */
  idempotencyKey: string;
  rolloutId: string | null;
  /** Notifier route name from the policy, e.g. "slack", "pagerduty". */
  route: string;
  eventType: string;
  payload: Record<string, unknown>;
  /** `cancelled`: a delayed message whose condition no longer held when it fell due. */
  status: 'pending' | 'delivered' | 'dead' | 'cancelled';
  attempts: number;
  nextAttemptAt: string;
  lastError?: string;
  createdAt: string;
  deliveredAt?: string;
}

export type NewOutboxMessage = Pick<
  OutboxMessage,
  'idempotencyKey' | 'rolloutId' | 'route' | 'eventType' | 'payload'
> & {
  /** A delayed message (an escalation): first due at this time, not at once. */
  notBefore?: string;
};
