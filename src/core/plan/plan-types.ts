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
  judge: JudgePolicy;
  /** Expected total duration (sum of minimum holds, watch windows counted separately). */
  expectedSeconds: number;
}

/**
 * A gate from the policy, in the policy's own terms, resolved to numbers. The judge
 * (core/judge) enforces gates; the policy (core/policy) produces them.
 *
 * - `relative`: canary > baseline × (1 + threshold)   ("p99 > 25 % above baseline" → 0.25)
 * - `delta`: canary − baseline > threshold             ("error rate > 0.1 % above baseline" → 0.001)
 * - `absolute`: canary > threshold                     ("error rate > 1 %" → 0.01, "p99 > 2 s" → 2,
 *   "memory > 85 %" → 0.85, "any 5xx on a critical endpoint" → 0 with metric endpoint_errors)
 *
 * Fractions for rates and percentages (0.001 = 0.1 %), seconds for latency.
 */
export const GATE_METRICS = [
  'error_rate',
  'latency_p50',
  'latency_p90',
  'latency_p95',
  'latency_p99',
  'endpoint_errors',
  'gauge',
] as const;
export type GateMetric = (typeof GATE_METRICS)[number];

export const GATE_ACTIONS = ['pause', 'no_go', 'rollback'] as const;
/** pause = stop and call a person; no_go = roll back once conclusive; rollback = at once. */
export type GateAction = (typeof GATE_ACTIONS)[number];

export interface GateSpec {
  /** Stable name used in findings and events, e.g. "error-rate-no-go". */
  name: string;
  metric: GateMetric;
  /** For metric "gauge": which gauge (e.g. "memory"). */
  gauge?: string;
  /** For metric "endpoint_errors": which endpoints (empty = the critical endpoints). */
  endpoints?: string[];
  comparison: 'relative' | 'delta' | 'absolute';
  threshold: number;
  /** The condition must hold this long before the action fires (0 = at once). */
  forSeconds: number;
  action: GateAction;
}

/** Everything the judge needs from the policy for one rollout. */
export interface JudgePolicy {
  gates: GateSpec[];
  criticalEndpoints: string[];
  /** False-rollback bound α (default 0.01). */
  alpha: number;
  /** Bound on wrongly promoting, β (default 0.05). */
  beta: number;
  /** Consecutive seconds without data before an inconclusive stage pauses. */
  maxNoDataSeconds: number;
  /** Data older than this is stale (treated as missing). */
  staleAfterSeconds: number;
  /**
   * Bound on halting for a broken traffic split (sample-ratio guard); default 0.001.
   */
  srmAlpha?: number;
  /**
   * How much worse than baseline (as a ratio − 1) the canary may be and still promote,
   * used when no gate on a metric states a tolerance above zero; default 0.1.
   */
  promoteMargin?: number;
}
