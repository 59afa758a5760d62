import type { JudgePolicy } from '../../src/core/plan/plan-types.js';

/** The policy rollgate runs with in the benchmark (ADR 0025). */
export function benchPolicy(): JudgePolicy {
  return {
    gates: [
      {
        name: 'error-rate-no-go',
        metric: 'error_rate',
        comparison: 'relative',
        threshold: 0,
        forSeconds: 0,
        action: 'no_go',
      },
      {
        name: 'latency-p99-no-go',
        metric: 'latency_p99',
        comparison: 'relative',
        threshold: 0,
        forSeconds: 0,
        action: 'no_go',
      },
    ],
    criticalEndpoints: [],
    alpha: 0.01,
    beta: 0.05,
    maxNoDataSeconds: 120,
    staleAfterSeconds: 30,
    promoteMargin: 0.2,
  };
}
