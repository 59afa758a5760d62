import { RollgateError } from '../core/errors/rollgate-error.js';
import type { Judge } from '../ports/judge.js';

/**
 * The Judge port over core/judge. Until the sequential judge (core/judge/create-judge)
 * is merged, a traffic step with analysis cannot be judged: it fails saying so.
 */
export function createPolicyJudge(): Judge {
  return {
    startStage() {
      throw new RollgateError('internal', 'the sequential judge is not in this build yet');
    },
  };
}
