import type { Generated } from 'kysely';

/**
 * The tables of a rollgate store, as Kysely sees them (both backends; the DDL is in each
 * backend's migrations). JSON columns hold text on SQLite and `json` on PostgreSQL; the
 * store writes JSON text and accepts either a string or a parsed value back.
 */
export interface MigrationsTable {
  version: number;
  name: string;
  applied_at: string;
}

export interface ReleasesTable {
  id: string;
  service: string;
  version: string;
  created_at: string;
  data: unknown;
}

export interface RolloutsTable {
  id: string;
  release_id: string;
  service: string;
  environment: string;
  state: string;
  epoch: number;
  last_seq: number;
  created_at: string;
  updated_at: string;
  snapshot: unknown;
}

export interface EventsTable {
  rollout_id: string;
  seq: number;
  at: string;
  actor: string;
  type: string;
  message: string;
  data: unknown;
}

export interface OutboxTable {
  /** Insertion order (autoincrement / bigserial): ties in `created_at` keep it. */
  position: Generated<number | string>;
  id: string;
  idempotency_key: string;
  rollout_id: string | null;
  route: string;
  event_type: string;
  payload: unknown;
  status: string;
  attempts: number;
  next_attempt_at: string;
  last_error: string | null;
  created_at: string;
  delivered_at: string | null;
  /** Migration 4: set when a delayed message was cancelled (status 'dead'). */
  cancelled_at?: string | null;
}

export interface IncidentsTable {
  id: string;
  rollout_id: string;
  release_id: string;
  service: string;
  environment: string;
  version: string;
  previous_version: string;
  status: string;
  reason: string;
  trigger_kind: string;
  started_at: string;
  detected_at: string;
  notified_at: string | null;
  mitigated_at: string | null;
  resolved_at: string | null;
  postmortem_id: string;
  postmortem_due_at: string;
  created_at: string;
  data: unknown;
}

export interface DisabledChannelsTable {
  channel: string;
  disabled_at: string;
  reason: string;
}

export interface LeasesTable {
  rollout_id: string;
  /** null once released; the token survives so fencing stays monotonic. */
  owner: string | null;
  token: number;
  expires_at: string;
}

export interface PostMortemsTable {
  id: string;
  rollout_id: string;
  service: string;
  environment: string;
  failed_version: string;
  restored_version: string;
  created_at: string;
  due_at: string;
  completed_at: string | null;
  completed_by: string | null;
  content: unknown;
}

export interface ActionItemsTable {
  postmortem_id: string;
  id: string;
  service: string;
  action: string;
  owner: string;
  due: string;
  status: string;
  ticket: string | null;
}

export interface ForensicsTable {
  rollout_id: string;
  captured_at: string;
  bundle: unknown;
}

export interface RisksTable {
  id: string;
  title: string;
  likelihood: string;
  impact: string;
  owner: string;
  status: string;
  review_on: string;
  created_at: string;
  updated_at: string;
}

export interface RiskServicesTable {
  risk_id: string;
  service: string;
}

export interface RiskHistoryTable {
  risk_id: string;
  seq: number;
  at: string;
  actor: string;
  kind: string;
  text: string;
  rollout_id: string | null;
  data: unknown;
}

export interface TokensTable {
  id: string;
  name: string;
  role: string;
  /** scrypt hash of the secret, never the secret. */
  hash: string;
  created_at: string;
  created_by: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface StoreSchema {
  rollgate_migrations: MigrationsTable;
  rollgate_releases: ReleasesTable;
  rollgate_rollouts: RolloutsTable;
  rollgate_events: EventsTable;
  rollgate_outbox: OutboxTable;
  rollgate_leases: LeasesTable;
  rollgate_postmortems: PostMortemsTable;
  rollgate_action_items: ActionItemsTable;
  rollgate_forensics: ForensicsTable;
  rollgate_risks: RisksTable;
  rollgate_risk_services: RiskServicesTable;
  rollgate_risk_history: RiskHistoryTable;
  rollgate_tokens: TokensTable;
  rollgate_incidents: IncidentsTable;
  rollgate_disabled_channels: DisabledChannelsTable;
}

export const MIGRATIONS_TABLE = 'rollgate_migrations';
