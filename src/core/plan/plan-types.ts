/**
 * A resolved plan: the ordered steps a rollout executes, produced from the policy
 * (core/policy) for one release type, consumed by the rollout machine and the engine.
 * Durations are in seconds; weights in percent (0..100). Pure data, JSON-serialisable.
 */

export const STEP_KINDS = ['checks', 'deploy', 'traffic', 'approval', 'watch'] as const;
export type StepKind = (typeof STEP_KINDS)[number];

export type TimeoutAction = 'promote' | 'pause' | 'rollback';

export interface ChecksStep {
  kind: 'checks';
  name: string;
  /** "preflight" | "smoke" | "verification" or a user name. */
  phase: string;
  /** Names of checks from the policy's `checks` section. */
  checks: string[];
}

export interface DeployStep {
  kind: 'deploy';
  name: string;
  target: 'canary' | 'stable';
}

export interface TrafficStep {
  kind: 'traffic';
  name: string;
  /** Canary weight to set at the start of the step. */
  weight: number;
  /** Minimum time at this weight before the judge may promote. */
  minHoldSeconds: number;
  /** Maximum time; then `onTimeout` applies. */
  maxHoldSeconds: number;
  /** Minimum canary requests before the judge may promote. */
  minCanaryRequests: number;
  onTimeout: TimeoutAction;
  /** Whether the judge analyses this step (false = hold only). */
  analysis: boolean;
}

export interface ApprovalStep {
  kind: 'approval';
  name: string;
  /** Who may approve, e.g. ["@release-managers"]; empty = any operator. */
  approvers: string[];
  timeoutSeconds?: number;
}

export interface WatchStep {
  kind: 'watch';
  name: string;
  /** e.g. "immediate" (0-30 min). */
  window: string;
  durationSeconds: number;
}

export type PlanStep = ChecksStep | DeployStep | TrafficStep | ApprovalStep | WatchStep;

export interface ResolvedPlan {
  service: string;
  environment: string;
  releaseType: string;
  strategy: string;
  steps: PlanStep[];
  /** Expected total duration (sum of minimum holds, watch windows counted separately). */
  expectedSeconds: number;
}
