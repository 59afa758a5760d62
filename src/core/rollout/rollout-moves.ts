/**
 * The moves commands and engine inputs share: advance past the current step, pause,
 * start a rollback. Each appends events to a TransitionBuilder.
 */
import type { PlanStep } from '../plan/plan-types.js';
import { SYSTEM_ACTOR } from './rollout-events.js';
import type { TransitionBuilder } from './rollout-transition.js';
import type { RolloutSnapshot } from './rollout-types.js';

export function currentStep(s: RolloutSnapshot): PlanStep | undefined {
  return s.plan.steps[s.stepIndex];
}

export function describeStep(step: PlanStep | undefined, index: number): string {
  if (step === undefined) return `step ${index + 1}`;
  const weight = step.kind === 'traffic' ? ` (${step.weight} %)` : '';
  return `step ${index + 1} '${step.name}'${weight}`;
}

/** First index after `from` whose step is not skipped (steps.length when none is left). */
function nextIndex(s: RolloutSnapshot, from: number): number {
  let i = from + 1;
  while (i < s.steps.length && s.steps[i]?.state === 'skipped') i += 1;
  return i;
}

/**
 * End the current step and move to the next one (or complete the rollout).
 * `by` is who ended it: 'judge', 'hold', 'deployer', 'checks', or a person's `@name`.
 */
export function advance(b: TransitionBuilder, by: string, reason: string): void {
  const s = b.current;
  const i = s.stepIndex;
  const step = currentStep(s);
  const next = nextIndex(s, i);
  const actor = by.startsWith('@') ? by : SYSTEM_ACTOR;
  b.add(
    'step.completed',
    `${describeStep(step, i)} completed: ${reason}`,
    { step: i, kind: step?.kind, name: step?.name, by, reason, next },
    actor,
  );
  if (step?.kind === 'traffic' || by.startsWith('@')) {
    const nextStep = s.plan.steps[next];
    b.add(
      'rollout.promoted',
      nextStep
        ? `promoted past ${describeStep(step, i)} to ${describeStep(nextStep, next)}`
        : `promoted past ${describeStep(step, i)}`,
      {
        step: i,
        next,
        weight: step?.kind === 'traffic' ? step.weight : b.current.weight,
        by,
        reason,
      },
      actor,
      { type: 'rollout.promoted' },
    );
  }
  if (next >= s.steps.length) {
    b.add(
      'rollout.completed',
      `${s.service} ${s.version} completed in ${s.environment}`,
      { version: s.version, reason },
      SYSTEM_ACTOR,
      { type: 'rollout.completed' },
    );
  }
}

export function pause(
  b: TransitionBuilder,
  reason: string,
  actor: string = SYSTEM_ACTOR,
  extra: Record<string, unknown> = {},
): void {
  const s = b.current;
  b.add(
    'rollout.paused',
    `paused at ${describeStep(currentStep(s), s.stepIndex)}: ${reason}`,
    { step: s.stepIndex, reason, by: actor, ...extra },
    actor,
    { type: 'rollout.paused' },
  );
}

export interface RollbackStart {
  reason: string;
  /** What asked for it: 'person', 'judge', 'watch', 'check', 'approval_timeout'. */
  trigger: string;
  /** Page a person (a halt: the comparison itself is void). */
  page?: boolean;
  decidedBy?: string;
}

export function startRollback(
  b: TransitionBuilder,
  r: RollbackStart,
  actor: string = SYSTEM_ACTOR,
): void {
  const s = b.current;
  b.add(
    'rollback.started',
    `rolling back ${s.service} to ${s.previousVersion}: ${r.reason}`,
    {
      step: s.stepIndex,
      fromState: s.state,
      reason: r.reason,
      trigger: r.trigger,
      page: r.page === true,
      to: s.previousVersion,
      ...(r.decidedBy === undefined ? {} : { decidedBy: r.decidedBy }),
    },
    actor,
    r.page ? { type: 'rollout.halted', pageOnly: true } : undefined,
  );
}
