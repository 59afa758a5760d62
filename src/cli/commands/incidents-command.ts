import { RollgateError } from '../../core/errors/rollgate-error.js';
import type { IncidentRecord, IncidentStatus } from '../../core/incident/incident.js';
import { INCIDENT_STATUSES } from '../../core/incident/incident.js';
import type { OutboxMessage } from '../../core/rollout/rollout-types.js';
import { type IncidentStore, isIncidentStore } from '../../ports/incident-store.js';
import type { CommandRegistrar } from '../command-registry.js';
import { printJson, STORE_OPTION_HELP, withRecordStore } from '../record-store.js';
import { textTable } from '../text-table.js';

interface ListOptions {
  service?: string;
  status?: string;
  open?: boolean;
  store?: string;
  json?: boolean;
}

function incidentStore<T>(store: T): T & IncidentStore {
  if (!isIncidentStore(store as object)) {
    throw new RollgateError('invalid_input', 'this store backend keeps no incidents', {
      hint: 'use a SQLite file or a postgres:// URL as --store',
    });
  }
  return store as T & IncidentStore;
}

function seconds(from: string, to: string | undefined): string {
  if (to === undefined) return '—';
  const s = Math.round((Date.parse(to) - Date.parse(from)) / 1000);
  return s < 120 ? `${s} s` : `${Math.round(s / 60)} min`;
}

/** `rollgate incidents list|show` (docs/notifications.md). */
export const registerIncidentsCommand: CommandRegistrar = (program, context) => {
  const group = program
    .command('incidents')
    .description('Incidents opened by rollbacks: times, status, notifications.');
  group
    .command('list')
    .description('Incidents, newest first.')
    .option('--service <name>', 'only this service')
    .option('--status <status>', `only this status: ${INCIDENT_STATUSES.join(', ')}`)
    .option('--open', 'only incidents not resolved')
    .option('--store <spec>', STORE_OPTION_HELP)
    .option('--json', 'print as JSON')
    .action(async (options: ListOptions) => {
      const status = options.status;
      if (status !== undefined && !(INCIDENT_STATUSES as readonly string[]).includes(status)) {
        throw new RollgateError('invalid_input', `--status ${status} is not an incident status`, {
          hint: `use one of: ${INCIDENT_STATUSES.join(', ')}`,
        });
      }
      const statuses: IncidentStatus[] | undefined = status
        ? [status as IncidentStatus]
        : options.open
          ? ['open', 'mitigated']
          : undefined;
      const incidents = await withRecordStore(options.store, context.io, (s) =>
        incidentStore(s).listIncidents({
          ...(options.service === undefined ? {} : { service: options.service }),
          ...(statuses ? { statuses } : {}),
        }),
      );
      if (options.json) return printJson(context.io, incidents);
      if (incidents.length === 0) {
        context.io.out('no incidents\n');
        return;
      }
      context.io.out(
        `${textTable(
          ['ID', 'SERVICE', 'ENV', 'VERSION', 'STATUS', 'DETECTED', 'TO MITIGATE', 'TO RESOLVE'],
          incidents.map((i) => [
            i.id,
            i.service,
            i.environment,
            `${i.version} → ${i.previousVersion}`,
            i.status,
            i.detectedAt,
            seconds(i.detectedAt, i.mitigatedAt),
            seconds(i.detectedAt, i.resolvedAt),
          ]),
          '',
        )}\n`,
      );
    });
  group
    .command('show <id>')
    .description('One incident (INC-<rollout>, or the rollout id): times, reason, notifications.')
    .option('--store <spec>', STORE_OPTION_HELP)
    .option('--json', 'print as JSON')
    .action(async (id: string, options: { store?: string; json?: boolean }) => {
      const incidentId = id.startsWith('INC-') ? id : `INC-${id}`;
      const found = await withRecordStore(options.store, context.io, async (s) => {
        const store = incidentStore(s);
        const incident = await store.getIncident(incidentId);
        if (!incident) return undefined;
        const messages = await store.listOutbox({ rolloutId: incident.rolloutId });
        return { incident, messages };
      });
      if (!found) {
        throw new RollgateError('not_found', `incident ${incidentId} not found`, {
          hint: 'list incidents with `rollgate incidents list` (a rollback opens one)',
        });
      }
      if (options.json) return printJson(context.io, found);
      context.io.out(renderIncident(found.incident, found.messages));
    });
};

function renderIncident(i: IncidentRecord, messages: OutboxMessage[]): string {
  const time = (label: string, at: string | undefined) =>
    `  ${label.padEnd(10)} ${at ?? '—'}${at && label !== 'started' ? `  (+${seconds(i.startedAt, at)})` : ''}`;
  const lines = [
    `${i.id}  ${i.status.toUpperCase()}  ${i.service} ${i.version} → ${i.previousVersion} (${i.environment})`,
    `  reason     ${i.reason} (by ${i.trigger})`,
    `  rollout    ${i.rolloutId}  release ${i.releaseId}`,
    time('started', i.startedAt),
    time('detected', i.detectedAt),
    time('notified', i.notifiedAt),
    time('mitigated', i.mitigatedAt),
    time('resolved', i.resolvedAt),
    `  post-mortem ${i.postMortemId}, due ${i.postMortemDueAt}`,
    '',
    'notifications:',
    ...(messages.length === 0
      ? ['  none']
      : messages.map(
          (m) =>
            `  ${m.status.padEnd(9)} ${m.eventType.padEnd(22)} → ${m.route}${m.deliveredAt ? ` at ${m.deliveredAt}` : m.status === 'pending' ? ` due ${m.nextAttemptAt}` : ''}${m.lastError && m.status !== 'delivered' ? `  (${m.lastError})` : ''}`,
        )),
  ];
  return `${lines.join('\n')}\n`;
}
