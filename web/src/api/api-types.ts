/**
 * The HTTP API v1 shapes the dashboard reads (API contract between server and dashboard).
 * They come from core, the ports and the server as types only (`import type` vanishes in
 * the Vite build): nothing of the server is bundled, and the two sides cannot drift.
 */
import type { PostMortemState } from '../../../src/core/records/incident-times.js';
import type { ReleaseMetrics } from '../../../src/core/records/release-metrics.js';
import type {
  Release,
  RolloutSnapshot,
  RolloutState,
  TimelineEvent,
} from '../../../src/core/rollout/rollout-types.js';
import type { PostMortemRecord, StoredActionItem } from '../../../src/ports/post-mortem-store.js';
import type { ApiCommand, Role } from '../../../src/server/api-schemas.js';
import type {
  Arm,
  Gate,
  ObservationPoint,
  Observations,
  ObservedVerdict,
} from '../../../src/server/observations.js';
import type { RolloutSummary } from '../../../src/server/rollout-summary.js';

export type {
  Arm,
  Gate,
  ObservationPoint,
  Observations,
  PostMortemState,
  Release,
  ReleaseMetrics,
  Role,
  RolloutSnapshot,
  RolloutState,
  RolloutSummary,
  TimelineEvent,
};
export type Verdict = ObservedVerdict;
/** The commands a person sends through `POST /rollouts/:id/commands`. */
export type CommandName = ApiCommand;
/** An action item as `GET /postmortems/:id` and `GET /action-items` list it. */
export type ActionItem = StoredActionItem;

export interface WhoAmI {
  actor: string;
  role: Role;
}

export interface RolloutDetail {
  rollout: RolloutSnapshot;
  release: Release;
  summary: RolloutSummary;
}

export interface CommandAccepted {
  accepted: true;
  rollout: RolloutSummary;
}

/** A post-mortem with where it stands against its deadline (`GET /postmortems`). */
export type PostMortemSummary = PostMortemRecord & { state: PostMortemState };

export interface PostMortemDetail {
  postmortem: PostMortemSummary;
  markdown: string;
  actionItems: ActionItem[];
}

/** A failed call's problem+json, as the client keeps it (it fills what the server left out). */
export interface Problem {
  type?: string;
  title: string;
  status: number;
  detail?: string;
  errors?: { path: string; message: string }[];
}
