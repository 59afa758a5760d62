import type { RolloutSnapshot, TimelineEvent } from '../core/rollout/rollout-types.js';
import { textTable } from './text-table.js';

const STATE_WORDS: Record<RolloutSnapshot['state'], string> = {
  pending: 'pending',
  running: 'running',
  paused: 'PAUSED',
  rolling_back: 'ROLLING BACK',
  rolled_back: 'rolled back',
  completed: 'completed',
  failed: 'FAILED (the rollback failed: act now)',
};

/** "step 4/9 canary 5% (traffic)". */
export function describeStepOf(s: RolloutSnapshot): string {
  const step = s.plan.steps[s.stepIndex];
  if (step === undefined) return `step ${s.stepIndex + 1}/${s.plan.steps.length}`;
  return `step ${s.stepIndex + 1}/${s.plan.steps.length} ${step.name} (${step.kind})`;
}

/** One timeline line: time, actor, type, message. */
export function renderEvent(e: TimelineEvent): string {
  return `  ${e.at}  #${e.seq}  ${e.actor}  ${e.type}  ${e.message}`;
}

/** `rollgate status ID`: where the rollout is and what happened last. */
export function renderRollout(s: RolloutSnapshot, events: TimelineEvent[], tail = 10): string {
  const lines = [
    `rollout ${s.id}: ${s.service} / ${s.environment}, ${s.version} replacing ${s.previousVersion} (${s.releaseType})`,
    `  state:   ${STATE_WORDS[s.state]}`,
    `  step:    ${describeStepOf(s)}`,
    `  weight:  ${s.weight}% on ${s.version}`,
  ];
  if (s.pauseReason && s.state === 'paused') lines.push(`  paused:  ${s.pauseReason}`);
  lines.push(`  started: ${s.createdAt}   updated: ${s.updatedAt}`);
  const shown = events.slice(-tail);
  if (shown.length > 0) {
    lines.push(
      events.length > shown.length
        ? `last ${shown.length} of ${events.length} events:`
        : `${events.length} events:`,
    );
    for (const e of shown) lines.push(renderEvent(e));
  }
  return `${lines.join('\n')}\n`;
}

/** A table of rollouts (status without an id, history). */
export function renderRolloutTable(rollouts: RolloutSnapshot[]): string {
  const rows = rollouts.map((s) => [
    s.id,
    s.service,
    s.environment,
    s.version,
    s.previousVersion,
    s.releaseType,
    s.state,
    describeStepOf(s),
    `${s.weight}%`,
    s.createdAt,
  ]);
  return `${textTable(
    ['id', 'service', 'env', 'version', 'replaces', 'type', 'state', 'step', 'weight', 'started'],
    rows,
    '',
  )}\n`;
}
