import type { SqlMigration } from '../../../ports/sql-backend.js';

const IN_FLIGHT = `('pending', 'running', 'paused', 'rolling_back')`;
const STATES = `('pending', 'running', 'paused', 'rolling_back', 'rolled_back', 'completed', 'failed')`;

/** The SQLite schema, one numbered migration at a time. Never edit a released migration: add one. */
export const SQLITE_MIGRATIONS: readonly SqlMigration[] = [
  {
    version: 1,
    name: 'releases, rollouts, events, outbox, leases',
    statements: [
      `create table rollgate_releases (
        id text primary key,
        service text not null,
        version text not null,
        created_at text not null,
        data text not null check (json_valid(data))
      )`,
      `create index rollgate_releases_service on rollgate_releases (service, created_at)`,
      `create table rollgate_rollouts (
        id text primary key,
        release_id text not null,
        service text not null,
        environment text not null,
        state text not null check (state in ${STATES}),
        epoch integer not null check (epoch >= 0),
        last_seq integer not null check (last_seq >= 0),
        created_at text not null,
        updated_at text not null,
        snapshot text not null check (json_valid(snapshot))
      )`,
      // One rollout in flight per service and environment, enforced by the database.
      `create unique index rollgate_rollouts_one_in_flight on rollgate_rollouts (service, environment)
        where state in ${IN_FLIGHT}`,
      `create index rollgate_rollouts_service_env_state on rollgate_rollouts (service, environment, state)`,
      `create index rollgate_rollouts_state on rollgate_rollouts (state)`,
      `create index rollgate_rollouts_created on rollgate_rollouts (created_at)`,
      `create table rollgate_events (
        rollout_id text not null references rollgate_rollouts (id),
        seq integer not null check (seq >= 1),
        at text not null,
        actor text not null,
        type text not null,
        message text not null,
        data text not null check (json_valid(data)),
        primary key (rollout_id, seq)
      )`,
      // The timeline is append-only, in the database too.
      `create trigger rollgate_events_no_update before update on rollgate_events
        begin select raise(abort, 'rollgate_events is append-only'); end`,
      `create trigger rollgate_events_no_delete before delete on rollgate_events
        begin select raise(abort, 'rollgate_events is append-only'); end`,
      `create table rollgate_outbox (
        position integer primary key autoincrement,
        id text not null unique,
        idempotency_key text not null unique,
        rollout_id text,
        route text not null,
        event_type text not null,
        payload text not null check (json_valid(payload)),
        status text not null check (status in ('pending', 'delivered', 'dead')),
        attempts integer not null default 0,
        next_attempt_at text not null,
        last_error text,
        created_at text not null,
        delivered_at text
      )`,
      `create index rollgate_outbox_due on rollgate_outbox (status, next_attempt_at)`,
      `create table rollgate_leases (
        rollout_id text primary key,
        owner text,
        token integer not null check (token >= 1),
        expires_at text not null
      )`,
    ],
  },
  {
    version: 2,
    name: 'post-mortems and action items',
    statements: [
      `create table rollgate_postmortems (
        id text primary key,
        rollout_id text not null unique references rollgate_rollouts (id),
        service text not null,
        environment text not null,
        failed_version text not null,
        restored_version text not null,
        created_at text not null,
        due_at text not null,
        completed_at text,
        completed_by text,
        content text check (content is null or json_valid(content))
      )`,
      `create index rollgate_postmortems_due on rollgate_postmortems (completed_at, due_at)`,
      `create index rollgate_postmortems_service on rollgate_postmortems (service, created_at)`,
      `create table rollgate_action_items (
        postmortem_id text not null references rollgate_postmortems (id),
        id text not null,
        service text not null,
        action text not null,
        owner text not null,
        due text not null,
        status text not null check (status in ('planned', 'in_progress', 'done', 'blocked')),
        ticket text,
        primary key (postmortem_id, id)
      )`,
      `create index rollgate_action_items_due on rollgate_action_items (status, due)`,
    ],
  },
  {
    version: 3,
    name: 'forensics and the risk register',
    statements: [
      `create table rollgate_forensics (
        rollout_id text primary key references rollgate_rollouts (id),
        captured_at text not null,
        bundle text not null check (json_valid(bundle))
      )`,
      `create table rollgate_risks (
        id text primary key,
        title text not null,
        likelihood text not null check (likelihood in ('low', 'medium', 'high')),
        impact text not null check (impact in ('low', 'medium', 'high')),
        owner text not null,
        status text not null check (status in ('open', 'mitigating', 'accepted', 'closed')),
        review_on text not null,
        created_at text not null,
        updated_at text not null
      )`,
      `create table rollgate_risk_services (
        risk_id text not null references rollgate_risks (id),
        service text not null,
        primary key (risk_id, service)
      )`,
      `create index rollgate_risk_services_service on rollgate_risk_services (service)`,
      `create table rollgate_risk_history (
        risk_id text not null references rollgate_risks (id),
        seq integer not null check (seq >= 1),
        at text not null,
        actor text not null,
        kind text not null check (kind in ('created', 'updated', 'rollback')),
        text text not null,
        rollout_id text,
        data text not null check (json_valid(data)),
        primary key (risk_id, seq)
      )`,
      `create unique index rollgate_risk_history_rollout on rollgate_risk_history (risk_id, rollout_id)`,
    ],
  },
  {
    version: 4,
    name: 'incidents, cancelled outbox messages, disabled channels',
    statements: [
      `create table rollgate_incidents (
        id text primary key,
        rollout_id text not null unique references rollgate_rollouts (id),
        release_id text not null,
        service text not null,
        environment text not null,
        version text not null,
        previous_version text not null,
        status text not null check (status in ('open', 'mitigated', 'resolved')),
        reason text not null,
        trigger_kind text not null,
        started_at text not null,
        detected_at text not null,
        notified_at text,
        mitigated_at text,
        resolved_at text,
        postmortem_id text not null,
        postmortem_due_at text not null,
        created_at text not null,
        data text not null check (json_valid(data))
      )`,
      `create index rollgate_incidents_status on rollgate_incidents (status, created_at)`,
      `create index rollgate_incidents_service on rollgate_incidents (service, created_at)`,
      // A delayed message whose condition no longer held: status stays 'dead' (the check
      // constraint of migration 1 is kept), cancelled_at tells it from a dead letter.
      `alter table rollgate_outbox add column cancelled_at text`,
      `create index rollgate_outbox_rollout on rollgate_outbox (rollout_id)`,
      `create table rollgate_disabled_channels (
        channel text primary key,
        disabled_at text not null,
        reason text not null
      )`,
    ],
  },
  {
    version: 5,
    name: 'API tokens',
    statements: [
      `create table rollgate_tokens (
        id text primary key,
        name text not null,
        role text not null check (role in ('viewer', 'operator', 'admin')),
        hash text not null,
        created_at text not null,
        created_by text not null,
        last_used_at text,
        revoked_at text
      )`,
    ],
  },
];
