/**
 * A rollout's timeline read back into what the records need: the release and plan it
 * ran, when each step started and ended, the measurements recorded with each batch, the
 * rollback and its evidence, and what people observed. Pure: events in, a summary out.
 */
import { RollgateError } from '../errors/rollgate-error.js';
import type { ArmBatch, Batch, Finding } from '../judge/judge-types.js';
import type { PlanStep, ResolvedPlan } from '../plan/plan-types.js';
import type { RolloutCreatedData } from '../rollout/rollout-reducer.js';
import type { Release, RolloutState, TimelineEvent } from '../rollout/rollout-types.js';
import { ms } from './record-format.js';

export type ReleaseResult = 'success' | 'rollback' | 'partial' | 'in_progress';

/** One recorded batch: both arms (traffic steps) or the new version only (watch steps). */
export interface RecordedBatch {
  at: string;
  step: number;
  /** Seconds since the step started. */
  t: number;
  weight: number;
  windowFrom: string;
  baseline?: ArmBatch;
  canary: ArmBatch;
}

export interface StepHistory {
  index: number;
  step: PlanStep;
  /** When the step (last) started; a resume that restarts the step starts it again. */
  startedAt?: string;
  /** Every start of the step, oldest first. */
  starts: string[];
  endedAt?: string;
  outcome: 'pending' | 'running' | 'completed' | 'skipped' | 'rolled_back';
  /** Who ended it: judge, hold, deployer, checks, or @person. */
  by?: string;
  reason?: string;
  batches: RecordedBatch[];
}

export interface RollbackHistory {
  startedAt: string;
  completedAt?: string;
  failedAt?: string;
  actor: string;
  reason: string;
  trigger: string;
  decidedBy?: string;
  page: boolean;
  step: number;
  fromState: string;
  to: string;
  /** The acting verdict's findings, when the judge decided. */
  findings: Finding[];
  /** The acting judge.verdict or watch.sample event, when there is one. */
  evidence?: TimelineEvent;
}

export interface RolloutHistory {
  rolloutId: string;
  release: Release;
  plan: ResolvedPlan;
  environment: string;
  createdAt: string;
  createdBy: string;
  startedAt: string;
  /** When it completed, rolled back or failed; undefined while in flight. */
  endedAt?: string;
  state: RolloutState;
  result: ReleaseResult;
  steps: StepHistory[];
  rollback?: RollbackHistory;
  events: TimelineEvent[];
}

function num(d: Record<string, unknown>, k: string): number | undefined {
  const v = d[k];
  return typeof v === 'number' ? v : undefined;
}

function str(d: Record<string, unknown>, k: string): string | undefined {
  const v = d[k];
  return typeof v === 'string' ? v : undefined;
}

