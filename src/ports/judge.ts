import type { Batch, Verdict } from '../core/judge/judge-types.js';
import type { JudgePolicy } from '../core/plan/plan-types.js';

/**
 * Judge port: the engine feeds it the stage's batches in order and acts on its verdict.
 * The implementation is core/judge (pure, deterministic); a session is one traffic step.
 */
export interface JudgeSession {
  /** Add one batch (or `undefined` when the metric source had no data) and decide. */
  observe(batch: Batch | undefined, nowSeconds: number): Verdict;
}

export interface JudgeStage {
  weight: number;
  minHoldSeconds: number;
  maxHoldSeconds: number;
  minCanaryRequests: number;
  onTimeout: 'promote' | 'pause' | 'rollback';
  /**
   * Stage start on the `nowSeconds` clock. Default: the `nowSeconds` of the first
   * `observe` call (elapsed time then undercounts by at most one batch).
   */
  startSeconds?: number;
  /** The gates and bounds of the rollout's own plan (`plan.judge`), frozen at its start. */
  judge?: JudgePolicy;
}

export interface Judge {
  startStage(stage: JudgeStage): JudgeSession;
}
