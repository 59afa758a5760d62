import type { JudgePolicy } from '../plan/plan-types.js';
import type { Scenario } from '../scenario/parse-scenario.js';
import { createJudge } from './create-judge.js';
import type { Decision, StageSpec, Verdict } from './judge-types.js';

/** Decisions that end a stage: the engine acts on them, so the replay stops there. */
export const TERMINAL_DECISIONS: readonly Decision[] = ['promote', 'rollback', 'halt'];

export interface ReplayChange {
  /** The judge's clock when the decision changed (seconds). */
  now: number;
  verdict: Verdict;
}

export interface ReplayResult {
  scenario: string;
  changes: ReplayChange[];
  final: Verdict;
  finalAt: number;
  steps: number;
}

/**
 * Runs the judge over a scenario as one stage, from time 0, and keeps each change of
 * decision. Stops at the first rollback, halt or promote. A pause is latched the way a
 * rollout is paused: the judge keeps watching (a later rollback still fires) but nothing
 * promotes a paused stage, and the final verdict is the pause unless a rollback or halt
 * followed. Pure: same input, same output.
 */
export function replayScenario(
  scenario: Scenario,
  policy: JudgePolicy,
  stage: Omit<StageSpec, 'weight' | 'startSeconds'>,
): ReplayResult {
  const first = scenario.steps.find((s) => s.batch)?.batch;
  const session = createJudge(policy).startStage({
    ...stage,
    weight: first?.weight ?? 0,
    startSeconds: 0,
  });
  const changes: ReplayChange[] = [];
  let last: Verdict | undefined;
  let lastAt = 0;
  let steps = 0;
  let paused: { verdict: Verdict; at: number } | undefined;
  let terminal = false;
  for (const step of scenario.steps) {
    const verdict = session.observe(step.batch, step.now);
    steps++;
    if (paused && verdict.decision === 'promote') continue; // a paused stage never promotes
    if (!last || verdict.decision !== last.decision || verdict.decidedBy !== last.decidedBy) {
      changes.push({ now: step.now, verdict });
    }
    last = verdict;
    lastAt = step.now;
    if (verdict.decision === 'pause') paused ??= { verdict, at: step.now };
    if (TERMINAL_DECISIONS.includes(verdict.decision)) {
      terminal = true;
      break;
    }
  }
  if (!last) {
    last = session.observe(undefined, 0);
    changes.push({ now: 0, verdict: last });
  }
  if (!terminal && paused)
    return {
      scenario: scenario.header.name,
      changes,
      final: paused.verdict,
      finalAt: paused.at,
      steps,
    };
  return { scenario: scenario.header.name, changes, final: last, finalAt: lastAt, steps };
}
