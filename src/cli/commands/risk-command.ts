import type { Command } from 'commander';
import { RollgateError } from '../../core/errors/rollgate-error.js';
import {
  checkRiskId,
  type Risk,
  type RiskChange,
  type RiskLevel,
  type RiskStatus,
  riskScore,
} from '../../core/risk/risk-types.js';
import type { RiskStore } from '../../ports/risk-store.js';
import type { CliIo } from '../cli-io.js';
import type { CommandContext, CommandRegistrar } from '../command-registry.js';
import {
  cliNow,
  printJson,
  type RecordStore,
  STORE_OPTION_HELP,
  withRecordStore,
} from '../record-store.js';
import { textTable } from '../text-table.js';

interface CommonOptions {
  store?: string;
  json?: boolean;
}

interface FieldOptions {
  title?: string;
  likelihood?: string;
  impact?: string;
  owner?: string;
  status?: string;
  service?: string[];
  review?: string;
  by?: string;
}

function withRiskStore<T>(
  options: CommonOptions,
  io: CliIo,
  fn: (store: RecordStore & RiskStore) => Promise<T>,
): Promise<T> {
  return withRecordStore(options.store, io, (store) => {
    const s = store as RecordStore & Partial<RiskStore>;
    if (typeof s.listRisks !== 'function') {
      throw new RollgateError('invalid_input', 'this store backend keeps no risk register', {
        hint: 'use a SQLite file or a postgres:// URL as --store',
      });
    }
    return fn(s as RecordStore & RiskStore);
  });
}

/** `--by`, else the user running the command, as an @name. */
function actor(options: FieldOptions, io: CliIo): string {
  const who = options.by ?? io.env.USER ?? io.env.USERNAME ?? 'unknown';
  return who.startsWith('@') ? who : `@${who}`;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((s) => s.trim())].filter((s) => s !== '');
}

function change(options: FieldOptions): RiskChange {
  return {
    ...(options.title === undefined ? {} : { title: options.title }),
    ...(options.likelihood === undefined ? {} : { likelihood: options.likelihood as RiskLevel }),
    ...(options.impact === undefined ? {} : { impact: options.impact as RiskLevel }),
    ...(options.owner === undefined ? {} : { owner: options.owner }),
    ...(options.status === undefined ? {} : { status: options.status as RiskStatus }),
    ...(options.service === undefined ? {} : { services: options.service }),
    ...(options.review === undefined ? {} : { reviewOn: options.review }),
  };
}

function notFound(id: string): RollgateError {
  return new RollgateError('not_found', `no risk ${id}`, {
    hint: 'list the risks with: rollgate risk list',
  });
}

function showRisk(r: Risk, today: string): string {
  const lines = [
    `${r.id}  ${r.title}`,
    `  likelihood ${r.likelihood}, impact ${r.impact} (score ${riskScore(r)} of 9)`,
    `  owner      ${r.owner}`,
    `  status     ${r.status}`,
    `  services   ${r.services.join(', ')}`,
    `  review     ${r.reviewOn}${r.status !== 'closed' && r.reviewOn < today ? ' (OVERDUE)' : ''}`,
    '',
    'History:',
    textTable(
      ['AT', 'BY', 'KIND', 'TEXT'],
      r.history.map((h) => [h.at, h.actor, h.kind, h.text]),
    ),
  ];
  return `${lines.join('\n')}\n`;
}

function fieldOptions(cmd: Command): Command {
  return cmd
    .option('--title <text>', 'what could go wrong, in one line')
    .option('--likelihood <level>', 'low, medium or high')
    .option('--impact <level>', 'low, medium or high')
    .option('--owner <@name>', 'who looks after it')
    .option('--status <status>', 'open, mitigating, accepted or closed')
    .option(
      '--service <name>',
      'a linked service (repeat, or comma-separated): its rollbacks update this risk',
      collect,
    )
    .option('--review <YYYY-MM-DD>', 'next review date')
    .option('--by <name>', 'who makes the change (default: $USER)')
    .option('--store <spec>', STORE_OPTION_HELP)
    .option('--json', 'print the risk as JSON');
}

