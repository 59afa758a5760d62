/**
 * The commands people send to a rollout: which state allows which command, and the
 * events each one writes. Illegal commands are refused with the reason.
 */
import { RollgateError } from '../errors/rollgate-error.js';
import { advance, currentStep, describeStep, pause, startRollback } from './rollout-moves.js';
import {
  type Transition,
  TransitionBuilder,
  type TransitionContext,
} from './rollout-transition.js';
import {
  type CommandName,
  ROLLOUT_STATES,
  type RolloutSnapshot,
  type RolloutState,
} from './rollout-types.js';

export interface RolloutCommand {
  name: CommandName;
  /** Why (pause, abort, rollback): lands in the event and the notification. */
  reason?: string;
  /** The observation text (observe). */
  text?: string;
}

/** Which states allow each command (docs/engine.md has the same table). */
export const COMMAND_STATES: Record<CommandName, readonly RolloutState[]> = {
  pause: ['running'],
  resume: ['paused'],
  promote: ['running', 'paused'],
  promote_full: ['running', 'paused'],
  abort: ['pending', 'running', 'paused'],
  rollback: ['pending', 'running', 'paused', 'completed', 'failed'],
  retry: ['failed'],
  observe: ROLLOUT_STATES,
};

const VERB: Record<CommandName, string> = {
  pause: 'pause',
  resume: 'resume',
  promote: 'promote',
  promote_full: 'promote --full',
  abort: 'abort',
  rollback: 'rollback',
  retry: 'retry',
  observe: 'observe',
};

const STATE_WORDS: Record<RolloutState, string> = {
  pending: 'pending (not started yet)',
  running: 'running',
  paused: 'paused',
  rolling_back: 'rolling back',
  rolled_back: 'rolled back',
  completed: 'completed',
  failed: 'failed',
};

function hintFor(command: CommandName, s: RolloutSnapshot): string {
  if (command === 'resume') return 'only a paused rollout can be resumed';
  if (command === 'retry') return 'retry runs the rollback again after it failed';
  if (command === 'abort' && s.state === 'completed') {
    return `use rollback to return ${s.service} to ${s.previousVersion}`;
  }
  if (command === 'pause' && s.state === 'pending') return 'abort it, or pause once it runs';
  if (s.state === 'rolling_back') return 'wait for the rollback to finish';
  if (s.state === 'failed') return 'use retry to run the rollback again';
  return `allowed in: ${COMMAND_STATES[command].join(', ')}`;
}

const ACTOR = /^@[A-Za-z0-9][A-Za-z0-9._-]*$/;

function withReason(base: string, reason: string | undefined): string {
  return reason?.trim() ? `${base}: ${reason.trim()}` : base;
}

/** Apply a person's command to a rollout; throws RollgateError('illegal_command') if refused. */
export function applyCommand(
  s: RolloutSnapshot,
  command: RolloutCommand,
  actor: string,
  ctx: TransitionContext,
): Transition {
  if (!ACTOR.test(actor)) {
    throw new RollgateError('invalid_input', `actor "${actor}" is not a person's @name`, {
      hint: 'commands are signed by a person, e.g. @alice',
    });
  }
  const name = command.name;
  if (!COMMAND_STATES[name].includes(s.state)) {
    throw new RollgateError(
      'illegal_command',
      `cannot ${VERB[name]}: rollout is ${STATE_WORDS[s.state]}`,
      { hint: hintFor(name, s), details: { rolloutId: s.id, state: s.state, command: name } },
    );
  }
  const b = new TransitionBuilder(s, ctx);
  switch (name) {
    case 'observe': {
      const text = command.text?.trim();
      if (!text) {
        throw new RollgateError('invalid_input', 'an observation needs some text', {
          hint: 'e.g. "p99 on /checkout looks flat after 25 %"',
        });
      }
      b.add('observation.added', text, { text, state: s.state, step: s.stepIndex }, actor);
      break;
    }
    case 'pause':
      pause(b, withReason(`paused by ${actor}`, command.reason), actor);
      break;
    case 'resume':
      resume(b, actor);
      break;
    case 'promote':
      promote(b, actor, false);
      break;
    case 'promote_full':
      promote(b, actor, true);
      break;
    case 'abort':
    case 'rollback':
    case 'retry':
      if (s.state === 'failed') {
        b.add(
          'rollout.retried',
          `${actor} retries the rollback to ${s.previousVersion}`,
          { by: actor, command: name },
          actor,
        );
      } else {
        startRollback(
          b,
          { reason: withReason(`${VERB[name]} by ${actor}`, command.reason), trigger: 'person' },
          actor,
        );
      }
      break;
  }
  return b.build();
}

function awaitingApproval(s: RolloutSnapshot): boolean {
  return (
    currentStep(s)?.kind === 'approval' && s.steps[s.stepIndex]?.detail?.awaitingApproval === true
  );
}

function resume(b: TransitionBuilder, actor: string): void {
  const s = b.current;
  const approval = awaitingApproval(s);
  const restartStep = !approval && s.steps[s.stepIndex]?.state === 'running';
  b.add(
    'rollout.resumed',
    restartStep
      ? `resumed by ${actor}; ${describeStep(currentStep(s), s.stepIndex)} starts again`
      : `resumed by ${actor}`,
    { step: s.stepIndex, by: actor, restartStep, previousReason: s.pauseReason },
    actor,
  );
  if (approval) approve(b, actor);
}

function approve(b: TransitionBuilder, actor: string): void {
  const s = b.current;
  b.add(
    'approval.granted',
    `${describeStep(currentStep(s), s.stepIndex)} approved by ${actor}`,
    { step: s.stepIndex, by: actor },
    actor,
  );
  advance(b, actor, `approved by ${actor}`);
}

function promote(b: TransitionBuilder, actor: string, full: boolean): void {
  const s = b.current;
  const approval = awaitingApproval(s);
  if (s.state === 'paused') {
    b.add(
      'rollout.resumed',
      `resumed by ${actor} (promote)`,
      { step: s.stepIndex, by: actor, restartStep: false, previousReason: s.pauseReason },
      actor,
    );
  }
  if (full) {
    for (let i = s.stepIndex + 1; i < s.plan.steps.length; i += 1) {
      const step = s.plan.steps[i];
      if (step?.kind === 'traffic' && step.weight < 100 && s.steps[i]?.state === 'pending') {
        b.add(
          'step.skipped',
          `${describeStep(step, i)} skipped: promote --full by ${actor}`,
          { step: i, kind: step.kind, name: step.name, by: actor },
          actor,
        );
      }
    }
  }
  if (approval) {
    approve(b, actor);
    return;
  }
  const step = currentStep(b.current);
  if (
    step?.kind === 'traffic' &&
    b.current.steps[b.current.stepIndex]?.state === 'pending' &&
    (!full || step.weight >= 100)
  ) {
    // Its weight is not on the router yet: the engine applies it, then the step ends at
    // once (a rollout never completes without the plan's last weight in force).
    b.add(
      'step.promote_requested',
      `${describeStep(step, b.current.stepIndex)} will end as soon as its weight is set (${actor})`,
      { step: b.current.stepIndex, by: actor, full },
      actor,
    );
    return;
  }
  advance(b, actor, full ? `promote --full by ${actor}` : `promoted by ${actor}`);
}
