import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { RollgateError } from '../../core/errors/rollgate-error.js';
import { postMortemState } from '../../core/records/incident-times.js';
import { TO_FILL } from '../../core/records/post-mortem.js';
import { parsePostMortem } from '../../core/records/post-mortem-parse.js';
import type { PostMortemRecord } from '../../ports/post-mortem-store.js';
import { postMortemDraftOf } from '../../records-io/record-documents.js';
import { completePostMortem } from '../../records-io/record-files.js';
import type { CommandContext, CommandRegistrar } from '../command-registry.js';
import {
  cliNow,
  printJson,
  type RecordStore,
  STORE_OPTION_HELP,
  withRecordStore,
} from '../record-store.js';
import { textTable } from '../text-table.js';

interface StoreOptions {
  store?: string;
  json?: boolean;
}

/** The post-mortem with this id, or the one of the rollout with this id; else not_found. */
export async function findPostMortem(store: RecordStore, id: string): Promise<PostMortemRecord> {
  const pm = (await store.getPostMortem(id)) ?? (await store.getPostMortemByRollout(id));
  if (!pm) {
    throw new RollgateError('not_found', `no post-mortem ${id}`, {
      hint: 'list them with: rollgate postmortem list (a rollback opens one: rollgate report postmortem ROLLOUT)',
    });
  }
  return pm;
}

function withState(pm: PostMortemRecord, now: string) {
  return { ...pm, state: postMortemState(pm.dueAt, now, pm.completedAt) };
}

/** `rollgate postmortem list|show|export|complete` (docs/cli.md, docs/records.md). */
export const registerPostmortemCommand: CommandRegistrar = (program, context) => {
  const group = program
    .command('postmortem')
    .description('List, show, export and complete the post-mortems of rollbacks.');

  group
    .command('list')
    .description('Post-mortems, newest first, with their state (open, overdue, completed).')
    .option('--overdue', 'only those not completed and past their due time')
    .option('--service <name>', 'only this service')
    .option('--store <spec>', STORE_OPTION_HELP)
    .option('--json', 'print as JSON')
    .action((options: StoreOptions & { overdue?: boolean; service?: string }) =>
      listPostMortems(options, context),
    );

  group
    .command('show')
    .description('One post-mortem: its record, state and action items.')
    .argument('<id>', 'post-mortem id (e.g. PM-ro-250) or the id of its rollout')
    .option('--store <spec>', STORE_OPTION_HELP)
    .option('--json', 'print as JSON')
    .action((id: string, options: StoreOptions) => showPostMortem(id, options, context));

  group
    .command('export')
    .description('Print the post-mortem draft as Markdown (`> pm.md`), to fill in and complete.')
    .argument('<id>', 'post-mortem id (e.g. PM-ro-250) or the id of its rollout')
    .option('--store <spec>', STORE_OPTION_HELP)
    .action((id: string, options: StoreOptions) => exportPostMortem(id, options, context));

  group
    .command('complete')
    .description('Read a filled post-mortem file back and record it (and its action items).')
    .argument('<id>', 'post-mortem id (e.g. PM-ro-250) or the id of its rollout')
    .requiredOption('--file <path>', 'the filled Markdown file')
    .option('--by <name>', 'who completes it (default: $USER)')
    .option(
      '--allow-missing',
      'record it even though some sections still hold the placeholder (listed by show)',
    )
    .option('--store <spec>', STORE_OPTION_HELP)
    .option('--json', 'print the result as JSON')
    .action((id: string, options: CompleteOptions) => completeFromFile(id, options, context));
};

async function listPostMortems(
  options: StoreOptions & { overdue?: boolean; service?: string },
  context: CommandContext,
): Promise<void> {
  const now = cliNow();
  const list = await withRecordStore(options.store, context.io, (store) =>
    store.listPostMortems({
      ...(options.overdue ? { overdueAt: now } : {}),
      ...(options.service === undefined ? {} : { service: options.service }),
    }),
  );
  const rows = list.map((pm) => withState(pm, now));
  if (options.json) return printJson(context.io, rows);
  if (rows.length === 0) {
    context.io.out(options.overdue ? 'no overdue post-mortems\n' : 'no post-mortems\n');
    return;
  }
  context.io.out(
    `${textTable(
      ['ID', 'SERVICE', 'ENV', 'FAILED', 'ROLLOUT', 'DUE', 'STATE'],
      rows.map((pm) => [
        pm.id,
        pm.service,
        pm.environment,
        pm.failedVersion,
        pm.rolloutId,
        pm.dueAt,
        pm.state,
      ]),
      '',
    )}\n`,
  );
}

