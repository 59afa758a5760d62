/**
 * The HTTP API v1 shapes the dashboard reads (API contract between server and dashboard).
 * Domain types come from core as types only: nothing of the server is bundled.
 */
import type { ReleaseMetrics } from '../../../src/core/records/release-metrics.js';
import type {
  Release,
  RolloutSnapshot,
  RolloutState,
  TimelineEvent,
} from '../../../src/core/rollout/rollout-types.js';

export type { Release, ReleaseMetrics, RolloutSnapshot, RolloutState, TimelineEvent };

export type Role = 'viewer' | 'operator' | 'admin';

export interface WhoAmI {
  actor: string;
  role: Role;
}

export interface RolloutSummary {
  id: string;
  releaseId: string;
  service: string;
  environment: string;
  version: string;
  previousVersion: string;
  releaseType: string;
  state: RolloutState;
  stepIndex: number;
  stepCount: number;
  stepName: string;
  weight: number;
  pauseReason?: string;
  createdAt: string;
  updatedAt: string;
  ageSeconds: number;
}

export interface RolloutDetail {
  rollout: RolloutSnapshot;
  release: Release;
  summary: RolloutSummary;
}

export interface Arm {
  requests: number;
  errors: number;
  errorRate: number;
  p99Ms: number | null;
  exceedances: number | null;
}

export interface ObservationPoint {
  at: string;
  stepIndex: number;
  weight: number;
  canary: Arm;
  baseline: Arm;
}

export interface Gate {
  metric: string;
  threshold: number;
  unit: string;
  label: string;
}

export interface Verdict {
  decision: string;
  reason: string;
  at: string;
  evidence: Record<string, unknown>;
}

export interface Observations {
  points: ObservationPoint[];
  gates: Gate[];
  verdict: Verdict | null;
}

export const COMMAND_NAMES = [
  'pause',
  'resume',
  'promote',
  'promote_full',
  'abort',
  'rollback',
  'retry',
] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

export interface CommandAccepted {
  accepted: true;
  rollout: RolloutSummary;
}

export type PostMortemState = 'open' | 'overdue' | 'completed';

export interface PostMortemSummary {
  id: string;
  rolloutId: string;
  service: string;
  environment: string;
  failedVersion: string;
  restoredVersion: string;
  createdAt: string;
  dueAt: string;
  completedAt?: string;
  completedBy?: string;
  state: PostMortemState;
}

export interface ActionItem {
  id: string;
  action: string;
  owner: string;
  due: string;
  status: string;
  ticket?: string;
  postMortemId?: string;
  service?: string;
}

export interface PostMortemDetail {
  postmortem: PostMortemSummary;
  markdown: string;
  actionItems: ActionItem[];
}

export interface Problem {
  type?: string;
  title: string;
  status: number;
  detail?: string;
  errors?: { path: string; message: string }[];
}
