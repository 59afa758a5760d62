import { relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { SystemClock } from '../../adapters/clock/system-clock.js';
import { RollbackRecords } from '../../app/rollback-records.js';
import { forensicsDirFor } from '../../app/store-registry.js';
import { RollgateError } from '../../core/errors/rollgate-error.js';
import { gitLog } from '../../records-io/git-log.js';
import {
  type RecordContext,
  writePostMortem,
  writeReleaseLog,
  writeReleaseNotes,
  writeReleaseReport,
} from '../../records-io/record-files.js';
import type { CliIo } from '../cli-io.js';
import type { CommandContext, CommandRegistrar } from '../command-registry.js';
import {
  cliNow,
  printJson,
  type RecordStore,
  STORE_OPTION_HELP,
  withRecordStore,
} from '../record-store.js';

interface ReportOptions {
  out: string;
  store?: string;
  json?: boolean;
}

interface NotesOptions extends ReportOptions {
  from: string;
  to: string;
}

type Writer<O> = (ctx: RecordContext, id: string, options: O, io: CliIo) => Promise<string[]>;

function report<O extends ReportOptions>(
  parent: Command,
  context: CommandContext,
  spec: { name: string; arg: string; argHelp: string; description: string },
  write: Writer<O>,
): Command {
  return parent
    .command(spec.name)
    .description(spec.description)
    .argument(spec.arg, spec.argHelp)
    .option('--out <dir>', 'directory to write into (created if missing)', '.')
    .option('--store <spec>', STORE_OPTION_HELP)
    .option('--json', 'print the written paths as JSON')
    .action(async (id: string, options: O) => {
      const io = context.io;
      const outDir = resolve(io.cwd, options.out);
      const files = await withRecordStore(options.store, io, (store: RecordStore) =>
        write({ store, outDir, now: cliNow() }, id, options, io),
      );
      const shown = files.map((f) => relative(io.cwd, f) || f);
      if (options.json) printJson(io, { files: shown });
      else io.out(shown.map((f) => `wrote ${f}\n`).join(''));
    });
}

/** `rollgate report release|postmortem|log|notes`: write a record's files (docs/records.md). */
export const registerReportCommand: CommandRegistrar = (program, context) => {
  const group = program
    .command('report')
    .description('Write release records from the store into files (docs/records.md).');
  report<ReportOptions>(
    group,
    context,
    {
      name: 'release',
      arg: '<rollout>',
      argHelp: 'rollout id',
      description: 'Post-release report of a rollout: Markdown, JSON and SVG charts.',
    },
    (ctx, id) => writeReleaseReport(ctx, id),
  );
  report<ReportOptions>(
    group,
    context,
    {
      name: 'postmortem',
      arg: '<rollout>',
      argHelp: 'id of a rolled-back rollout',
      description:
        'Open the post-mortem of a rolled-back rollout (once) and write its draft and forensics bundle.',
    },
    async (ctx, id, options, io) => {
      // The same reaction a rollback runs (ADR 0140), for a rollback no controller has
      // reacted to yet: the capture then has no metric read (no policy here), but the
      // post-mortem, the forensics and the risk entries are the same as the controller's.
      const spec = options.store ?? io.env.ROLLGATE_STORE;
      await new RollbackRecords(
        { store: ctx.store, clock: new SystemClock(), metricsFor: () => undefined },
        { settleMs: 0, forensicsDir: forensicsDirFor(spec, io.cwd) },
      ).open(id);
      return (await writePostMortem(ctx, id)).files;
    },
  );
  report<ReportOptions>(
    group,
    context,
    {
      name: 'log',
      arg: '<service>',
      argHelp: 'service name',
      description: "A service's release log, newest first.",
    },
    async (ctx, service) => {
      const [any] = await ctx.store.listRollouts({ service, limit: 1 });
      if (!any) {
        throw new RollgateError('not_found', `no rollouts of service ${service} in the store`, {
          hint: 'check the service name (as in rollgate.yaml) and --store',
        });
      }
      return writeReleaseLog(ctx, service);
    },
  );
  report<NotesOptions>(
    group,
    context,
    {
      name: 'notes',
      arg: '<rollout>',
      argHelp: 'rollout id',
      description: 'Release notes of a rollout from the Conventional Commits in git log FROM..TO.',
    },
    async (ctx, id, options, io) =>
      writeReleaseNotes(ctx, id, await gitLog(options.from, options.to, io.cwd)),
  )
    .requiredOption('--from <ref>', 'previous release (tag or commit)')
    .requiredOption('--to <ref>', 'this release (tag or commit)');
};
