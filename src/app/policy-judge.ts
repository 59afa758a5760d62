import { RollgateError } from '../core/errors/rollgate-error.js';
import { createJudge } from '../core/judge/create-judge.js';
import type { Judge } from '../ports/judge.js';

/**
 * The Judge port over core/judge: each traffic step gets a fresh session of the sequential
 * judge, on the judge policy of the rollout's own plan (frozen when the rollout started),
 * which the engine passes with the stage.
 */
export function createPolicyJudge(): Judge {
  return {
    startStage(stage) {
      if (stage.judge === undefined) {
        throw new RollgateError(
          'internal',
          'the engine started a judge stage without its judge policy',
        );
      }
      return createJudge(stage.judge).startStage(stage);
    },
  };
}
