import type { NewRisk, Risk, RiskChange, RiskStatus } from '../core/risk/risk-types.js';

export interface RiskFilter {
  /** Only risks linked to this service. */
  service?: string;
  status?: RiskStatus;
}

export interface RollbackForRisks {
  rolloutId: string;
  service: string;
  /** ISO 8601 time of the rollback. */
  at: string;
  text: string;
  /** The review date a linked risk gets at the latest (YYYY-MM-DD); earlier dates stay. */
  reviewBy: string;
}

/**
 * The risk register (issue #7, seed 003), next to the Store port: the SQL store implements
 * it on SQLite and PostgreSQL (migration 3). Contract: test/contracts/risk-store-contract.ts.
 */
export interface RiskStore {
  /**
   * Validated (core/risk/risk-types.ts `checkNewRisk`); without an id the store gives the
   * next free `RISK-<n>`. A taken id → RollgateError('conflict').
   */
  createRisk(input: NewRisk, by: { at: string; actor: string }): Promise<Risk>;
  getRisk(id: string): Promise<Risk | undefined>;
  /** Highest score first, then review date, then id; each with its history. */
  listRisks(filter?: RiskFilter): Promise<Risk[]>;
  /** Applies a change and appends an `updated` entry, in one transaction. Unknown id → not_found. */
  updateRisk(id: string, change: RiskChange, by: { at: string; actor: string }): Promise<Risk>;
  /**
   * A rollback of `service`: every linked risk that is not closed gets one `rollback`
   * history entry and a review date no later than `reviewBy`. Idempotent per risk and
   * rollout (a second call adds nothing). Returns the ids of the risks it touched now.
   */
  recordRollback(rollback: RollbackForRisks): Promise<string[]>;
}
