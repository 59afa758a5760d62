import type { StageSpec } from '../../core/judge/judge-types.js';
import type { JudgePolicy } from '../../core/plan/plan-types.js';

/**
 * The judge policy `rollgate judge replay` uses until policy files load.
 * REPLACED BY THE POLICY'S RESOLVED JUDGE SECTION ON MERGE (the policy loader is built on
 * another branch); the figures are the seeds' defaults (seeds/002 "Rollout Monitoring
 * Thresholds" and "Go/No-Go Criteria", seeds/003 automatic rollback triggers).
 */
export function defaultJudgePolicy(): JudgePolicy {
  return {
    gates: [
      {
        name: 'error-rate-pause',
        metric: 'error_rate',
        comparison: 'delta',
        threshold: 0.001,
        forSeconds: 0,
        action: 'pause',
      },
      {
        name: 'latency-p99-pause',
        metric: 'latency_p99',
        comparison: 'relative',
        threshold: 0.1,
        forSeconds: 0,
        action: 'pause',
      },
      {
        name: 'error-rate-no-go',
        metric: 'error_rate',
        comparison: 'delta',
        threshold: 0.01,
        forSeconds: 300,
        action: 'no_go',
      },
      {
        name: 'latency-p99-no-go',
        metric: 'latency_p99',
        comparison: 'relative',
        threshold: 0.25,
        forSeconds: 0,
        action: 'no_go',
      },
      {
        name: 'error-rate-rollback',
        metric: 'error_rate',
        comparison: 'absolute',
        threshold: 0.01,
        forSeconds: 120,
        action: 'rollback',
      },
      {
        name: 'latency-p99-rollback',
        metric: 'latency_p99',
        comparison: 'absolute',
        threshold: 2,
        forSeconds: 180,
        action: 'rollback',
      },
      {
        name: 'critical-endpoint-errors',
        metric: 'endpoint_errors',
        comparison: 'absolute',
        threshold: 0,
        forSeconds: 0,
        action: 'rollback',
      },
      {
        name: 'memory-rollback',
        metric: 'gauge',
        gauge: 'memory',
        comparison: 'absolute',
        threshold: 0.85,
        forSeconds: 300,
        action: 'rollback',
      },
    ],
    criticalEndpoints: [],
    alpha: 0.01,
    beta: 0.05,
    maxNoDataSeconds: 120,
    staleAfterSeconds: 30,
  };
}

/** The stage a replay runs as (one traffic step); also replaced by the plan on merge. */
export function defaultReplayStage(): Omit<StageSpec, 'weight' | 'startSeconds'> {
  return { minHoldSeconds: 300, maxHoldSeconds: 3600, minCanaryRequests: 1000, onTimeout: 'pause' };
}
