/**
 * The timeline vocabulary of a rollout: every event type the rollout machine writes, and
 * the outbox message types it derives from them. docs/engine.md lists each type's data.
 */
export const ROLLOUT_EVENT_TYPES = [
  'rollout.created', // first event: carries the release, the plan and the rollout identity
  'rollout.started',
  'step.started',
  'step.completed',
  'step.skipped',
  'step.promote_requested',
  'rollout.promoted',
  'approval.granted',
  'router.weight_set',
  'router.call_failed',
  'deployer.deployed',
  'deployer.rolled_back',
  'deployer.call_failed',
  'check.passed',
  'check.failed',
  'check.call_failed',
  'judge.verdict',
  'watch.sample',
  'rollout.paused',
  'rollout.resumed',
  'rollback.started',
  'rollback.completed',
  'rollout.failed',
  'rollout.retried',
  'rollout.completed',
  'observation.added',
  'engine.error',
  // Written after the fact by the notification keeper (issue #9); the snapshot ignores them.
  'incident.opened',
  'incident.mitigated',
  'incident.resolved',
  'notification.dead',
  'notification.channel_disabled',
] as const;
export type RolloutEventType = (typeof ROLLOUT_EVENT_TYPES)[number];

/** Outbox message types (`OutboxMessage.eventType`), one per notifiable transition. */
export const OUTBOX_TYPES = [
  'rollout.started',
  'rollout.promoted',
  'rollout.paused',
  'rollout.rolled_back',
  'rollout.completed',
  'rollout.failed',
  'rollout.halted',
] as const;
export type OutboxType = (typeof OUTBOX_TYPES)[number];

/**
 * Logical notification routes. The machine addresses messages to `notify` (everyone who
 * follows releases) or `page` (the on-call person); the engine maps each logical route to
 * the policy's notifier routes (ADR 0034).
 */
export interface OutboxRoutes {
  notify: readonly string[];
  page: readonly string[];
}

export const DEFAULT_OUTBOX_ROUTES: OutboxRoutes = { notify: ['notify'], page: ['page'] };

/** The actor name the engine writes under. People are `@name`. */
export const SYSTEM_ACTOR = 'rollgate';
