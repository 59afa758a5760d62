/**
 * The times a post-mortem quotes, from the timeline: deploy start, first traffic on the
 * new version, detection, notification, rollback start and completion; the 48-hour
 * deadline; and the impact actually served by the bad version (recorded batches).
 */
import { RollgateError } from '../errors/rollgate-error.js';
import type { ArmBatch } from '../judge/judge-types.js';
import type { TimelineEvent } from '../rollout/rollout-types.js';
import { type ArmTotals, sumArms } from './arm-totals.js';
import { addHours, ms } from './record-format.js';
import { allBatches, type RolloutHistory } from './rollout-history.js';

/** A notification delivery, as the outbox recorded it (the store has these). */
export interface NotificationDelivery {
  route: string;
  eventType: string;
  deliveredAt: string;
}

export interface IncidentTimes {
  deployStartedAt: string;
  /** First router weight > 0 for the new version. */
  firstTrafficAt?: string;
  /** The first signal of the failure that led to the rollback. */
  detectedAt: string;
  detectedBy: string;
  /** First notification delivered (or queued, see notificationQueued) after detection. */
  notifiedAt?: string;
  notificationQueued: boolean;
  rollbackStartedAt: string;
  restoredAt?: string;
  /** Post-mortem due: 48 h (the policy's figure) after the rollback completed. */
  dueAt: string;
}

export interface Impact {
  /** What the new version served, from the recorded batches (both traffic and watch steps). */
  newVersion: ArmTotals;
  /** The stable version over the same batches (traffic steps only). */
  baseline?: ArmTotals;
  peakWeight: number;
  /** Seconds the new version had traffic before the router went back to 0 %. */
  exposureSeconds: number;
  /** The last recorded batch ended this long before the router went to 0 % (not counted). */
  unmeasuredSeconds: number;
  /**
   * Present when the counts come from one read of the metric source over the whole
   * exposure, taken at the rollback (forensics `served`), rather than the judge's batches.
   */
  measuredOver?: { from: string; to: string; source: string };
}

/**
 * What the versions served over the whole exposure (first traffic to the router back at
 * 0 %), read from the metric source once at the rollback: the judge's batches skip seconds
 * that straddle a weight change and the tail after the last batch, so they undercount.
 */
export interface ServedTotals {
  from: string;
  to: string;
  source: string;
  newVersion: ArmBatch;
  baseline?: ArmBatch;
}

const SIGNALS = new Set(['judge.verdict', 'watch.sample', 'check.failed', 'rollout.paused']);

function isSignal(e: TimelineEvent): boolean {
  if (!SIGNALS.has(e.type)) return false;
  if (e.type === 'check.failed') return true;
  if (e.type === 'rollout.paused') return e.actor === 'rollgate' && e.data.approval !== true;
  const d = String(e.data.decision ?? '');
  return d === 'pause' || d === 'rollback' || d === 'halt';
}

function describeSignal(e: TimelineEvent): string {
  if (e.type === 'check.failed') return `check '${String(e.data.check)}' failed`;
  if (e.type === 'rollout.paused') return 'automatic pause';
  const gate = typeof e.data.decidedBy === 'string' ? ` (gate ${e.data.decidedBy})` : '';
  if (e.type === 'watch.sample') return `post-release watch ${String(e.data.decision)}`;
  return `judge ${String(e.data.decision)}${gate}`;
}