/** `rollgate risk list|add|update|show`: the risk register (docs/records.md, seed 003). */
export const registerRiskCommand: CommandRegistrar = (program, context: CommandContext) => {
  const io = context.io;
  const group = program
    .command('risk')
    .description(
      'The risk register: risks linked to services; a rollback adds to their history and brings their review forward.',
    );

  group
    .command('list')
    .description('Risks, highest likelihood × impact first.')
    .option('--service <name>', 'only risks linked to this service')
    .option('--status <status>', 'only risks in this status (open, mitigating, accepted, closed)')
    .option('--store <spec>', STORE_OPTION_HELP)
    .option('--json', 'print as JSON (with each risk history)')
    .action(async (options: CommonOptions & { service?: string; status?: string }) => {
      const risks = await withRiskStore(options, io, (store) =>
        store.listRisks({
          ...(options.service === undefined ? {} : { service: options.service }),
          ...(options.status === undefined ? {} : { status: options.status as RiskStatus }),
        }),
      );
      if (options.json) return printJson(io, risks);
      if (risks.length === 0) {
        io.out(
          options.service === undefined
            ? 'no risks (add one with: rollgate risk add --title … --likelihood … --impact … --owner @… --service …)\n'
            : `no risks linked to ${options.service}\n`,
        );
        return;
      }
      const today = cliNow().slice(0, 10);
      io.out(
        `${textTable(
          ['ID', 'SCORE', 'LIKELIHOOD', 'IMPACT', 'STATUS', 'OWNER', 'REVIEW', 'SERVICES', 'TITLE'],
          risks.map((r) => [
            r.id,
            String(riskScore(r)),
            r.likelihood,
            r.impact,
            r.status,
            r.owner,
            `${r.reviewOn}${r.status !== 'closed' && r.reviewOn < today ? ' overdue' : ''}`,
            r.services.join(','),
            r.title,
          ]),
          '',
        )}\n`,
      );
    });

  fieldOptions(
    group
      .command('add')
      .description('Add a risk (title, likelihood, impact, owner and at least one --service).'),
  )
    .option('--id <id>', 'its id (default: the next RISK-<n>)')
    .action(async (options: FieldOptions & CommonOptions & { id?: string }) => {
      const missing = (['title', 'likelihood', 'impact', 'owner', 'service'] as const).filter(
        (k) => options[k] === undefined,
      );
      if (missing.length > 0) {
        throw new RollgateError(
          'invalid_input',
          `risk add: missing ${missing.map((k) => `--${k}`).join(', ')}`,
          {
            hint: 'e.g. rollgate risk add --title "Gateway certificate expires" --likelihood medium --impact high --owner @sre --service payments',
          },
        );
      }
      const risk = await withRiskStore(options, io, (store) =>
        store.createRisk(
          {
            ...(options.id === undefined ? {} : { id: options.id }),
            title: options.title as string,
            likelihood: options.likelihood as RiskLevel,
            impact: options.impact as RiskLevel,
            owner: options.owner as string,
            services: options.service as string[],
            ...(options.status === undefined ? {} : { status: options.status as RiskStatus }),
            ...(options.review === undefined ? {} : { reviewOn: options.review }),
          },
          { at: cliNow(), actor: actor(options, io) },
        ),
      );
      if (options.json) return printJson(io, risk);
      io.out(`added ${risk.id}: ${risk.title} (review by ${risk.reviewOn})\n`);
    });

  fieldOptions(
    group
      .command('update')
      .description('Change a risk; the change is kept in its history.')
      .argument('<id>', 'risk id, e.g. RISK-3'),
  ).action(async (id: string, options: FieldOptions & CommonOptions) => {
    checkRiskId(id, 'risk update');
    const risk = await withRiskStore(options, io, (store) =>
      store.updateRisk(id, change(options), { at: cliNow(), actor: actor(options, io) }),
    );
    if (options.json) return printJson(io, risk);
    const last = risk.history.at(-1);
    io.out(`updated ${risk.id}${last?.kind === 'updated' ? `: ${last.text}` : ''}\n`);
  });

  group
    .command('show')
    .description('One risk with its history.')
    .argument('<id>', 'risk id, e.g. RISK-3')
    .option('--store <spec>', STORE_OPTION_HELP)
    .option('--json', 'print as JSON')
    .action(async (id: string, options: CommonOptions) => {
      checkRiskId(id, 'risk show');
      const risk = await withRiskStore(options, io, (store) => store.getRisk(id));
      if (!risk) throw notFound(id);
      if (options.json) return printJson(io, risk);
      io.out(showRisk(risk, cliNow().slice(0, 10)));
    });
};
