/**
 * The fold from timeline events to a rollout snapshot. The rollout machine derives every
 * new snapshot with `applyEvent`, so the stored snapshot and `rebuildSnapshot(events)` are
 * the same function of the same events (ADR 0030).
 */
import { RollgateError } from '../errors/rollgate-error.js';
import type { ResolvedPlan } from '../plan/plan-types.js';
import type {
  NewEvent,
  Release,
  RolloutSnapshot,
  RolloutState,
  StepStatus,
  TimelineEvent,
} from './rollout-types.js';

/** Data of the first event of every rollout: enough to build its snapshot from nothing. */
export interface RolloutCreatedData {
  epoch: number;
  rolloutId: string;
  environment: string;
  release: Release;
  plan: ResolvedPlan;
}

function num(data: Record<string, unknown>, key: string): number | undefined {
  const v = data[key];
  return typeof v === 'number' ? v : undefined;
}

function str(data: Record<string, unknown>, key: string): string | undefined {
  const v = data[key];
  return typeof v === 'string' ? v : undefined;
}

function withState(s: RolloutSnapshot, state: RolloutState): RolloutSnapshot {
  const { pauseReason: _drop, ...rest } = s;
  return { ...rest, state };
}

function updateStep(
  s: RolloutSnapshot,
  index: number,
  f: (step: StepStatus) => StepStatus,
): RolloutSnapshot {
  const current = s.steps[index];
  if (current === undefined) return s;
  const steps = s.steps.slice();
  steps[index] = f(current);
  return { ...s, steps };
}

function withDetail(step: StepStatus, patch: Record<string, unknown>): StepStatus {
  const detail: Record<string, unknown> = { ...(step.detail ?? {}) };
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined || v === null) delete detail[k];
    else detail[k] = v;
  }
  return { ...step, detail };
}

function created(event: NewEvent, seq: number): RolloutSnapshot {
  const data = event.data as unknown as RolloutCreatedData;
  const { release, plan } = data;
  return {
    id: data.rolloutId,
    releaseId: release.id,
    service: release.service,
    environment: data.environment,
    version: release.version,
    previousVersion: release.previousVersion,
    releaseType: release.type,
    state: 'pending',
    stepIndex: 0,
    weight: 0,
    plan,
    steps: plan.steps.map(() => ({ state: 'pending' })),
    epoch: data.epoch,
    lastSeq: seq,
    createdAt: event.at,
    updatedAt: event.at,
  };
}

/** Apply one event to a snapshot (pure). Unknown event types change only seq and time. */
export function applyEvent(
  snapshot: RolloutSnapshot | undefined,
  event: NewEvent,
  seq?: number,
): RolloutSnapshot {
  if (event.type === 'rollout.created') return created(event, seq ?? 1);
  if (snapshot === undefined) {
    throw new RollgateError('store_corrupt', `the timeline starts with "${event.type}"`, {
      hint: 'the first event of a rollout must be rollout.created',
    });
  }
  const d = event.data;
  let s: RolloutSnapshot = {
    ...snapshot,
    epoch: num(d, 'epoch') ?? snapshot.epoch,
    lastSeq: seq ?? snapshot.lastSeq + 1,
    updatedAt: event.at,
  };
  const step = num(d, 'step') ?? s.stepIndex;
  switch (event.type) {
    case 'rollout.started':
      s = { ...withState(s, 'running'), stepIndex: 0 };
      break;
    case 'step.started':
      s = updateStep({ ...s, stepIndex: step }, step, () => {
        const weight = num(d, 'weight');
        return {
          state: 'running',
          startedAt: event.at,
          ...(weight === undefined ? {} : { detail: { weight } }),
        };
      });
      break;
    case 'step.completed':
      s = updateStep(s, step, (st) => ({ ...st, state: 'succeeded', endedAt: event.at }));
      s = { ...s, stepIndex: num(d, 'next') ?? step + 1 };
      break;
    case 'step.skipped':
      s = updateStep(s, step, (st) => ({ ...st, state: 'skipped', endedAt: event.at }));
      break;
    case 'step.promote_requested':
      s = updateStep(s, step, (st) => withDetail(st, { promoteOnStart: event.actor }));
      break;
    case 'router.weight_set':
      s = { ...s, weight: num(d, 'weight') ?? s.weight };
      break;
    case 'judge.verdict':
    case 'watch.sample':
      s = updateStep(s, step, (st) =>
        withDetail(st, {
          batches: (num(st.detail ?? {}, 'batches') ?? 0) + 1,
          // Where the window ended (older events: the commit time), so the next one tiles.
          lastBatchAt: str(d, 'windowTo') ?? event.at,
          lastDecision: str(d, 'decision'),
          noDataSince: str(d, 'noDataSince'),
          breachSince: d.breachSince,
        }),
      );
      break;
    case 'rollout.paused':
      s = { ...withState(s, 'paused'), pauseReason: str(d, 'reason') ?? 'paused' };
      if (d.approval === true) {
        s = updateStep(s, step, (st) => withDetail(st, { awaitingApproval: true }));
      }
      break;
    case 'rollout.resumed':
      s = withState(s, 'running');
      if (d.restartStep === true) s = updateStep(s, s.stepIndex, () => ({ state: 'pending' }));
      break;
    case 'approval.granted':
      s = updateStep(s, step, (st) =>
        withDetail(st, { awaitingApproval: undefined, approvedBy: event.actor }),
      );
      break;
    case 'rollback.started':
      s = withState(s, 'rolling_back');
      s = updateStep(s, s.stepIndex, (st) =>
        st.state === 'running' ? { ...st, state: 'failed', endedAt: event.at } : st,
      );
      break;
    case 'rollout.retried':
      s = withState(s, 'rolling_back');
      break;
    case 'rollback.completed':
      s = withState(s, 'rolled_back');
      break;
    case 'rollout.failed':
      s = withState(s, 'failed');
      break;
    case 'rollout.completed':
      s = withState(s, 'completed');
      break;
    default:
      break;
  }
  return s;
}

/**
 * Rebuild a rollout's snapshot from its events alone (seq order, starting with
 * rollout.created). Refuses a timeline with a gap: it would rebuild the wrong state.
 */
export function rebuildSnapshot(events: readonly TimelineEvent[]): RolloutSnapshot {
  let s: RolloutSnapshot | undefined;
  let expected = 1;
  for (const e of events) {
    if (e.seq !== expected) {
      throw new RollgateError(
        'store_corrupt',
        `rollout ${e.rolloutId}: event seq ${e.seq} where ${expected} was expected`,
        { hint: 'the timeline has a gap; restore the store from a backup' },
      );
    }
    s = applyEvent(s, e, e.seq);
    expected += 1;
  }
  if (s === undefined) {
    throw new RollgateError('not_found', 'cannot rebuild a rollout from an empty timeline');
  }
  return s;
}