export function incidentTimes(
  h: RolloutHistory,
  deliveries: readonly NotificationDelivery[] = [],
  deadlineHours = 48,
): IncidentTimes {
  const rb = h.rollback;
  if (rb === undefined) {
    throw new RollgateError('invalid_input', `rollout ${h.rolloutId} was not rolled back`, {
      hint: 'post-mortems are drafted for rollbacks only',
    });
  }
  const startedStep = h.steps[rb.step]?.startedAt ?? h.startedAt;
  // The earliest automatic signal in the step that rolled back (a pause, then a person's
  // rollback, detects at the pause).
  const signal = h.events.find(
    (e) => isSignal(e) && ms(e.at) >= ms(startedStep) && ms(e.at) <= ms(rb.startedAt),
  );
  const detectedAt = signal?.at ?? rb.startedAt;
  const detectedBy = signal
    ? describeSignal(signal)
    : rb.trigger === 'person'
      ? `${rb.actor} (by hand)`
      : rb.trigger;
  const firstTraffic = h.events.find(
    (e) => e.type === 'router.weight_set' && typeof e.data.weight === 'number' && e.data.weight > 0,
  );
  const delivered = deliveries
    .filter((d) => ms(d.deliveredAt) >= ms(detectedAt))
    .sort((a, b) => ms(a.deliveredAt) - ms(b.deliveredAt))[0];
  // Without delivery records: the first notification the timeline queued after detection.
  const queued = h.events.find(
    (e) =>
      ms(e.at) >= ms(detectedAt) &&
      ((e.type === 'rollout.paused' && e.actor === 'rollgate') ||
        (e.type === 'rollback.started' && e.data.page === true) ||
        e.type === 'rollback.completed' ||
        e.type === 'rollout.failed'),
  );
  const notifiedAt = delivered?.deliveredAt ?? queued?.at;
  const restoredAt = rb.completedAt;
  return {
    deployStartedAt: h.startedAt,
    ...(firstTraffic ? { firstTrafficAt: firstTraffic.at } : {}),
    detectedAt,
    detectedBy,
    ...(notifiedAt === undefined ? {} : { notifiedAt }),
    notificationQueued: delivered === undefined,
    rollbackStartedAt: rb.startedAt,
    ...(restoredAt === undefined ? {} : { restoredAt }),
    dueAt: addHours(restoredAt ?? rb.failedAt ?? rb.startedAt, deadlineHours),
  };
}

export function incidentImpact(h: RolloutHistory, served?: ServedTotals): Impact {
  const batches = allBatches(h);
  const withBase = batches.filter((b) => b.baseline !== undefined);
  const weights = h.events.filter(
    (e) => e.type === 'router.weight_set' && typeof e.data.weight === 'number',
  );
  const peakWeight = weights.reduce((m, e) => Math.max(m, e.data.weight as number), 0);
  const first = weights.find((e) => (e.data.weight as number) > 0);
  const zero = weights.find(
    (e) => (e.data.weight as number) === 0 && first !== undefined && ms(e.at) > ms(first.at),
  );
  const end = zero?.at ?? h.rollback?.completedAt ?? h.endedAt;
  const exposureSeconds = first && end ? (ms(end) - ms(first.at)) / 1000 : 0;
  const lastBatch = batches[batches.length - 1];
  const unmeasuredSeconds = lastBatch && end ? Math.max(0, (ms(end) - ms(lastBatch.at)) / 1000) : 0;
  if (served) {
    return {
      newVersion: sumArms([served.newVersion]),
      ...(served.baseline ? { baseline: sumArms([served.baseline]) } : {}),
      peakWeight,
      exposureSeconds,
      unmeasuredSeconds: 0,
      measuredOver: { from: served.from, to: served.to, source: served.source },
    };
  }
  return {
    newVersion: sumArms(batches.map((b) => b.canary)),
    ...(withBase.length > 0 ? { baseline: sumArms(withBase.map((b) => b.baseline)) } : {}),
    peakWeight,
    exposureSeconds,
    unmeasuredSeconds,
  };
}

export const POST_MORTEM_STATES = ['open', 'overdue', 'completed', 'completed_late'] as const;
export type PostMortemState = (typeof POST_MORTEM_STATES)[number];

/** Where a post-mortem stands against its deadline at `now`. */
export function postMortemState(dueAt: string, now: string, completedAt?: string): PostMortemState {
  if (completedAt !== undefined)
    return ms(completedAt) <= ms(dueAt) ? 'completed' : 'completed_late';
  return ms(now) > ms(dueAt) ? 'overdue' : 'open';
}