/** Read one rollout's events (in seq order) into a history. */
export function readRolloutHistory(events: readonly TimelineEvent[]): RolloutHistory {
  const first = events[0];
  if (first === undefined || first.type !== 'rollout.created') {
    throw new RollgateError(
      'invalid_input',
      `a rollout timeline must start with rollout.created${first ? `, not ${first.type}` : ''}`,
      { hint: 'pass every event of the rollout, in seq order' },
    );
  }
  const created = first.data as unknown as RolloutCreatedData;
  const steps: StepHistory[] = created.plan.steps.map((step, index) => ({
    index,
    step,
    outcome: 'pending',
    starts: [],
    batches: [],
  }));
  const h: RolloutHistory = {
    rolloutId: created.rolloutId,
    release: created.release,
    plan: created.plan,
    environment: created.environment,
    createdAt: first.at,
    createdBy: first.actor,
    startedAt: first.at,
    state: 'pending',
    result: 'in_progress',
    steps,
    events: [...events],
  };
  let lastEvidence: TimelineEvent | undefined;
  for (const e of events) {
    const d = e.data;
    const i = num(d, 'step');
    const step = i === undefined ? undefined : steps[i];
    switch (e.type) {
      case 'rollout.started':
        h.startedAt = e.at;
        h.state = 'running';
        break;
      case 'step.started':
        if (step) {
          step.startedAt = e.at;
          step.starts.push(e.at);
          step.outcome = 'running';
        }
        break;
      case 'step.completed':
        if (step) {
          step.endedAt = e.at;
          step.outcome = 'completed';
          const by = str(d, 'by');
          const reason = str(d, 'reason');
          if (by !== undefined) step.by = by;
          if (reason !== undefined) step.reason = reason;
        }
        break;
      case 'step.skipped':
        if (step) {
          step.outcome = 'skipped';
          step.by = str(d, 'by') ?? e.actor;
        }
        break;
      case 'judge.verdict': {
        const batch = d.batch as Batch | null | undefined;
        if (step && batch) {
          step.batches.push({
            at: e.at,
            step: step.index,
            t: num(d, 't') ?? batch.t,
            weight: batch.weight,
            windowFrom: str(d, 'windowFrom') ?? e.at,
            baseline: batch.baseline,
            canary: batch.canary,
          });
        }
        const decision = str(d, 'decision');
        if (decision === 'rollback' || decision === 'halt' || decision === 'pause')
          lastEvidence = e;
        break;
      }
      case 'watch.sample': {
        const arm = d.arm as ArmBatch | null | undefined;
        if (step && arm) {
          step.batches.push({
            at: e.at,
            step: step.index,
            t: num(d, 't') ?? 0,
            weight: 100,
            windowFrom: str(d, 'windowFrom') ?? e.at,
            canary: arm,
          });
        }
        const decision = str(d, 'decision');
        if (decision === 'rollback' || decision === 'pause') lastEvidence = e;
        break;
      }
      case 'rollout.paused':
        h.state = 'paused';
        break;
      case 'rollout.resumed':
        h.state = 'running';
        break;
      case 'rollback.started': {
        h.state = 'rolling_back';
        const at = i ?? 0;
        const trigger = str(d, 'trigger') ?? 'person';
        const evidence =
          (trigger === 'judge' || trigger === 'watch') && lastEvidence ? lastEvidence : undefined;
        const decidedBy = str(d, 'decidedBy');
        h.rollback = {
          startedAt: e.at,
          actor: e.actor,
          reason: str(d, 'reason') ?? e.message,
          trigger,
          page: d.page === true,
          step: at,
          fromState: str(d, 'fromState') ?? 'running',
          to: str(d, 'to') ?? h.release.previousVersion,
          findings: (evidence?.data.findings as Finding[] | undefined) ?? [],
          ...(decidedBy === undefined ? {} : { decidedBy }),
          ...(evidence === undefined ? {} : { evidence }),
        };
        const running = steps[at];
        if (running && running.outcome === 'running') {
          running.outcome = 'rolled_back';
          running.endedAt = e.at;
        }
        break;
      }
      case 'rollback.completed':
        h.state = 'rolled_back';
        h.endedAt = e.at;
        if (h.rollback) h.rollback.completedAt = e.at;
        break;
      case 'rollout.failed':
        h.state = 'failed';
        h.endedAt = e.at;
        if (h.rollback) h.rollback.failedAt = e.at;
        break;
      case 'rollout.retried':
        h.state = 'rolling_back';
        break;
      case 'rollout.completed':
        h.state = 'completed';
        h.endedAt = e.at;
        break;
    }
  }
  h.result =
    h.state === 'completed'
      ? 'success'
      : h.state === 'rolled_back'
        ? 'rollback'
        : h.state === 'failed'
          ? 'partial'
          : 'in_progress';
  if (h.result === 'in_progress') delete h.endedAt;
  return h;
}

/** Seconds from the rollout's start to its end (or to `now` while in flight). */
export function rolloutSeconds(h: RolloutHistory, now?: string): number {
  const end = h.endedAt ?? now ?? h.events[h.events.length - 1]?.at ?? h.startedAt;
  return (ms(end) - ms(h.startedAt)) / 1000;
}

/** Seconds a step took from its first start to its end (pauses and restarts included). */
export function stepSeconds(s: StepHistory): number | undefined {
  const first = s.starts[0] ?? s.startedAt;
  if (first === undefined || s.endedAt === undefined) return undefined;
  return (ms(s.endedAt) - ms(first)) / 1000;
}

/**
 * The step's batches of the attempt running at `at` (after a restart, a fresh judge
 * session sees only its own batches, and so does the evidence quoted for its decision).
 */
export function attemptBatches(s: StepHistory | undefined, at: string): RecordedBatch[] {
  if (s === undefined) return [];
  const t = ms(at);
  const start = s.starts.filter((x) => ms(x) <= t).at(-1);
  const from = start === undefined ? Number.NEGATIVE_INFINITY : ms(start);
  return s.batches.filter((b) => ms(b.at) <= t && ms(b.at) >= from);
}

/** Every recorded batch of the rollout, in time order. */
export function allBatches(h: RolloutHistory): RecordedBatch[] {
  return h.steps.flatMap((s) => s.batches).sort((a, b) => ms(a.at) - ms(b.at));
}
