import type { RolloutSnapshot } from '../core/rollout/rollout-types.js';

/** `RolloutSummary` (docs/api.md): what a list row and the live snapshot event show. */
export interface RolloutSummary {
  id: string;
  releaseId: string;
  service: string;
  environment: string;
  version: string;
  previousVersion: string;
  releaseType: RolloutSnapshot['releaseType'];
  state: RolloutSnapshot['state'];
  stepIndex: number;
  stepCount: number;
  stepName: string;
  weight: number;
  pauseReason?: string;
  createdAt: string;
  updatedAt: string;
  ageSeconds: number;
}

export function toSummary(s: RolloutSnapshot, nowMs: number): RolloutSummary {
  const step = s.plan.steps[s.stepIndex];
  return {
    id: s.id,
    releaseId: s.releaseId,
    service: s.service,
    environment: s.environment,
    version: s.version,
    previousVersion: s.previousVersion,
    releaseType: s.releaseType,
    state: s.state,
    stepIndex: s.stepIndex,
    stepCount: s.plan.steps.length,
    stepName: step ? step.name : '',
    weight: s.weight,
    ...(s.pauseReason === undefined ? {} : { pauseReason: s.pauseReason }),
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
    ageSeconds: Math.max(0, Math.round((nowMs - Date.parse(s.createdAt)) / 1000)),
  };
}
