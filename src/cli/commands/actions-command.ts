import type { CommandRegistrar } from '../command-registry.js';
import { cliNow, printJson, STORE_OPTION_HELP, withRecordStore } from '../record-store.js';
import { textTable } from '../text-table.js';

interface ActionsOptions {
  overdue?: boolean;
  open?: boolean;
  service?: string;
  store?: string;
  json?: boolean;
}

/** `rollgate actions list`: the action items of completed post-mortems, by due date. */
export const registerActionsCommand: CommandRegistrar = (program, context) => {
  const group = program.command('actions').description('Action items from completed post-mortems.');
  group
    .command('list')
    .description('Action items, ordered by due date.')
    .option('--overdue', 'only items not done and past their due date')
    .option('--open', 'only items not done')
    .option('--service <name>', 'only this service')
    .option('--store <spec>', STORE_OPTION_HELP)
    .option('--json', 'print as JSON')
    .action(async (options: ActionsOptions) => {
      const today = cliNow().slice(0, 10);
      const items = await withRecordStore(options.store, context.io, (store) =>
        store.listActionItems({
          ...(options.overdue ? { overdueOn: today } : {}),
          ...(options.open ? { open: true } : {}),
          ...(options.service === undefined ? {} : { service: options.service }),
        }),
      );
      if (options.json) return printJson(context.io, items);
      if (items.length === 0) {
        context.io.out(options.overdue ? 'no overdue action items\n' : 'no action items\n');
        return;
      }
      context.io.out(
        `${textTable(
          ['POST-MORTEM', 'ID', 'SERVICE', 'OWNER', 'DUE', 'STATUS', 'TICKET', 'ACTION'],
          items.map((i) => [
            i.postMortemId,
            i.id,
            i.service,
            i.owner,
            i.due,
            i.status,
            i.ticket ?? '',
            i.action,
          ]),
          '',
        )}\n`,
      );
    });
};
