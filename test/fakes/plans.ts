import type {
  JudgePolicy,
  PlanStep,
  ResolvedPlan,
  TrafficStep,
} from '../../src/core/plan/plan-types.js';
import type { Release, ReleaseType } from '../../src/core/rollout/rollout-types.js';

/** Plans built by hand, shaped like the seeds' strategies (the policy model builds real ones). */
export const JUDGE_POLICY: JudgePolicy = {
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
      name: 'error-rate-ceiling',
      metric: 'error_rate',
      comparison: 'absolute',
      threshold: 0.02,
      forSeconds: 180,
      action: 'rollback',
    },
    {
      name: 'critical-endpoint-5xx',
      metric: 'endpoint_errors',
      comparison: 'absolute',
      threshold: 0,
      forSeconds: 0,
      action: 'rollback',
    },
    {
      name: 'memory',
      metric: 'gauge',
      gauge: 'memory',
      comparison: 'absolute',
      threshold: 0.85,
      forSeconds: 300,
      action: 'rollback',
    },
  ],
  criticalEndpoints: ['/v1/payment/process'],
  alpha: 0.01,
  beta: 0.05,
  maxNoDataSeconds: 120,
  staleAfterSeconds: 60,
};

const MIN = 60;

export function traffic(weight: number, holdMinutes: number, analysis = true): TrafficStep {
  return {
    kind: 'traffic',
    name: `canary-${weight}`,
    weight,
    minHoldSeconds: holdMinutes * MIN,
    maxHoldSeconds: holdMinutes * MIN * 3,
    minCanaryRequests: 500,
    onTimeout: 'pause',
    analysis,
  };
}

const preflight: PlanStep = {
  kind: 'checks',
  name: 'preflight',
  phase: 'preflight',
  checks: ['health'],
};
const smoke: PlanStep = {
  kind: 'checks',
  name: 'smoke',
  phase: 'smoke',
  checks: ['health', 'login-flow'],
};
const deployCanary: PlanStep = { kind: 'deploy', name: 'deploy-canary', target: 'canary' };
const deployStable: PlanStep = { kind: 'deploy', name: 'deploy-stable', target: 'stable' };
const approval = (name: string): PlanStep => ({
  kind: 'approval',
  name,
  approvers: ['@release-managers'],
});
const watch = (minutes: number): PlanStep => ({
  kind: 'watch',
  name: 'watch-immediate',
  window: 'immediate',
  durationSeconds: minutes * MIN,
});

function plan(type: ReleaseType, strategy: string, steps: PlanStep[]): ResolvedPlan {
  const expectedSeconds = steps.reduce(
    (sum, s) =>
      sum + (s.kind === 'traffic' ? s.minHoldSeconds : s.kind === 'watch' ? s.durationSeconds : 0),
    0,
  );
  return {
    service: 'payments',
    environment: 'production',
    releaseType: type,
    strategy,
    steps,
    judge: JUDGE_POLICY,
    expectedSeconds,
  };
}

/** patch: a quick canary. */
export const patchPlan = () =>
  plan('patch', 'quick-canary', [
    deployCanary,
    smoke,
    traffic(10, 5),
    traffic(100, 0, false),
    deployStable,
    watch(30),
  ]);

/** minor: 5 → 25 → 50 → 100. */
export const minorPlan = () =>
  plan('minor', 'canary', [
    preflight,
    deployCanary,
    smoke,
    traffic(5, 10),
    traffic(25, 10),
    traffic(50, 10),
    traffic(100, 0, false),
    deployStable,
    watch(30),
  ]);

/** major: extended canary 10 → 25 → 50 → 100 with an approval; about three hours. */
export const majorPlan = () =>
  plan('major', 'extended-canary', [
    preflight,
    deployCanary,
    smoke,
    traffic(10, 45),
    traffic(25, 45),
    approval('go-to-50'),
    traffic(50, 45),
    traffic(100, 0, false),
    deployStable,
    watch(45),
  ]);

/** breaking: staged, with approvals before the canary and before 50 %. */
export const breakingPlan = () =>
  plan('breaking', 'staged', [
    preflight,
    approval('migration-ready'),
    deployCanary,
    smoke,
    traffic(5, 30),
    traffic(25, 30),
    approval('go-to-50'),
    traffic(50, 30),
    traffic(100, 0, false),
    deployStable,
    watch(60),
  ]);

export const PLANS = {
  patch: patchPlan,
  minor: minorPlan,
  major: majorPlan,
  breaking: breakingPlan,
};

export function release(type: ReleaseType = 'minor', n = 1): Release {
  return {
    id: `rel-${type}-${n}`,
    service: 'payments',
    version: `v2.${n}.0`,
    previousVersion: `v2.${n - 1}.0`,
    type,
    risk: type === 'major' || type === 'breaking' ? 'high' : 'low',
    createdAt: '2026-03-02T08:55:00.000Z',
    createdBy: '@alice',
  };
}
