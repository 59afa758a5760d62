/**
 * The incident a rollback opens (ADR 0172): one per rolled-back rollout, id
 * `INC-<rolloutId>`, with the times the post-mortem quotes (read from the timeline by
 * `incidentTimes`, never recomputed here) and its own: mitigated when the previous
 * version is restored, resolved when the post-rollback verification passes. Pure.
 */
import type { NotificationDelivery } from '../records/incident-times.js';
import { incidentTimes } from '../records/incident-times.js';
import type { RolloutHistory } from '../records/rollout-history.js';

export const INCIDENT_STATUSES = ['open', 'mitigated', 'resolved'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

export interface IncidentRecord {
  id: string;
  rolloutId: string;
  releaseId: string;
  service: string;
  environment: string;
  /** The version that was rolled back, and the one restored. */
  version: string;
  previousVersion: string;
  status: IncidentStatus;
  /** Why the rollout was rolled back (the rollback's reason). */
  reason: string;
  /** What asked for the rollback: judge, watch, check, person. */
  trigger: string;
  /** The deploy of the bad version started (incident-times `deployStartedAt`). */
  startedAt: string;
  detectedAt: string;
  /** First notification delivered after detection. */
  notifiedAt?: string;
  /** The previous version restored (the rollback completed). */
  mitigatedAt?: string;
  /** The post-rollback verification passed. */
  resolvedAt?: string;
  /** The post-mortem this incident owns (`PM-<rolloutId>` unless one exists already). */
  postMortemId: string;
  postMortemDueAt: string;
  createdAt: string;
  data: Record<string, unknown>;
}

export const incidentIdOf = (rolloutId: string): string => `INC-${rolloutId}`;
export const postMortemIdOf = (rolloutId: string): string => `PM-${rolloutId}`;

const ORDER: Record<IncidentStatus, number> = { open: 0, mitigated: 1, resolved: 2 };

/** Status only moves forward. */
export function laterStatus(a: IncidentStatus, b: IncidentStatus): IncidentStatus {
  return ORDER[b] > ORDER[a] ? b : a;
}

/**
 * The incident of a rolled-back (or rolling back, or failed) rollout, as its timeline
 * says now. `undefined` while the rollout has not started a rollback.
 */
export function incidentFromHistory(
  h: RolloutHistory,
  deliveries: readonly NotificationDelivery[],
  now: string,
  postMortemDeadlineHours = 48,
): IncidentRecord | undefined {
  const rb = h.rollback;
  if (rb === undefined) return undefined;
  const times = incidentTimes(h, deliveries, postMortemDeadlineHours);
  const mitigatedAt = times.restoredAt;
  return {
    id: incidentIdOf(h.rolloutId),
    rolloutId: h.rolloutId,
    releaseId: h.release.id,
    service: h.release.service,
    environment: h.environment,
    version: h.release.version,
    previousVersion: h.release.previousVersion,
    status: mitigatedAt === undefined ? 'open' : 'mitigated',
    reason: rb.reason,
    trigger: rb.trigger,
    startedAt: times.deployStartedAt,
    detectedAt: times.detectedAt,
    ...(times.notifiedAt !== undefined && !times.notificationQueued
      ? { notifiedAt: times.notifiedAt }
      : {}),
    ...(mitigatedAt === undefined ? {} : { mitigatedAt }),
    postMortemId: postMortemIdOf(h.rolloutId),
    postMortemDueAt: times.dueAt,
    createdAt: now,
    data: { detectedBy: times.detectedBy, rollbackStartedAt: times.rollbackStartedAt },
  };
}

/** The checks a post-rollback verification runs: the plan's `verification` phase. */
export function verificationChecks(h: RolloutHistory): string[] {
  const names: string[] = [];
  for (const step of h.plan.steps) {
    if (step.kind === 'checks' && step.phase === 'verification') {
      for (const c of step.checks) if (!names.includes(c)) names.push(c);
    }
  }
  return names;
}
