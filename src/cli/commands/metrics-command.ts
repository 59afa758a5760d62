import { periodSince } from '../../core/records/release-metrics.js';
import { releaseMetricsOf } from '../../records-io/record-documents.js';
import type { CommandRegistrar } from '../command-registry.js';
import { cliNow, printJson, STORE_OPTION_HELP, withRecordStore } from '../record-store.js';
import { textTable } from '../text-table.js';

interface MetricsOptions {
  service?: string;
  since: string;
  env: string;
  store?: string;
  json?: boolean;
}

function band(b: string | undefined): string {
  return b ?? '-';
}

function span(seconds: number | undefined): string {
  if (seconds === undefined) return '-';
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 86_400) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86_400).toFixed(1)} d`;
}

function pct(rate: number | undefined): string {
  return rate === undefined ? '-' : `${(rate * 100).toFixed(1)} %`;
}

/** `rollgate metrics`: DORA 2024 release metrics over a period (ADR 0082). */
export const registerMetricsCommand: CommandRegistrar = (program, context) => {
  program
    .command('metrics')
    .description('DORA release metrics (frequency, lead time, change fail rate, recovery time).')
    .option('--service <name>', 'only this service (default: all services)')
    .option('--since <period>', 'period ending now: 12h, 30d or 4w', '30d')
    .option('--env <name>', 'environment that counts as production', 'production')
    .option('--store <spec>', STORE_OPTION_HELP)
    .option('--json', 'print as JSON')
    .action(async (options: MetricsOptions) => {
      const now = cliNow();
      const { from, to } = periodSince(options.since, now);
      const m = await withRecordStore(options.store, context.io, (store) =>
        releaseMetricsOf(store, {
          since: options.since,
          environment: options.env,
          now,
          ...(options.service === undefined ? {} : { service: options.service }),
        }),
      );
      if (options.json) return printJson(context.io, m);
      const head = `${m.service ?? 'all services'}, ${m.environment}, ${from.slice(0, 10)} to ${to.slice(0, 10)}: ${m.deployments} deployment${m.deployments === 1 ? '' : 's'}`;
      const rows = [
        [
          'deployment frequency',
          `${m.deploymentFrequency.perWeek.toFixed(2)}/week`,
          band(m.deploymentFrequency.band),
        ],
        [
          'change lead time (median)',
          span(m.changeLeadTime.medianSeconds),
          band(m.changeLeadTime.band),
        ],
        [
          'change fail rate',
          `${pct(m.changeFailRate.rate)} (${m.changeFailRate.failed})`,
          band(m.changeFailRate.band),
        ],
        ['recovery time (median)', span(m.recoveryTime.medianSeconds), band(m.recoveryTime.band)],
        ['rework rate', `${pct(m.reworkRate.rate)} (${m.reworkRate.rework})`, '-'],
        ['rollback rate', `${pct(m.rollbackRate.rate)} (${m.rollbackRate.rolledBack})`, '-'],
      ];
      context.io.out(`${head}\n\n${textTable(['METRIC', 'VALUE', 'DORA BAND'], rows, '')}\n`);
    });
};
