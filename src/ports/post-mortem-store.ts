import type { ActionItem } from '../core/records/post-mortem-parse.js';

/**
 * Post-mortems and their action items (issue #7), next to the Store port: the SQL store
 * (SQLite, PostgreSQL) implements both; a separate interface so the Store's other
 * implementations (memory fakes) need not change. Contract: test/contracts/
 * post-mortem-store-contract.ts, on both backends.
 */
export interface PostMortemRecord {
  /** Incident id, e.g. "PM-ro-250" or "#123". */
  id: string;
  rolloutId: string;
  service: string;
  environment: string;
  failedVersion: string;
  restoredVersion: string;
  createdAt: string;
  /** 48 hours after the rollback, by default. */
  dueAt: string;
  completedAt?: string;
  completedBy?: string;
  /** The filled sections read back from the Markdown (FilledPostMortem), once completed. */
  content?: Record<string, unknown>;
}

export interface StoredActionItem extends ActionItem {
  postMortemId: string;
  service: string;
}

export interface PostMortemFilter {
  service?: string;
  /** Only those not completed. */
  open?: boolean;
  /** Only those not completed and due before this time (ISO 8601). */
  overdueAt?: string;
  limit?: number;
}

export interface ActionItemFilter {
  service?: string;
  /** Only items not done. */
  open?: boolean;
  /** Only items not done and due before this day (YYYY-MM-DD). */
  overdueOn?: string;
}

export interface PostMortemStore {
  /** Refused with RollgateError('conflict') when the id or the rollout already has one. */
  createPostMortem(
    pm: Omit<PostMortemRecord, 'completedAt' | 'completedBy' | 'content'>,
  ): Promise<void>;
  getPostMortem(id: string): Promise<PostMortemRecord | undefined>;
  getPostMortemByRollout(rolloutId: string): Promise<PostMortemRecord | undefined>;
  /** Newest first. */
  listPostMortems(filter?: PostMortemFilter): Promise<PostMortemRecord[]>;
  /**
   * Mark completed with its content and replace its action items, in one transaction.
   * Completing again (a corrected file) replaces both. Unknown id → not_found.
   */
  completePostMortem(
    id: string,
    completion: {
      at: string;
      by: string;
      content: Record<string, unknown>;
      actionItems: ActionItem[];
    },
  ): Promise<void>;
  /** Ordered by due date, then post-mortem and item id. */
  listActionItems(filter?: ActionItemFilter): Promise<StoredActionItem[]>;
  /**
   * Rolled-back rollouts that have no post-mortem yet, oldest first: the work the
   * rollback reaction (app/rollback-records.ts) still owes after a crash.
   */
  listRollbacksWithoutPostMortem(limit: number): Promise<string[]>;
  /**
   * Keep the forensics captured at a rollback. The first capture of a rollout wins: a
   * second call leaves it and returns false.
   */
  saveForensics(capture: ForensicsCapture): Promise<boolean>;
  getForensics(rolloutId: string): Promise<ForensicsCapture | undefined>;
}

/** Forensics captured at the moment of a rollback (core/records/forensics.ts), as stored. */
export interface ForensicsCapture {
  rolloutId: string;
  capturedAt: string;
  /** The ForensicsBundle, JSON. */
  bundle: Record<string, unknown>;
}