async function showPostMortem(
  id: string,
  options: StoreOptions,
  context: CommandContext,
): Promise<void> {
  const now = cliNow();
  const { pm, items } = await withRecordStore(options.store, context.io, async (store) => {
    const pm = await findPostMortem(store, id);
    const items = (await store.listActionItems({ service: pm.service })).filter(
      (i) => i.postMortemId === pm.id,
    );
    return { pm, items };
  });
  const shown = withState(pm, now);
  if (options.json) return printJson(context.io, { ...shown, actionItems: items });
  const lines = [
    `${pm.id}: ${pm.service} ${pm.failedVersion} rolled back to ${pm.restoredVersion} (${pm.environment})`,
    `  rollout    ${pm.rolloutId}`,
    `  opened     ${pm.createdAt}`,
    `  due        ${pm.dueAt}`,
    `  state      ${shown.state}`,
  ];
  if (pm.completedAt) lines.push(`  completed  ${pm.completedAt} by ${pm.completedBy ?? '?'}`);
  const rootCause = pm.content?.rootCause;
  if (typeof rootCause === 'string') lines.push(`  root cause ${rootCause}`);
  const missing = pm.content?.missing;
  if (Array.isArray(missing) && missing.length > 0)
    lines.push(`  unfilled   ${missing.join(', ')}`);
  if (items.length > 0) {
    lines.push(
      '',
      textTable(
        ['ACTION', 'OWNER', 'DUE', 'STATUS', 'WHAT'],
        items.map((i) => [i.id, i.owner, i.due, i.status, i.action]),
      ),
    );
  } else if (!pm.completedAt) {
    lines.push(
      '',
      `Fill it in: rollgate postmortem export ${pm.id} > pm.md, edit, then`,
      `            rollgate postmortem complete ${pm.id} --file pm.md`,
    );
  }
  context.io.out(`${lines.join('\n')}\n`);
}

async function exportPostMortem(
  id: string,
  options: StoreOptions,
  context: CommandContext,
): Promise<void> {
  const markdown = await withRecordStore(options.store, context.io, async (store) => {
    const pm = await findPostMortem(store, id);
    return (await postMortemDraftOf(store, pm)).markdown;
  });
  context.io.out(markdown.endsWith('\n') ? markdown : `${markdown}\n`);
}

interface CompleteOptions extends StoreOptions {
  file: string;
  by?: string;
  allowMissing?: boolean;
}

async function completeFromFile(
  id: string,
  options: CompleteOptions,
  context: CommandContext,
): Promise<void> {
  const io = context.io;
  let markdown: string;
  try {
    markdown = readFileSync(resolve(io.cwd, options.file), 'utf8');
  } catch (err) {
    throw new RollgateError('invalid_input', `cannot read ${options.file}`, {
      cause: err,
      hint: `check the path; get the draft with: rollgate postmortem export ${id} > ${options.file}`,
    });
  }
  const by = options.by ?? io.env.USER ?? io.env.USERNAME ?? 'unknown';
  const result = await withRecordStore(options.store, io, async (store) => {
    const pm = await findPostMortem(store, id);
    // Parse before writing: a malformed file (file:line) or unfilled sections write nothing.
    const { missing } = parsePostMortem(markdown, options.file);
    if (missing.length > 0 && !options.allowMissing) {
      throw new RollgateError(
        'invalid_input',
        `${options.file} still has unfilled sections: ${missing.join(', ')}`,
        {
          hint: `replace the ${TO_FILL} placeholders in ${options.file} and run this again, or pass --allow-missing to record it as it is`,
        },
      );
    }
    const done = await completePostMortem(store, pm.id, markdown, options.file, by, cliNow());
    return { id: pm.id, ...done };
  });
  if (options.json) return printJson(io, result);
  const lines = [
    `completed ${result.id}: ${result.actionItems} action item${result.actionItems === 1 ? '' : 's'} recorded`,
  ];
  if (result.missing.length > 0) {
    lines.push(
      `still to fill: ${result.missing.join(', ')} (edit ${options.file} and complete again to replace it)`,
    );
  }
  io.out(`${lines.join('\n')}\n`);
}
